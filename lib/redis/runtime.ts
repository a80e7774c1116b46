import "server-only";
import type Redis from "ioredis";
import { env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { getRedis, redisPing } from "@/lib/redis/client";
import { getStore } from "@/lib/redis/store";
import type { KvStore } from "@/lib/redis/types";

/**
 * This process's Redis, wired from the environment: the shared ioredis client
 * when REDIS_URL is set, else (development only) the in-memory fallback.
 */
const redisLog = log.child({ component: "redis" });

export function appRedis(): Redis | null {
  const config = env();
  if (!config.REDIS_URL) return null;
  return getRedis({
    url: config.REDIS_URL,
    connectTimeoutMs: config.REDIS_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    connectionName: "sluice",
    logger: redisLog,
  });
}

export function appStore(): KvStore {
  const redis = appRedis();
  const config = env();
  return getStore({ redisUrl: redis ? config.REDIS_URL : undefined, production: config.NODE_ENV === "production", logger: redisLog });
}

/** For /api/health/ready: PING with latency, or the development fallback named as such. */
export async function redisReadiness(): Promise<{ ok: boolean; latencyMs?: number; error?: string; mode: string }> {
  const redis = appRedis();
  if (!redis) return { ok: true, mode: "memory (development only)" };
  const health = await redisPing(redis);
  return health.ok
    ? { ok: true, latencyMs: health.latencyMs, mode: "redis" }
    : { ok: false, latencyMs: health.latencyMs, error: health.error, mode: "redis" };
}
