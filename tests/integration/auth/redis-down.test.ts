import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/core/errors";
import { authenticate } from "@/lib/auth/authenticate";
import { SESSION_COOKIE } from "@/lib/auth/session-cookie";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { closePools } from "@/lib/db/clients";
import { env } from "@/lib/env";
import { closeRedis } from "@/lib/redis/client";
import { createToken, createUser, useAppEnvironment } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";

/** With its own redis-server, so stopping it hurts no other test file. */
let db: TestDatabase;
let redisServer: RedisServerHandle;

beforeAll(async () => {
  db = await createTestDatabase("auth_redis_down");
  redisServer = await startRedisServer();
  useAppEnvironment(db.envVars({ REDIS_URL: redisServer.url, REDIS_COMMAND_TIMEOUT_MS: "300", RATE_LIMIT_TIMEOUT_MS: "200" }));
});
afterAll(async () => {
  await closePools();
  await closeRedis();
  await redisServer?.stop();
  await db?.drop();
});

describe("with Redis down, credentials fail closed", () => {
  it("token and session checks answer 503, never a caller and never a 500", async () => {
    const user = await createUser(db, { role: "analyst" });
    const { token } = await createToken(user);
    const signIn = await signInWithPassword({ email: user.email, password: user.password }, { ip: null, userAgent: null });
    if (!signIn.ok) throw new Error("sign-in failed");
    const jwt = await encode({ token: { sub: user.id, sid: signIn.user.sid }, secret: env().AUTH_SECRET!, maxAge: 60 });
    const withToken = new Request("http://sluice.test/", { headers: { authorization: `Bearer ${token}` } });
    const withCookie = new Request("http://sluice.test/", { headers: { cookie: `${SESSION_COOKIE}=${jwt}` } });
    expect(await authenticate(withToken)).toMatchObject({ userId: user.id });
    expect(await authenticate(withCookie)).toMatchObject({ userId: user.id });

    await redisServer.stop();
    for (const request of [withToken, withCookie]) {
      const started = performance.now();
      const error = await authenticate(request).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 503, code: "unavailable", headers: { "Retry-After": "5" } });
      expect(performance.now() - started).toBeLessThan(3000);
    }
    // Malformed credentials are still a plain 401: no Redis needed to refuse them.
    await expect(authenticate(new Request("http://sluice.test/", { headers: { authorization: "Bearer nope" } }))).rejects.toMatchObject({
      status: 401,
    });
    // Anonymous requests do not touch Redis at all.
    expect(await authenticate(new Request("http://sluice.test/"))).toBeNull();
    // Sign-in refuses (fail closed) instead of letting anyone in or erroring.
    expect(await signInWithPassword({ email: user.email, password: user.password }, { ip: null, userAgent: null })).toMatchObject({
      ok: false,
      reason: "unavailable",
    });
  });
});
