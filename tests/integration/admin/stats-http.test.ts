import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedisClient, quitClient } from "@/lib/redis/client";
import { keys } from "@/lib/redis/keys";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createUser, signIn } from "@/tests/support/auth";
import { createToken } from "@/tests/integration/admin/accounts";

let db: TestDatabase;
let app: AppServer;
let envVars: Record<string, string>;
let adminToken: string;
let viewerToken: string;
let viewer: { email: string; password: string };
let admin: { email: string; password: string };

beforeAll(async () => {
  db = await createTestDatabase("adminstats");
  envVars = db.envVars({ REDIS_URL: inject("redisUrl"), INSTANCE_ID: `stats-${Math.random().toString(36).slice(2, 8)}` });
  admin = await createUser(db, { role: "admin" });
  viewer = await createUser(db, { role: "viewer" });
  [adminToken, viewerToken] = await Promise.all([createToken(envVars, admin.email, ["admin"]), createToken(envVars, viewer.email, ["tables:read"])]);
  app = await startAppServer(envVars);
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const stats = (headers: Record<string, string> = {}) => fetch(`${app.url}/api/admin/stats`, { headers });

describe("GET /api/admin/stats", () => {
  it("answers 401 in the one error shape without credentials", async () => {
    const response = await stats();
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("unauthorized");
  });

  it("answers 403 to a viewer's token and a viewer's session", async () => {
    const byToken = await stats({ authorization: `Bearer ${viewerToken}` });
    expect(byToken.status).toBe(403);
    expect((await byToken.json()).error.code).toBe("forbidden");
    const bySession = await stats({ cookie: await signIn(app.url, viewer.email, viewer.password) });
    expect(bySession.status).toBe(403);
  });

  it("answers 401 to a token that does not exist", async () => {
    const response = await stats({ authorization: `Bearer slc_${"x".repeat(43)}` });
    expect(response.status).toBe(401);
  });

  it("gives an admin token pools, server view, history, fleet, health and rate limits", async () => {
    // The heartbeat writes its first sample at start; wait for a second one so the history has a rate.
    await new Promise((r) => setTimeout(r, 5500));
    const response = await stats({ authorization: `Bearer ${adminToken}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const text = await response.text();
    const body = JSON.parse(text);
    for (const role of ["readonly", "app", "admin"]) {
      expect(body.pools.local[role]).toMatchObject({ role, size: 10, min: 2, max: 10, health: "healthy" });
      expect(body.pools.local[role].idle).toBeGreaterThanOrEqual(0);
      expect(
        body.pools.server.applications.some((a: { role: string; instance: string }) => a.role === role && a.instance === envVars.INSTANCE_ID),
      ).toBe(true);
    }
    expect(body.pools.server.maxConnections).toBeGreaterThan(0);
    expect(body.history.samples.length).toBeGreaterThanOrEqual(2);
    expect(body.fleet.source).toBe("redis");
    expect(body.fleet.instances.map((b: { instance: string }) => b.instance)).toContain(envVars.INSTANCE_ID);
    expect(body.fleet.summary.instances).toBeGreaterThanOrEqual(1);
    expect(body.health.readiness.status).toBe("ok");
    expect(body.health.versions).toMatchObject({ app: "0.1.0", next: expect.stringMatching(/^16\./), node: process.version });
    expect(body.health.versions.postgres).toMatch(/^\d+/);
    expect(body.rateLimits.store).toBe("redis");
    expect(body.rateLimits.counters.minutes).toHaveLength(15);
    // The admin's own requests count against the api policy.
    expect(body.rateLimits.counters.totals.api.allowed).toBeGreaterThanOrEqual(1);
    for (const secret of Object.values(db.envVars()).filter((v) => v.length > 16)) expect(text).not.toContain(secret);
  });

  it("gives an admin session the same", async () => {
    const response = await stats({ cookie: await signIn(app.url, admin.email, admin.password) });
    expect(response.status).toBe(200);
    expect((await response.json()).pools.local.admin.role).toBe("admin");
  });

  it("on SIGTERM the instance leaves the fleet at once instead of after its TTL", async () => {
    const redis = createRedisClient({
      url: inject("redisUrl"),
      logger: { info: () => undefined, warn: () => undefined },
      connectionName: "fleet-sigterm-test",
    });
    try {
      const key = keys.fleetKey(envVars.INSTANCE_ID!);
      expect(await redis.exists(key)).toBe(1);
      expect(await app.stop()).toBe(0);
      expect(await redis.exists(key)).toBe(0);
    } finally {
      await quitClient(redis);
    }
  });
});
