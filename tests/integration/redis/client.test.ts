import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { freePort } from "@/lib/db/embedded";
import {
  closeRedis,
  configureRedis,
  createRedisClient,
  getRedis,
  isRedisUnavailable,
  quitClient,
  redactRedisUrl,
  redisPing,
  type RedisLogger,
} from "@/lib/redis/client";
import { RedisStore } from "@/lib/redis/store";
import { startRedisServer } from "@/tests/support/redis-server";

const redisUrl = inject("redisUrl");
const silent: RedisLogger = { info: () => undefined, warn: () => undefined };

function recordingLogger() {
  const lines: string[] = [];
  const logger: RedisLogger = { info: (_o, msg) => lines.push(`info ${msg}`), warn: (_o, msg) => lines.push(`warn ${msg}`) };
  return { lines, logger };
}

const clients: Array<ReturnType<typeof createRedisClient>> = [];
function client(url: string, logger: RedisLogger = silent) {
  const created = createRedisClient({ url, logger, connectionName: "client-test" });
  clients.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => quitClient(c)));
});

describe("shared client", () => {
  afterEach(() => closeRedis());

  it("is one instance per process, also through configureRedis", async () => {
    configureRedis({ url: redisUrl, logger: silent });
    const a = getRedis();
    expect(getRedis()).toBe(a);
    expect(getRedis({ url: redisUrl })).toBe(a);
    expect(() => getRedis({ url: "redis://127.0.0.1:1" })).toThrow(/different URL/);
    await closeRedis();
    await expect.poll(() => a.status).toBe("end");
    expect(getRedis()).not.toBe(a);
  });

  it("answers the readiness check with a latency", async () => {
    const health = await redisPing(getRedis({ url: redisUrl, logger: silent }));
    expect(health).toMatchObject({ ok: true });
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.latencyMs).toBeLessThan(1000);
  });
});

describe("failing fast", () => {
  it("reports an unreachable Redis quickly instead of hanging", async () => {
    const dead = client(`redis://127.0.0.1:${await freePort()}`);
    const started = Date.now();
    const health = await redisPing(dead);
    expect(health.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);

    const store = new RedisStore(dead);
    const again = Date.now();
    const error = await store.get("x").catch((e: unknown) => e);
    expect(isRedisUnavailable(error)).toBe(true);
    expect(Date.now() - again).toBeLessThan(200);
  });

  it("fails commands at once while Redis is down and heals when it returns, logging each once", async () => {
    const server = await startRedisServer();
    const { lines, logger } = recordingLogger();
    const redis = client(server.url, logger);
    const store = new RedisStore(redis);
    await store.set("k", "v");

    await server.stop();
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.get("k")));
    expect(results.every((r) => r.status === "rejected" && isRedisUnavailable(r.reason))).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);

    const restarted = await startRedisServer(server.port);
    try {
      await expect.poll(async () => (await redisPing(redis)).ok, { timeout: 10_000, interval: 100 }).toBe(true);
      expect(await store.set("k2", "v2")).toBe(true);
      expect(lines.filter((l) => l.startsWith("warn"))).toHaveLength(1);
      expect(lines).toContain("info redis connection restored");
    } finally {
      await quitClient(redis);
      await restarted.stop();
    }
  });

  it("bounds a command on a stalled server by the command timeout", async () => {
    const server = await startRedisServer();
    const redis = createRedisClient({ url: server.url, logger: silent, commandTimeoutMs: 300 });
    const admin = client(server.url);
    try {
      await redisPing(redis);
      await admin.call("CLIENT", "PAUSE", "2000", "ALL");
      const started = Date.now();
      const error = await redis.get("x").catch((e: unknown) => e);
      expect(isRedisUnavailable(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});

describe("redactRedisUrl", () => {
  it("hides the password", () => {
    expect(redactRedisUrl("redis://user:s3cret@host:6379/0")).toBe("redis://user:***@host:6379/0");
    expect(redactRedisUrl("not a url")).not.toContain("not a url");
  });
});

describe("startup", () => {
  it("accepts commands issued right after creating the client", async () => {
    const fresh = client(redisUrl);
    expect(await fresh.ping()).toBe("PONG");
    expect(fresh.options.enableOfflineQueue).toBe(false);
  });
});
