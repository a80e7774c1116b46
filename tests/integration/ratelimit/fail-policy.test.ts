import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@/lib/db/embedded";
import { rateLimitHeaders } from "@/lib/ratelimit/headers";
import { createRedisRateLimiter, FAIL_CLOSED_RETRY_AFTER_S } from "@/lib/ratelimit/limiter";
import { resolvePolicies } from "@/lib/ratelimit/policies";
import { createRedisClient, quitClient } from "@/lib/redis/client";
import { createKeys } from "@/lib/redis/keys";
import { startRedisServer } from "@/tests/support/redis-server";

/**
 * Redis unreachable, stopped or stalled: every call still returns, quickly, with
 * the policy's fail mode — reads open, sign-in and token creation closed — and
 * each such decision is logged and counted. These tests use their own
 * redis-server so stopping or pausing it disturbs no other test file.
 */

const silent = { info: () => undefined, warn: () => undefined };
const policies = resolvePolicies();
const keys = createKeys(`fail-${randomUUID().slice(0, 8)}`);

function recordingLogger() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, logger: { warn: (obj: object, msg: string) => lines.push({ obj: obj as Record<string, unknown>, msg }) } };
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe("fail policy", () => {
  it("applies each policy's fail mode when Redis is unreachable — no throw, fast", async () => {
    const redis = createRedisClient({ url: `redis://127.0.0.1:${await freePort()}`, logger: silent });
    cleanups.push(() => quitClient(redis));
    const { lines, logger } = recordingLogger();
    const limiter = createRedisRateLimiter({ redis, policies, keys, logger });

    const { value: results, ms } = await timed(() =>
      Promise.all([
        limiter.limit("anonymous", "203.0.113.1"),
        limiter.limit("user", "u1"),
        limiter.limit("api", "t1"),
        limiter.limit("sql", "user:u1"),
        limiter.limit("sign-in-ip", "203.0.113.1"),
        limiter.limit("sign-in-account", "someone@example.com"),
        limiter.limit("token-create", "u1"),
      ]),
    );
    expect(ms).toBeLessThan(1500);
    const [anonymous, user, api, sql, signInIp, signInAccount, tokenCreate] = results;
    for (const open of [anonymous, user, api, sql]) expect(open).toMatchObject({ allowed: true, failed: "open" });
    for (const closed of [signInIp, signInAccount, tokenCreate]) {
      expect(closed).toMatchObject({ allowed: false, failed: "closed", retryAfterS: FAIL_CLOSED_RETRY_AFTER_S });
    }

    // Later calls, with Redis known to be down, do not even wait for a connect attempt.
    const again = await timed(() => limiter.limit("api", "t1"));
    expect(again.value.failed).toBe("open");
    expect(again.ms).toBeLessThan(100);

    // Logged, once per decision, with what was decided.
    expect(lines).toHaveLength(8);
    expect(lines.map((l) => l.obj.policy)).toContain("sign-in-account");
    expect(lines.find((l) => l.obj.policy === "token-create")?.obj.failMode).toBe("closed");
    expect(JSON.stringify(lines)).not.toContain("someone@example.com");

    // Counted in process (Redis being the thing that is down).
    const counts = limiter.localCounts();
    expect(counts.api["fail-open"]).toBe(2);
    expect(counts["sign-in-ip"]["fail-closed"]).toBe(1);
    expect(counts.api.allowed).toBe(0);

    // Headers: no invented numbers; a refusal says when to come back.
    expect(rateLimitHeaders(api!)).toEqual({});
    expect(rateLimitHeaders(tokenCreate!)).toEqual({ "Retry-After": String(FAIL_CLOSED_RETRY_AFTER_S) });
    await limiter.flush();
  });

  it("fails per policy when Redis stops, and recovers when it is back", async () => {
    const server = await startRedisServer();
    const redis = createRedisClient({ url: server.url, logger: silent });
    cleanups.push(() => quitClient(redis));
    const limiter = createRedisRateLimiter({ redis, policies, keys, logger: { warn: () => undefined } });

    expect(await limiter.limit("api", "t1")).toMatchObject({ allowed: true });
    expect((await limiter.limit("token-create", "u1")).failed).toBeUndefined();

    await server.stop();
    const { value, ms } = await timed(() => Promise.all([limiter.limit("api", "t1"), limiter.limit("token-create", "u1")]));
    expect(ms).toBeLessThan(1000);
    expect(value[0]).toMatchObject({ allowed: true, failed: "open" });
    expect(value[1]).toMatchObject({ allowed: false, failed: "closed" });

    const restarted = await startRedisServer(server.port);
    cleanups.push(restarted.stop);
    await expect.poll(async () => (await limiter.limit("token-create", "u2")).failed, { timeout: 10_000, interval: 200 }).toBeUndefined();
    await limiter.flush();
  });

  it("applies the fail mode when Redis stalls beyond the limiter's deadline, and counts it in Redis afterwards", async () => {
    const server = await startRedisServer();
    cleanups.push(server.stop);
    const redis = createRedisClient({ url: server.url, logger: silent });
    const admin = createRedisClient({ url: server.url, logger: silent });
    cleanups.push(
      () => quitClient(redis),
      () => quitClient(admin),
    );
    const limiter = createRedisRateLimiter({ redis, policies, keys, logger: { warn: () => undefined }, timeoutMs: 150 });
    await limiter.limit("api", "warm-up");

    await admin.call("CLIENT", "PAUSE", "700", "ALL");
    const { value, ms } = await timed(() => Promise.all([limiter.limit("api", "t1"), limiter.limit("sign-in-ip", "203.0.113.9")]));
    expect(ms).toBeLessThan(600);
    expect(value[0]).toMatchObject({ allowed: true, failed: "open" });
    expect(value[1]).toMatchObject({ allowed: false, failed: "closed" });

    // The counter writes were queued behind the pause and land once it ends.
    await limiter.flush();
    const counters = await limiter.counters({ minutes: 2 });
    expect(counters.totals.api["fail-open"]).toBe(1);
    expect(counters.totals["sign-in-ip"]["fail-closed"]).toBe(1);
    expect(counters.totals.api.allowed).toBe(1);
  });
});
