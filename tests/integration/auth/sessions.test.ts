import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import type Redis from "ioredis";
import { verify as argon2Verify } from "@node-rs/argon2";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { authenticate } from "@/lib/auth/authenticate";
import { SESSION_COOKIE, readSessionToken } from "@/lib/auth/session-cookie";
import { listUserSessions, revokeSession } from "@/lib/auth/sessions";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { changeOwnPassword, changeRole, createUserAccount, resetPassword, setDisabled } from "@/lib/auth/user-admin";
import { changeUserState } from "@/lib/auth/user-state";
import { authorize } from "@/lib/server/5-authorize";
import { listAuditEvents } from "@/lib/db/queries/audit";
import { env } from "@/lib/env";
import { keys } from "@/lib/redis/keys";
import { createToken, createUser, libOnTestServices, type TestUser } from "@/tests/support/auth";
import type { TestDatabase } from "@/tests/support/database";

// The real argon2, watched: how many verifications a sign-in performs, and against what hash.
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@node-rs/argon2")>();
  return { ...actual, verify: vi.fn(actual.verify) };
});

let db: TestDatabase;
let redis: Redis;
const meta = { ip: "198.51.100.4", userAgent: "vitest" };

// The default per-account sign-in limit (5) is under test here; the shared test default is generous.
const services = libOnTestServices("auth_sessions", { SESSION_TTL_S: "120", RATE_LIMIT_SIGN_IN_ACCOUNT_LIMIT: "5" });
beforeAll(() => {
  ({ db, redis } = services);
});

/** What the browser would send after signing in: the next-auth JWT naming the session. */
async function cookieRequest(user: { id: string }, sid: string): Promise<Request> {
  const jwt = await encode({ token: { sub: user.id, sid }, secret: env().AUTH_SECRET!, maxAge: 120 });
  return new Request("http://sluice.test/api/v1/me", { headers: { cookie: `${SESSION_COOKIE}=${jwt}` } });
}

async function signedIn(user: TestUser) {
  const result = await signInWithPassword({ email: user.email, password: user.password }, meta);
  if (!result.ok) throw new Error(`sign-in failed: ${result.reason}`);
  return { sid: result.user.sid, request: await cookieRequest(user, result.user.sid) };
}

describe("sign-in", () => {
  it("opens a session in Redis with the configured TTL, indexed per user, and audits it", async () => {
    const user = await createUser(db, { role: "analyst" });
    const result = await signInWithPassword({ email: user.email.toUpperCase(), password: user.password }, meta);
    expect(result).toMatchObject({ ok: true, user: { id: user.id, role: "analyst" } });
    const sid = result.ok ? result.user.sid : "";
    const ttl = await redis.pttl(keys.sessionKey(sid));
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    expect(await redis.smembers(keys.userSessionsKey(user.id))).toEqual([sid]);
    const [event] = await listAuditEvents({ actorUserId: user.id, action: "auth.sign-in" });
    expect(event).toMatchObject({ outcome: "ok", via: "session", ip: meta.ip });
    const [row] = await db.owner<{ last_sign_in_at: Date | null }[]>`select last_sign_in_at from app.users where id = ${user.id}`;
    expect(row?.last_sign_in_at).not.toBeNull();
  });

  it("answers a wrong password and an unknown e-mail alike — one argon2 verification each, at the same cost — and audits both", async () => {
    const user = await createUser(db);
    // What makes the two answers take the same time, asserted directly instead of timed
    // (a wall-clock comparison fails on a busy machine): each path verifies exactly once,
    // against an argon2id hash of the same parameters.
    const attempt = async (email: string, password = "not the password") => {
      vi.mocked(argon2Verify).mockClear();
      const result = await signInWithPassword({ email, password }, meta);
      return { result, hashes: vi.mocked(argon2Verify).mock.calls.map(([hash]) => String(hash)) };
    };
    const cost = (hash: string) => hash.split("$").slice(1, 4).join("$"); // argon2id$v=19$m=…,t=…,p=…
    // Fresh addresses each run: the per-account sign-in limit lives in Redis, which outlives a test run.
    const nobody = `nobody-${randomBytes(4).toString("hex")}@example.test`;
    const wrong = await attempt(user.email);
    const unknown = await attempt(nobody);
    expect(wrong.result).toEqual({ ok: false, reason: "invalid" });
    expect(unknown.result).toEqual({ ok: false, reason: "invalid" });
    expect(wrong.hashes).toHaveLength(1);
    expect(unknown.hashes).toHaveLength(1);
    expect(cost(unknown.hashes[0]!)).toBe(cost(wrong.hashes[0]!));
    expect(cost(wrong.hashes[0]!)).toMatch(/^argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/);
    expect(unknown.hashes[0]).not.toBe(wrong.hashes[0]); // the dummy, not someone's real hash
    // Control: the real sign-in takes the same single verification, and succeeds.
    const right = await attempt(user.email, user.password);
    expect(right.result).toMatchObject({ ok: true });
    expect(right.hashes).toEqual(wrong.hashes);

    const denied = await listAuditEvents({ action: "auth.sign-in" });
    expect(denied.some((e) => e.target === nobody && e.outcome === "denied" && e.actorUserId === null)).toBe(true);
    expect(denied.some((e) => e.actorUserId === user.id && e.outcome === "denied")).toBe(true);
  });

  it("a disabled account is told so only with the right password", async () => {
    const user = await createUser(db, { disabled: true });
    expect(await signInWithPassword({ email: user.email, password: "wrong password!" }, meta)).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({ email: user.email, password: user.password }, meta)).toEqual({ ok: false, reason: "disabled" });
  });

  it("limits attempts per account, whatever the IP", async () => {
    const user = await createUser(db);
    const results = [];
    for (let i = 0; i < 6; i += 1)
      results.push(await signInWithPassword({ email: user.email, password: "nope nope nope" }, { ...meta, ip: `192.0.2.${i}` }));
    expect(results.slice(0, 5).every((r) => !r.ok && r.reason === "invalid")).toBe(true);
    expect(results[5]).toMatchObject({ ok: false, reason: "rate_limited", retryAfterS: expect.any(Number) });
  });
});

describe("session checks", () => {
  it("a live session authenticates with the user's current role and scopes", async () => {
    const user = await createUser(db, { role: "viewer" });
    const { sid, request } = await signedIn(user);
    expect(await authenticate(request)).toMatchObject({
      via: "session",
      userId: user.id,
      role: "viewer",
      scopes: ["tables:read", "queries:run"],
      sessionId: sid,
    });
    await changeRole({ userId: null, via: "system", ip: null }, user.id, "analyst");
    expect(await authenticate(request)).toMatchObject({ role: "analyst", scopes: ["tables:read", "queries:run", "sql:run"] });
    expect(await readSessionToken(request)).toMatchObject({ sub: user.id, sid });
  });

  it("ends on sign-out / revoke: the same cookie is anonymous on the next request", async () => {
    const user = await createUser(db);
    const { sid, request } = await signedIn(user);
    expect(await authenticate(request)).not.toBeNull();
    expect(await revokeSession(user.id, sid)).toBe(true);
    expect(await authenticate(request)).toBeNull();
  });

  it("ends for every session of a user who is disabled, has a password reset, or changes it", async () => {
    const actor = { userId: null, via: "system" as const, ip: null };
    const a = await createUser(db);
    const first = await signedIn(a);
    const second = await signedIn(a);
    expect((await listUserSessions(a.id)).map((s) => s.sid).sort()).toEqual([first.sid, second.sid].sort());
    await setDisabled(actor, a.id, true);
    expect(await authenticate(first.request)).toBeNull();
    expect(await authenticate(second.request)).toBeNull();
    expect(await listUserSessions(a.id)).toEqual([]);

    const b = await createUser(db);
    const bSession = await signedIn(b);
    await resetPassword(actor, b.id, "a brand new password");
    expect(await authenticate(bSession.request)).toBeNull();

    const c = await createUser(db);
    const cSession = await signedIn(c);
    await expect(changeOwnPassword({ userId: c.id, via: "session", ip: null }, "wrong current pw", "another new password")).rejects.toMatchObject({
      status: 403,
    });
    expect(await authenticate(cSession.request)).not.toBeNull();
    await changeOwnPassword({ userId: c.id, via: "session", ip: null }, c.password, "another new password");
    expect(await authenticate(cSession.request)).toBeNull();
    expect(await signInWithPassword({ email: c.email, password: "another new password" }, meta)).toMatchObject({ ok: true });
  });

  it("a password someone else chose holds the session back until the user replaces it; a reset sets it again; tokens are not held back", async () => {
    const actor = { userId: null, via: "system" as const, ip: null };
    const email = `made-${randomBytes(4).toString("hex")}@example.test`;
    const { user, password } = await createUserAccount(actor, { email, role: "analyst" });
    const made: TestUser = { id: user.id, email, password, role: "analyst" };
    const pending = await authenticate((await signedIn(made)).request);
    expect(pending).toMatchObject({ via: "session", mustChangePassword: true });
    expect(() => authorize(pending!, { role: "analyst" })).toThrow(/Choose your own password first/);
    expect(() => authorize(pending!, { pendingPasswordChange: "allow" })).not.toThrow();
    // A token is a credential of its own: not held back.
    const { token } = await createToken(made, { scopes: ["sql:run"] });
    const viaToken = await authenticate(new Request("http://sluice.test/api/v1/me", { headers: { authorization: `Bearer ${token}` } }));
    expect(viaToken?.mustChangePassword).toBeUndefined();
    expect(() => authorize(viaToken!, { scopes: ["sql:run"] })).not.toThrow();

    // Control: after the user's own change the session passes.
    await changeOwnPassword({ userId: user.id, via: "session", ip: null }, password, "a password of my own");
    const own = await authenticate((await signedIn({ ...made, password: "a password of my own" })).request);
    expect(own?.mustChangePassword).toBe(false);
    expect(() => authorize(own!, { role: "analyst" })).not.toThrow();

    const { password: reset } = await resetPassword(actor, user.id);
    expect((await authenticate((await signedIn({ ...made, password: reset })).request))?.mustChangePassword).toBe(true);
    // An operator's own chosen password (the CLI's prompt) needs no change.
    await resetPassword(actor, user.id, "typed by the operator", { mustChangePassword: false });
    expect((await authenticate((await signedIn({ ...made, password: "typed by the operator" })).request))?.mustChangePassword).toBe(false);
  });

  it("a session whose password changed underneath it is refused even if its Redis entry survived", async () => {
    const user = await createUser(db);
    const { request } = await signedIn(user);
    // The user's state is cached by the first check; a password change that did not delete the sessions still ends them.
    expect(await authenticate(request)).not.toBeNull();
    expect(await redis.get(keys.userStateKey(user.id))).not.toBeNull();
    await changeUserState(user.id, () => db.owner`update app.users set password_changed_at = now() + interval '1 second' where id = ${user.id}`);
    expect(await authenticate(request)).toBeNull();
  });

  it("ignores forged, foreign and malformed cookies", async () => {
    const user = await createUser(db);
    const { sid } = await signedIn(user);
    const other = await createUser(db);
    const forged = await encode({ token: { sub: user.id, sid }, secret: "some-other-secret-some-other-secret", maxAge: 60 });
    const foreign = await encode({ token: { sub: other.id, sid }, secret: env().AUTH_SECRET!, maxAge: 60 });
    const noSid = await encode({ token: { sub: user.id }, secret: env().AUTH_SECRET!, maxAge: 60 });
    for (const value of [forged, foreign, noSid, "garbage", ""]) {
      const request = new Request("http://sluice.test/", { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
      expect(await authenticate(request)).toBeNull();
    }
  });

  it("role changes and disabling are audited", async () => {
    const admin = await createUser(db, { role: "admin" });
    const user = await createUser(db);
    const actor = { userId: admin.id, via: "session" as const, ip: null };
    await changeRole(actor, user.id, "analyst");
    await setDisabled(actor, user.id, true);
    const actions = (await listAuditEvents({ actorUserId: admin.id })).map((e) => [e.action, e.target]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ["user.role-change", user.id],
        ["user.disable", user.id],
      ]),
    );
  });

  it("keeps the last enabled admin an enabled admin", async () => {
    await db.owner`update app.users set disabled = true where role = 'admin'`;
    const admin = await createUser(db, { role: "admin" });
    const actor = { userId: admin.id, via: "session" as const, ip: null };
    await expect(changeRole(actor, admin.id, "viewer")).rejects.toMatchObject({ status: 409 });
    await expect(setDisabled(actor, admin.id, true)).rejects.toMatchObject({ status: 409 });
  });
});
