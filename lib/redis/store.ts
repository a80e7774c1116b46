import "server-only";
import { singleton } from "@/lib/core/singleton";
import type Redis from "ioredis";
import { consoleLogger, getRedis, whenReady, type RedisLogger } from "@/lib/redis/client";
import { MemoryStore } from "@/lib/redis/memory-store";
import { assertTtl, type KvStore } from "@/lib/redis/types";

// Atomic INCRBY + "expire only if no expiry yet". PEXPIRE … NX would do, but
// needs Redis ≥ 7 on every deployment; a script works everywhere.
const INCR_WITH_TTL = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value`;

export class RedisStore implements KvStore {
  readonly kind = "redis";

  constructor(private readonly client: Redis) {}

  async get(key: string) {
    await whenReady(this.client);
    return this.client.get(key);
  }

  async mget(keys: readonly string[]) {
    if (keys.length === 0) return [];
    await whenReady(this.client);
    return this.client.mget(...keys);
  }

  async set(key: string, value: string, options: { ttlMs?: number; onlyIfAbsent?: boolean } = {}) {
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    await whenReady(this.client);
    const { ttlMs, onlyIfAbsent } = options;
    let reply: string | null;
    if (ttlMs !== undefined && onlyIfAbsent) reply = await this.client.set(key, value, "PX", ttlMs, "NX");
    else if (ttlMs !== undefined) reply = await this.client.set(key, value, "PX", ttlMs);
    else if (onlyIfAbsent) reply = await this.client.set(key, value, "NX");
    else reply = await this.client.set(key, value);
    return reply === "OK";
  }

  async del(...keys: string[]) {
    if (keys.length === 0) return 0;
    await whenReady(this.client);
    return this.client.del(...keys);
  }

  async expire(key: string, ttlMs: number) {
    assertTtl(ttlMs);
    await whenReady(this.client);
    return (await this.client.pexpire(key, ttlMs)) === 1;
  }

  async pttl(key: string) {
    await whenReady(this.client);
    return this.client.pttl(key);
  }

  async incr(key: string, options: { by?: number; ttlMs?: number } = {}) {
    const by = options.by ?? 1;
    if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be an integer, got ${by}`);
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    await whenReady(this.client);
    const result = await this.client.eval(INCR_WITH_TTL, 1, key, by, options.ttlMs ?? 0);
    return Number(result);
  }

  async sAdd(key: string, members: readonly string[], options: { ttlMs?: number } = {}) {
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    if (members.length === 0) return 0;
    await whenReady(this.client);
    if (options.ttlMs === undefined) return this.client.sadd(key, ...members);
    const replies = await this.client
      .multi()
      .sadd(key, ...members)
      .pexpire(key, options.ttlMs)
      .exec();
    return Number(unwrapMulti(replies)[0]);
  }

  async sRem(key: string, members: readonly string[]) {
    if (members.length === 0) return 0;
    await whenReady(this.client);
    return this.client.srem(key, ...members);
  }

  async sMembers(key: string) {
    await whenReady(this.client);
    return this.client.smembers(key);
  }

  async hSet(key: string, fields: Readonly<Record<string, string>>, options: { ttlMs?: number } = {}) {
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    if (Object.keys(fields).length === 0) return;
    await whenReady(this.client);
    if (options.ttlMs === undefined) {
      await this.client.hset(key, fields);
      return;
    }
    unwrapMulti(await this.client.multi().hset(key, fields).pexpire(key, options.ttlMs).exec());
  }

  async hGetAll(key: string) {
    await whenReady(this.client);
    return this.client.hgetall(key);
  }

  async scanKeys(pattern: string, limit = 1000) {
    await whenReady(this.client);
    const found = new Set<string>();
    let cursor = "0";
    do {
      const [next, batch] = await this.client.scan(cursor, "MATCH", pattern, "COUNT", 500);
      for (const key of batch) {
        found.add(key);
        if (found.size >= limit) return [...found];
      }
      cursor = next;
    } while (cursor !== "0");
    return [...found];
  }
}

/** MULTI replies are [error, result] pairs; surface the first error instead of ignoring it. */
function unwrapMulti(replies: Array<[Error | null, unknown]> | null): unknown[] {
  if (!replies) throw new Error("redis transaction aborted");
  return replies.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

export interface StoreOptions {
  /** REDIS_URL; without it (outside production) the in-memory store is used. */
  redisUrl?: string;
  production: boolean;
  logger?: RedisLogger;
}

/**
 * The store of this process: Redis when a URL is given, else — in development
 * only — one in-memory store shared across hot reloads, announced loudly
 * because nothing in it survives a restart or is shared between processes.
 */
export function getStore(options: StoreOptions): KvStore {
  if (options.redisUrl) return new RedisStore(getRedis({ url: options.redisUrl, logger: options.logger }));
  if (options.production) throw new Error("REDIS_URL is required in production (no in-memory fallback there)");
  return singleton("__sluiceMemoryStore", () => {
    (options.logger ?? consoleLogger).warn(
      { store: "memory" },
      "!!! REDIS_URL is not set: sessions, API tokens, cache and rate limits live IN MEMORY — " +
        "lost on restart and not shared between processes. Development only. !!!",
    );
    return new MemoryStore();
  });
}
