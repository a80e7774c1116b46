import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { attemptSignIn, createUser, signIn, useAppEnvironment } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { callServerAction } from "@/tests/support/server-action";

/** Browser sessions over the production build: sign-in, pages, server actions, sign-out, revocation. */
let db: TestDatabase;
let app: AppServer;

beforeAll(async () => {
  db = await createTestDatabase("auth_session");
  const vars = db.envVars({ REDIS_URL: inject("redisUrl"), RATE_LIMIT_SIGN_IN_IP_LIMIT: "1000" });
  useAppEnvironment(vars);
  app = await startAppServer(vars);
});
afterAll(async () => {
  await app?.stop();
  await closePools();
  await closeRedis();
  await db?.drop();
});

const me = (cookie: string) => fetch(`${app.url}/api/v1/me`, { headers: { cookie } });
const page = (path: string, cookie?: string) => fetch(`${app.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
const ADMIN_ACTIONS = "actions/admin-users.ts";

describe("sign-in", () => {
  it("a good password gives an httpOnly session cookie that authenticates API calls and pages", async () => {
    const user = await createUser(db, { role: "analyst" });
    const attempt = await attemptSignIn(app.url, user.email, user.password);
    expect(attempt.error).toBeNull();
    const sessionCookie = attempt.setCookies.find((line) => line.startsWith("next-auth.session-token="));
    expect(sessionCookie).toMatch(/HttpOnly/i);
    expect(sessionCookie).toMatch(/SameSite=Lax/i);
    expect(sessionCookie).toMatch(/Path=\//i);
    const cookie = await signIn(app.url, user.email, user.password);
    expect(cookie).toMatch(/^next-auth\.session-token=/);
    const response = await me(cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: user.id, role: "analyst", via: "session", scopes: ["tables:read", "queries:run", "sql:run"] });
    const tokens = await page("/settings/tokens", cookie);
    expect(tokens.status).toBe(200);
    const html = await tokens.text();
    expect(html).toContain(user.email);
    expect(html).toContain("Create a token");
  });

  it("behind https (X-Forwarded-Proto) the cookies are Secure and __Secure-/__Host- prefixed", async () => {
    const user = await createUser(db);
    const https = { "x-forwarded-proto": "https" };
    const csrf = await fetch(`${app.url}/api/auth/csrf`, { headers: https });
    const csrfCookie = csrf.headers.getSetCookie()[0] ?? "";
    expect(csrfCookie).toMatch(/^__Host-next-auth\.csrf-token=.*Secure/i);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch(`${app.url}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { ...https, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie.split(";")[0]! },
      body: new URLSearchParams({ email: user.email, password: user.password, csrfToken, json: "true" }),
    });
    const session = response.headers.getSetCookie().find((line) => line.startsWith("__Secure-next-auth.session-token="));
    expect(session).toMatch(/; Secure/i);
    const cookie = session!.split(";")[0]!;
    expect((await fetch(`${app.url}/api/v1/me`, { headers: { ...https, cookie } })).status).toBe(200);
    // The Secure cookie is not accepted under the plain-http name, nor over plain http.
    expect((await me(cookie)).status).toBe(401);
  });

  it("a wrong password or unknown e-mail: the same error, no session cookie", async () => {
    const user = await createUser(db);
    // A fresh unknown address each run: the per-account sign-in limit lives in Redis, which outlives a test run.
    const nobody = `nobody-${randomBytes(4).toString("hex")}@example.test`;
    for (const [email, password] of [
      [user.email, "wrong password!"],
      [nobody, "wrong password!"],
    ] as const) {
      const attempt = await attemptSignIn(app.url, email, password);
      expect(attempt.status).toBe(401);
      expect(attempt.error).toBe("CredentialsSignin");
      expect(attempt.jar.header()).not.toMatch(/session-token/);
    }
  });

  it("a disabled account is told so", async () => {
    const user = await createUser(db, { disabled: true });
    expect((await attemptSignIn(app.url, user.email, user.password)).error).toBe("AccountDisabled");
  });

  it("signed-in pages send anonymous visitors to the sign-in page", async () => {
    const response = await page("/settings/tokens");
    expect(response.status).toBeGreaterThanOrEqual(300);
    expect(response.status).toBeLessThan(400);
    expect(response.headers.get("location")).toMatch(/\/sign-in\?callbackUrl=%2Fsettings%2Ftokens/);
    const signInPage = await page("/sign-in");
    expect(signInPage.status).toBe(200);
    expect(await signInPage.text()).toContain("Sign in to Sluice");
  });
});

describe("sign-out", () => {
  it("through the header's server action: a copy of the old cookie is rejected afterwards", async () => {
    const user = await createUser(db);
    const cookie = await signIn(app.url, user.email, user.password);
    expect((await me(cookie)).status).toBe(200);
    const result = await callServerAction(app.url, {
      page: "/settings/tokens",
      filename: "actions/auth.ts",
      exportedName: "signOutAction",
      fields: {},
      cookie,
    });
    expect(result.status).toBeLessThan(400);
    expect(result.location ?? result.body).toMatch(/sign-in\?notice=signed-out/);
    expect((await me(cookie)).status).toBe(401);
    // The page guard agrees: back to sign-in, although the browser still sends the cookie.
    const tokens = await page("/settings/tokens", cookie);
    expect(tokens.status).toBe(307);
    expect(tokens.headers.get("location")).toMatch(/^\/sign-in/);
  });

  it("through next-auth's own sign-out endpoint, too", async () => {
    const user = await createUser(db);
    const attempt = await attemptSignIn(app.url, user.email, user.password);
    const copy = attempt.jar.header();
    const csrf = await fetch(`${app.url}/api/auth/csrf`, { headers: { cookie: copy } });
    attempt.jar.store(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const out = await fetch(`${app.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: attempt.jar.header() },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(out.status).toBeLessThan(400);
    expect((await me(copy)).status).toBe(401);
  });
});

describe("server actions check the caller themselves", () => {
  it("a viewer posting an admin action directly is refused (forbidden) and nothing changes", async () => {
    const viewer = await createUser(db, { role: "viewer" });
    const target = await createUser(db, { role: "viewer" });
    const cookie = await signIn(app.url, viewer.email, viewer.password);
    const fields = { userId: target.id, role: "admin" };
    const result = await callServerAction(app.url, {
      page: "/admin/users",
      filename: ADMIN_ACTIONS,
      exportedName: "changeRoleAction",
      fields,
      cookie,
    });
    expect(result.result).toMatchObject({ ok: false, code: "forbidden" });
    const [row] = await db.owner<{ role: string }[]>`select role from app.users where id = ${target.id}`;
    expect(row?.role).toBe("viewer");

    // Nor may they escalate themselves.
    const self = await callServerAction(app.url, {
      page: "/admin/users",
      filename: ADMIN_ACTIONS,
      exportedName: "changeRoleAction",
      fields: { userId: viewer.id, role: "admin" },
      cookie,
    });
    expect(self.result).toMatchObject({ ok: false, code: "forbidden" });

    // The admin API answers 403 to their session as well.
    const api = await fetch(`${app.url}/api/admin/users`, { headers: { cookie } });
    expect(api.status).toBe(403);
    expect((await api.json()).error.code).toBe("forbidden");

    // And the admin page itself shows them a 403 panel instead of the user list.
    const html = await (await page("/admin/users", cookie)).text();
    expect(html).toContain("403");
    expect(html).not.toContain(target.email);
  });

  it("the same action by an admin works, and anonymously it is unauthorized", async () => {
    const admin = await createUser(db, { role: "admin" });
    const target = await createUser(db, { role: "viewer" });
    const cookie = await signIn(app.url, admin.email, admin.password);
    const call = { page: "/admin/users", filename: ADMIN_ACTIONS, exportedName: "changeRoleAction", fields: { userId: target.id, role: "analyst" } };
    expect((await callServerAction(app.url, call)).result).toMatchObject({ ok: false, code: "unauthorized" });
    expect((await callServerAction(app.url, { ...call, cookie })).result).toMatchObject({ ok: true, data: { role: "analyst" } });
    const [event] = await db.owner<{ action: string; actor_user_id: string }[]>`
      select action, actor_user_id from app.audit_events where action = 'user.role-change' and target = ${target.id}`;
    expect(event).toMatchObject({ actor_user_id: admin.id });
  });

  it("an admin revoking a user's sessions, or disabling them, ends them on the next request", async () => {
    const admin = await createUser(db, { role: "admin" });
    const user = await createUser(db);
    const adminCookie = await signIn(app.url, admin.email, admin.password);
    const userCookie = await signIn(app.url, user.email, user.password);
    expect((await me(userCookie)).status).toBe(200);
    const revoke = await callServerAction(app.url, {
      page: `/admin/users/${user.id}`,
      filename: ADMIN_ACTIONS,
      exportedName: "revokeAllSessionsAction",
      fields: { userId: user.id },
      cookie: adminCookie,
    });
    expect(revoke.result).toMatchObject({ ok: true, data: { ended: 1 } });
    expect((await me(userCookie)).status).toBe(401);

    const again = await signIn(app.url, user.email, user.password);
    const disable = await callServerAction(app.url, {
      page: "/admin/users",
      filename: ADMIN_ACTIONS,
      exportedName: "setDisabledAction",
      fields: { userId: user.id, disabled: "true" },
      cookie: adminCookie,
    });
    expect(disable.result).toMatchObject({ ok: true, data: { disabled: true } });
    expect((await me(again)).status).toBe(401);
  });

  it("a viewer's own token form cannot grant scopes beyond the role", async () => {
    const viewer = await createUser(db, { role: "viewer" });
    const cookie = await signIn(app.url, viewer.email, viewer.password);
    const call = { page: "/settings/tokens", filename: "actions/tokens.ts", exportedName: "createTokenAction", cookie };
    const refused = await callServerAction(app.url, { ...call, fields: { name: "sneaky", scopes: "sql:run", expires: "7d" } });
    expect(refused.result).toMatchObject({ ok: false, code: "forbidden" });
    const invalid = await callServerAction(app.url, { ...call, fields: { name: "", expires: "forever" } });
    expect(invalid.result).toMatchObject({
      ok: false,
      code: "validation_failed",
      fieldErrors: { name: expect.any(Array), scopes: expect.any(Array), expires: expect.any(Array) },
    });
    const created = await callServerAction(app.url, { ...call, fields: { name: "fine", scopes: "tables:read", expires: "7d" } });
    expect(created.result).toMatchObject({ ok: true, data: { token: expect.stringMatching(/^slc_/) } });
  });
});
