import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";
import { createOperator, type Operator } from "@/tests/integration/ops/operator";
import { signIn } from "@/tests/integration/ops/session";

/** Security headers and server-action CSRF refusal, on the production build. */
let db: TestDatabase;
let redis: RedisServerHandle;
let app: AppServer;
let operator: Operator;

beforeAll(async () => {
  db = await createTestDatabase("security");
  redis = await startRedisServer();
  operator = await createOperator(db, redis.url);
  app = await startAppServer(db.envVars({ REDIS_URL: redis.url }));
});
afterAll(async () => {
  await app?.stop();
  await redis?.stop();
  await db?.drop();
});

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

describe("security headers", () => {
  it("pages carry a nonce CSP that every script tag honours, and the static headers", async () => {
    const response = await fetch(`${app.url}/sign-in`);
    expect(response.status).toBe(200);
    const policy = response.headers.get("content-security-policy")!;
    const csp = directives(policy);
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy)?.[1];
    expect(nonce).toBeDefined();
    expect(csp.get("script-src")).toContain("'strict-dynamic'");
    expect(policy).not.toContain("unsafe-eval");
    expect(csp.get("script-src")).not.toContain("'unsafe-inline'");
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // A fresh nonce per request.
    const again = (await fetch(`${app.url}/sign-in`)).headers.get("content-security-policy")!;
    expect(again).not.toContain(nonce!);
  });

  it.each(["/", "/api/health", "/api/health/ready", "/no-such-page"])("%s has the static security headers and no x-powered-by", async (pathname) => {
    const response = await fetch(`${app.url}${pathname}`, { redirect: "manual" });
    await response.arrayBuffer();
    const h = response.headers;
    expect(h.get("strict-transport-security")).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(h.get("x-frame-options")).toBe("DENY");
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(h.get("permissions-policy")).toContain("camera=()");
    expect(h.get("x-powered-by")).toBeNull();
  });

  it("built assets get the static headers too", async () => {
    const html = await (await fetch(`${app.url}/sign-in`)).text();
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const response = await fetch(`${app.url}${asset}`);
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("server actions", () => {
  const distDir = path.resolve(import.meta.dirname, "../../..", process.env.NEXT_DIST_DIR || ".next");

  /** The id Next gave an exported server action, from the build's manifest. */
  function actionId(exportedName: string): string {
    const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "server-reference-manifest.json"), "utf8")) as {
      node: Record<string, { exportedName?: string }>;
    };
    const id = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === exportedName)?.[0];
    if (!id) throw new Error(`no server action ${exportedName} in the build`);
    return id;
  }

  const me = (cookie: string) => fetch(`${app.url}/api/v1/me`, { headers: { cookie } }).then((r) => r.status);

  async function postAction(id: string, cookie: string, origin: string) {
    const response = await fetch(`${app.url}/settings/password`, {
      method: "POST",
      headers: { "next-action": id, origin, cookie, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component" },
      body: "[]",
      redirect: "manual",
    });
    await response.arrayBuffer();
    return response;
  }

  it("refuses a server action posted from a foreign Origin (CSRF), and runs it from our own", async () => {
    const cookie = await signIn(app.url, operator.adminEmail, operator.adminPassword);
    expect(await me(cookie)).toBe(200);
    const signOut = actionId("signOutAction");

    const forged = await postAction(signOut, cookie, "https://attacker.example");
    // Refused before Next by the request checks (lib/server/3-request-checks.ts), as a 403.
    expect(forged.status).toBe(403);
    expect(await me(cookie)).toBe(200); // the session survived: the action never ran

    const genuine = await postAction(signOut, cookie, app.url);
    expect(genuine.status).toBeLessThan(400);
    expect(await me(cookie)).toBe(401); // same request from our origin signs out
  });

  it("refuses a server-action body above the 512 kB limit before running the action", async () => {
    const cookie = await signIn(app.url, operator.adminEmail, operator.adminPassword);
    const response = await fetch(`${app.url}/settings/password`, {
      method: "POST",
      headers: { "next-action": actionId("signOutAction"), origin: app.url, cookie, "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(["x".repeat(600 * 1024)]),
      redirect: "manual",
    });
    await response.arrayBuffer();
    // Next renders the refusal into the action's response as an error (500), not a 413.
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(app.output()).toMatch(/Body exceeded 512kb limit/);
    expect(await me(cookie)).toBe(200); // sign-out never ran
  });
});
