import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { attemptSignIn, createToken, createUser, signIn, useAppEnvironment } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";

/** A production server whose Redis goes away: credentials are refused with 503, never let through. */
let db: TestDatabase;
let app: AppServer;
let redis: RedisServerHandle;

beforeAll(async () => {
  db = await createTestDatabase("auth_redis_http");
  redis = await startRedisServer();
  const vars = db.envVars({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: "300", RATE_LIMIT_TIMEOUT_MS: "200" });
  useAppEnvironment(vars);
  app = await startAppServer(vars);
});
afterAll(async () => {
  await app?.stop();
  await closePools();
  await closeRedis();
  await redis?.stop();
  await db?.drop();
});

describe("Redis down", () => {
  it("token and session requests get 503 in the error shape with Retry-After", async () => {
    const user = await createUser(db, { role: "analyst" });
    const { token } = await createToken(user);
    const cookie = await signIn(app.url, user.email, user.password);
    expect((await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${app.url}/api/v1/me`, { headers: { cookie } })).status).toBe(200);

    await redis.stop();
    for (const headers of [{ authorization: `Bearer ${token}` }, { cookie }] as Array<Record<string, string>>) {
      const response = await fetch(`${app.url}/api/v1/me`, { headers });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(await response.json()).toEqual({ error: { code: "unavailable", message: expect.stringMatching(/unavailable/) } });
    }
    // A signed-in page says the same in words instead of failing — with the status it shows, so
    // monitors and CDNs do not read it as a success (issue 13, item 7).
    for (const path of ["/settings/tokens", "/explore", "/admin"]) {
      const page = await fetch(`${app.url}${path}`, { headers: { cookie } });
      expect(page.status, path).toBe(503);
      expect(page.headers.get("retry-after"), path).toBe("5");
      expect(await page.text(), path).toContain("Cannot check your session right now");
    }
    // Sign-in fails closed: no session without Redis (proxy's per-IP limit or our per-account one refuses).
    const attempt = await attemptSignIn(app.url, user.email, user.password);
    expect(attempt.status).toBeGreaterThanOrEqual(400);
    expect(attempt.jar.header()).not.toMatch(/session-token/);
  });
});
