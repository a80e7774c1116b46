import { randomUUID } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { afterAll, describe, expect, inject, it } from "vitest";
import { asUpstashRedis, IoredisRatelimitAdapter } from "@/lib/ratelimit/ioredis-adapter";
import { createRedisClient, quitClient } from "@/lib/redis/client";
import { createKeys } from "@/lib/redis/keys";
import { startRedisServer } from "@/tests/support/redis-server";

/** The @upstash/ratelimit ≥ 2.1 shebang against a stock Redis 7.0, end to end. */

const silent = { info: () => undefined, warn: () => undefined };
const redis = createRedisClient({ url: inject("redisUrl"), logger: silent });
const keys = createKeys(`adapter-${randomUUID().slice(0, 8)}`);
const prefix = keys.rateLimitPrefix("adapter");

afterAll(async () => {
  const leftovers = await redis.keys(`${keys.root}*`);
  if (leftovers.length) await redis.del(...leftovers);
  await quitClient(redis);
});

/** Remembers the scripts the library sends, to replay them raw. */
class RecordingAdapter extends IoredisRatelimitAdapter {
  readonly sent: string[] = [];
  override eval<T>(script: string, keys: readonly string[], args: readonly unknown[]) {
    this.sent.push(script);
    return super.eval<T>(script, keys, args as never);
  }
}

function ratelimit(adapter: IoredisRatelimitAdapter, limiter: ReturnType<typeof Ratelimit.slidingWindow>) {
  return new Ratelimit({
    redis: asUpstashRedis(adapter),
    limiter,
    prefix,
    ephemeralCache: false,
    timeout: 0,
    enableTelemetry: false,
  });
}

async function serverVersion(client: typeof redis): Promise<string> {
  const info = await client.info("server");
  return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
}

describe("ioredis adapter for @upstash/ratelimit", () => {
  it("shows the problem: the library's scripts, sent as they are, are refused by Redis 7.0", async () => {
    const adapter = new RecordingAdapter(redis);
    await ratelimit(adapter, Ratelimit.slidingWindow(5, "10 s")).limit(`probe-${randomUUID()}`);
    const original = adapter.sent[0];
    expect(original?.startsWith("#!lua flags=allow-key-locking")).toBe(true);

    const raw = await redis.eval(original ?? "", 2, `${prefix}:probe:1`, `${prefix}:probe:0`, 5, Date.now(), 10_000, 1).then(
      () => undefined,
      (error: Error) => error,
    );
    if ((await serverVersion(redis)).startsWith("7.0.")) {
      expect(raw?.message).toMatch(/Unexpected flag in script shebang/);
    }
  });

  it.each([
    ["sliding window", Ratelimit.slidingWindow(3, "60 s")],
    ["fixed window", Ratelimit.fixedWindow(3, "60 s")],
    ["token bucket", Ratelimit.tokenBucket(1, "60 s", 3)],
  ])("runs the %s algorithm through the adapter", async (_name, algorithm) => {
    const limiter = ratelimit(new IoredisRatelimitAdapter(redis), algorithm);
    const id = randomUUID();
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await limiter.limit(id));
    expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[0]?.limit).toBe(3);
    expect(results[0]?.reset).toBeGreaterThan(Date.now());
    const remaining = await limiter.getRemaining(id);
    expect(remaining.remaining).toBe(0);
  });

  it("maps the library's SHA onto the stripped script, so the steady state is one EVALSHA", async () => {
    const adapter = new IoredisRatelimitAdapter(redis);
    const limiter = ratelimit(adapter, Ratelimit.slidingWindow(100, "60 s"));
    for (let i = 0; i < 10; i += 1) await limiter.limit(`sha-${i}`);
    // First call: unknown SHA passed through → NOSCRIPT → library falls back to eval → mapped.
    expect(adapter.stats.passedThrough).toBe(1);
    expect(adapter.stats.mapped).toBe(9);
    expect(adapter.stats.fullEvals).toBeLessThanOrEqual(1);
  });

  it("recovers by itself when Redis forgets its scripts (SCRIPT FLUSH, restart)", async () => {
    const server = await startRedisServer();
    const client = createRedisClient({ url: server.url, logger: silent });
    try {
      const adapter = new IoredisRatelimitAdapter(client);
      const limiter = ratelimit(adapter, Ratelimit.slidingWindow(100, "60 s"));
      await limiter.limit("a");
      await limiter.limit("a");
      const before = adapter.stats.fullEvals;
      await client.script("FLUSH");
      const result = await limiter.limit("a");
      expect(result).toMatchObject({ success: true, remaining: 97 });
      expect(adapter.stats.fullEvals).toBe(before + 1);
      expect(adapter.stats.passedThrough).toBe(1);
    } finally {
      await quitClient(client);
      await server.stop();
    }
  });

  it("passes shebang-free scripts (the library's reset) through untouched", async () => {
    const limiter = ratelimit(new IoredisRatelimitAdapter(redis), Ratelimit.fixedWindow(1, "60 s"));
    const id = randomUUID();
    await limiter.limit(id);
    expect((await limiter.limit(id)).success).toBe(false);
    await limiter.resetUsedTokens(id);
    await expect.poll(async () => (await limiter.limit(id)).success).toBe(true);
  });

  it("reads and writes plain values the way the Upstash client does", async () => {
    const adapter = new IoredisRatelimitAdapter(redis);
    const key = `${prefix}:kv:${randomUUID()}`;
    expect(await adapter.set(key, 42, { px: 10_000 })).toBe("OK");
    expect(await adapter.get<number>(key)).toBe(42);
    expect(await adapter.set(key, "again", { nx: true })).toBeNull();
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    await redis.del(key);
  });
});
