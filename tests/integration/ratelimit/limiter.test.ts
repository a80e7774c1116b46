import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { readRateLimitCounters } from "@/lib/ratelimit/counters";
import { rateLimitHeaders } from "@/lib/ratelimit/headers";
import { createRedisRateLimiter, type RateLimiter } from "@/lib/ratelimit/limiter";
import { resolvePolicies, type PolicyTable } from "@/lib/ratelimit/policies";
import { createRedisClient, quitClient } from "@/lib/redis/client";
import { createKeys } from "@/lib/redis/keys";
import { RedisTap } from "@/tests/support/redis-tap";

const silent = { info: () => undefined, warn: () => undefined };
const url = inject("redisUrl");
const keys = createKeys(`limiter-${randomUUID().slice(0, 8)}`);
const redisA = createRedisClient({ url, logger: silent, connectionName: "limiter-test-a" });
const redisB = createRedisClient({ url, logger: silent, connectionName: "limiter-test-b" });

afterAll(async () => {
  const leftovers: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redisA.scan(cursor, "MATCH", `${keys.root}*`, "COUNT", 1000);
    leftovers.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  if (leftovers.length) await redisA.del(...leftovers);
  await Promise.all([quitClient(redisA), quitClient(redisB)]);
});

// Hour-long windows: a burst never straddles a window boundary, so the count is exact.
const hourly = (limit: number): PolicyTable => resolvePolicies({ RATE_LIMIT_API_LIMIT: String(limit), RATE_LIMIT_API_WINDOW_S: "3600" });

const limiterOn = (redis: typeof redisA, policies: PolicyTable): RateLimiter =>
  // The clock is read per call (not captured), so tests that pin Date see it move.
  createRedisRateLimiter({ redis, policies, keys, logger: { warn: () => undefined }, timeoutMs: 2000, now: () => Date.now() });

const allowedCount = (decisions: Array<{ allowed: boolean }>) => decisions.filter((d) => d.allowed).length;

describe("limiter exactness under concurrency", () => {
  it.each([1, 7, 25, 60])("lets exactly N = %i of 5·N concurrent calls through", async (n) => {
    const limiter = limiterOn(redisA, hourly(n));
    const id = `exact-${randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 5 * n }, () => limiter.limit("api", id)));
    expect(allowedCount(decisions)).toBe(n);
    expect(decisions.every((d) => d.failed === undefined)).toBe(true);
    const remaining = decisions
      .filter((d) => d.allowed)
      .map((d) => d.remaining)
      .sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: n }, (_, i) => i));
    await limiter.flush();
  });

  it("stays exact across two separate Redis connections", async () => {
    const n = 30;
    const policies = hourly(n);
    const [a, b] = [limiterOn(redisA, policies), limiterOn(redisB, policies)];
    const id = `two-clients-${randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 5 * n }, (_, i) => (i % 2 ? a : b).limit("api", id)));
    expect(allowedCount(decisions)).toBe(n);
    await Promise.all([a.flush(), b.flush()]);
  });

  it("is exact with the fixed-window algorithm too", async () => {
    const base = hourly(12);
    const policies: PolicyTable = { ...base, api: { ...base.api, algorithm: "fixed-window" } };
    const limiter = limiterOn(redisA, policies);
    const id = `fixed-${randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 60 }, () => limiter.limit("api", id)));
    expect(allowedCount(decisions)).toBe(12);
    await limiter.flush();
  });

  it("keeps identifiers and policies apart", async () => {
    const limiter = limiterOn(redisA, resolvePolicies({ RATE_LIMIT_API_LIMIT: "1", RATE_LIMIT_USER_LIMIT: "1" }));
    const id = randomUUID();
    expect((await limiter.limit("api", id)).allowed).toBe(true);
    expect((await limiter.limit("api", id)).allowed).toBe(false);
    expect((await limiter.limit("api", `${id}-other`)).allowed).toBe(true);
    expect((await limiter.limit("user", id)).allowed).toBe(true);
    await limiter.flush();
  });
});

/**
 * Runs `fn` with the clock (Date only: timers and Redis stay real) pinned to
 * `offsetMs` into a window of `windowMs`, well in the future so no earlier key
 * can exist; `at(ms)` moves it. The library reads Date.now() for the window.
 */
async function onPinnedClock(windowMs: number, fn: (at: (offsetMs: number) => void) => Promise<void>) {
  const base = (Math.floor(Date.now() / windowMs) + 1000) * windowMs;
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    await fn((offsetMs) => vi.setSystemTime(base + offsetMs));
  } finally {
    vi.useRealTimers();
  }
}

describe("at a window edge", () => {
  it("admits nothing extra right after the boundary when the previous window spent the budget", async () => {
    const windowMs = 60_000;
    const limiter = limiterOn(redisA, resolvePolicies({ RATE_LIMIT_API_LIMIT: "8", RATE_LIMIT_API_WINDOW_S: "60" }));
    const id = `edge-${randomUUID()}`;
    await onPinnedClock(windowMs, async (at) => {
      at(windowMs - 20); // the last moments of one window
      expect(allowedCount(await Promise.all(Array.from({ length: 12 }, () => limiter.limit("api", id))))).toBe(8);
      // 10 ms into the next: the previous window still weighs 8 × (1 − 10/60000) ≈ 7.998 —
      // the whole budget. Rounding that down to 7 admitted a ninth request at every edge.
      at(windowMs + 10);
      expect(allowedCount(await Promise.all(Array.from({ length: 12 }, () => limiter.limit("api", id))))).toBe(0);
      // One eighth of the window later one request's worth has slid out, and exactly one is admitted.
      at(windowMs + windowMs / 8 + 10);
      expect(allowedCount(await Promise.all(Array.from({ length: 12 }, () => limiter.limit("api", id))))).toBe(1);
      // Two windows on, the whole budget is back.
      at(3 * windowMs + 10);
      expect(allowedCount(await Promise.all(Array.from({ length: 12 }, () => limiter.limit("api", id))))).toBe(8);
    });
    await limiter.flush();
  });
});

describe("windows and headers", () => {
  it("gives the budget back once the window has passed", async () => {
    const limiter = limiterOn(redisA, resolvePolicies({ RATE_LIMIT_API_LIMIT: "3", RATE_LIMIT_API_WINDOW_S: "1" }));
    const id = `reset-${randomUUID()}`;
    // On a pinned clock: the burst lands in one window however slow the machine is.
    await onPinnedClock(1000, async (at) => {
      at(100);
      const first = await Promise.all(Array.from({ length: 6 }, () => limiter.limit("api", id)));
      expect(allowedCount(first)).toBe(3);
      const refused = first.find((d) => !d.allowed);
      expect(refused?.retryAfterS).toBe(1);

      // Sliding window: the previous window still weighs in during the next one; two windows on it is all back.
      at(1100);
      expect(allowedCount(await Promise.all(Array.from({ length: 6 }, () => limiter.limit("api", id))))).toBe(0);
      at(2100);
      const later = await Promise.all(Array.from({ length: 6 }, () => limiter.limit("api", id)));
      expect(allowedCount(later)).toBe(3);
    });
    await limiter.flush();
  });

  it("produces correct header values", async () => {
    const limiter = limiterOn(redisA, hourly(3));
    const id = `headers-${randomUUID()}`;
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await limiter.limit("api", id));
    const now = Date.now();
    const headers = decisions.map((d) => rateLimitHeaders(d, now));

    expect(headers.map((h) => h["RateLimit-Remaining"])).toEqual(["2", "1", "0", "0"]);
    for (const h of headers) {
      expect(h["RateLimit-Limit"]).toBe("3");
      expect(h["X-RateLimit-Limit"]).toBe("3");
      const reset = Number(h["RateLimit-Reset"]);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(3600);
      // Both Reset headers name the same instant, as delta and as Unix time.
      expect(Math.abs(Number(h["X-RateLimit-Reset"]) - Math.ceil(now / 1000) - reset)).toBeLessThanOrEqual(1);
    }
    expect(headers.slice(0, 3).every((h) => h["Retry-After"] === undefined)).toBe(true);
    const retryAfter = Number(headers[3]?.["Retry-After"]);
    expect(retryAfter).toBe(decisions[3]?.retryAfterS);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    await limiter.flush();
  });

  it("asks Redis every time (no in-process block cache hiding its state)", async () => {
    const limiter = limiterOn(redisA, hourly(1));
    const id = `no-cache-${randomUUID()}`;
    expect((await limiter.limit("api", id)).allowed).toBe(true);
    expect((await limiter.limit("api", id)).allowed).toBe(false);
    // An operator clears the limit in Redis: the very next call must see it.
    const stale = await redisA.keys(`${keys.rateLimitPrefix("api")}:${id}:*`);
    expect(stale.length).toBeGreaterThan(0);
    await redisA.del(...stale);
    expect((await limiter.limit("api", id)).allowed).toBe(true);
    await limiter.flush();
  });

  it("accepts any identifier, hashing the odd ones into bounded keys", async () => {
    const limiter = limiterOn(redisA, hourly(1));
    const odd = `${"x".repeat(500)} weird*[chars]@example.com`;
    expect((await limiter.limit("api", odd)).allowed).toBe(true);
    expect((await limiter.limit("api", odd)).allowed).toBe(false);
    const stored = await redisA.keys(`${keys.rateLimitPrefix("api")}:sha256-*`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((key) => key.length < 200)).toBe(true);
    await limiter.flush();
  });
});

describe("dashboard counters", () => {
  it("counts allowed and limited per policy per minute in Redis, visible to every instance", async () => {
    const countersKeys = createKeys(`counters-${randomUUID().slice(0, 8)}`);
    const policies = resolvePolicies({ RATE_LIMIT_SQL_LIMIT: "4", RATE_LIMIT_SQL_WINDOW_S: "3600" });
    const make = (redis: typeof redisA) => createRedisRateLimiter({ redis, policies, keys: countersKeys, logger: { warn: () => undefined } });
    const [a, b] = [make(redisA), make(redisB)];
    const id = randomUUID();
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).limit("sql", id)));
    await Promise.all([a.flush(), b.flush()]);

    const counters = await a.counters({ minutes: 5 });
    expect(counters.totals.sql).toEqual({ allowed: 4, limited: 6, "fail-open": 0, "fail-closed": 0 });
    expect(counters.totals.api.allowed).toBe(0);
    expect(counters.minutes).toHaveLength(5);
    const currentMinute = Math.floor(Date.now() / 60_000) * 60_000;
    expect(currentMinute - (counters.minutes.at(-1) ?? 0)).toBeLessThanOrEqual(60_000);
    expect((counters.series.sql.allowed.at(-1) ?? 0) + (counters.series.sql.allowed.at(-2) ?? 0)).toBe(4);

    // Who was refused, for the dashboard: the one identifier, six times, under the sql policy.
    expect(counters.topLimited).toEqual([{ policy: "sql", identifier: id, count: 6 }]);

    // The same numbers through the standalone reader the admin API would use.
    expect((await readRateLimitCounters(redisB, countersKeys, { minutes: 5 })).totals.sql).toEqual(counters.totals.sql);
    // And each process keeps its own share.
    expect(a.localCounts().sql.allowed + b.localCounts().sql.allowed).toBe(4);

    const counterKeys = await redisA.keys(`${countersKeys.root}rlc:*`);
    expect(counterKeys.length).toBeGreaterThan(0);
    for (const key of counterKeys) {
      const ttl = await redisA.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
    await redisA.del(...(await redisA.keys(`${countersKeys.root}*`)));
  });
});

describe("limitWith: a read of the caller's own in the same round trip", () => {
  const echo = (key: string) => ({
    queue: (pipeline: import("ioredis").ChainableCommander) => void pipeline.get(key),
    parse: async ([error, reply]: [Error | null, unknown]) => {
      if (error) throw error;
      return reply as string | null;
    },
    alone: async () => `alone:${await redisA.get(key)}`,
  });

  it("sends the read and the limit's script in one pipeline, and counts exactly as limit() does", async () => {
    const tap = await RedisTap.start(url);
    const redis = createRedisClient({ url: tap.url(), logger: silent, connectionName: "limiter-test-tap" });
    try {
      const limiter = limiterOn(redis, hourly(3));
      const id = `with-${randomUUID()}`;
      const key = `${keys.root}probe:${randomUUID()}`;
      await redisA.set(key, "the caller's record");
      await limiter.limit("api", `warm-${randomUUID()}`); // the library's script prepared in this process
      const from = tap.chunks.length;
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.limitWith("api", id, echo(key)));
      const chunks = tap.since(from).filter((chunk) => chunk.commands.some(([name]) => name === "GET" || name === "EVALSHA"));
      expect(chunks.map((chunk) => chunk.commands.map(([name]) => name))).toEqual(Array(4).fill(["GET", "EVALSHA"]));
      expect(results.map((r) => r.decision.allowed)).toEqual([true, true, true, false]);
      expect(results.every((r) => r.alongside.ok && r.alongside.value === "the caller's record")).toBe(true);
      // Control: the same budget through limit() is spent too.
      expect((await limiter.limit("api", id)).allowed).toBe(false);
      await limiter.flush();
    } finally {
      await quitClient(redis);
      await tap.stop();
    }
  });

  it("after SCRIPT FLUSH the held call is retried with the full script: still one count each", async () => {
    const limiter = limiterOn(redisA, hourly(2));
    const id = `flush-${randomUUID()}`;
    await limiter.limit("api", `warm-${randomUUID()}`);
    await redisA.script("FLUSH");
    const first = await limiter.limitWith("api", id, echo(`${keys.root}absent`));
    expect(first.decision).toMatchObject({ allowed: true, remaining: 1 });
    expect(first.alongside).toEqual({ ok: true, value: null });
    expect((await limiter.limitWith("api", id, echo(`${keys.root}absent`))).decision).toMatchObject({ allowed: true, remaining: 0 });
    expect((await limiter.limit("api", id)).allowed).toBe(false);
    await limiter.flush();
  });

  it("a read that fails is reported, and the decision stands", async () => {
    const limiter = limiterOn(redisA, hourly(5));
    const key = `${keys.root}not-a-string:${randomUUID()}`;
    await redisA.sadd(key, "x");
    const { decision, alongside } = await limiter.limitWith("api", `fail-${randomUUID()}`, echo(key));
    expect(decision.allowed).toBe(true);
    expect(alongside.ok).toBe(false);
    expect(String((alongside as { error: unknown }).error)).toMatch(/WRONGTYPE/);
    await redisA.del(key);
    await limiter.flush();
  });
});
