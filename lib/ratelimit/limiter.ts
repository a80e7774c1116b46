import "server-only";
import type Redis from "ioredis";
import { Ratelimit } from "@upstash/ratelimit";
import { keys as defaultKeys, type RateLimitDecisionKind, type RedisKeys } from "@/lib/redis/keys";
import { asUpstashRedis, IoredisRatelimitAdapter, type HeldCommand } from "@/lib/ratelimit/ioredis-adapter";
import { whenReady } from "@/lib/redis/client";
import { isNoScript } from "@/lib/redis/scripts";
import { minuteBucket, readRateLimitCounters, recordDecisions } from "@/lib/ratelimit/counters";
import { DecisionBatch } from "@/lib/ratelimit/decision-batch";
import {
  consoleRateLimitLogger,
  DEFAULT_LIMIT_TIMEOUT_MS,
  emptyLocalCounts,
  failDecision,
  normaliseIdentifier,
  retryAfterSeconds,
  settle,
  type RateLimiter,
  type RateLimitLogger,
} from "@/lib/ratelimit/decision";
import { createMemoryRateLimiter } from "@/lib/ratelimit/memory-limiter";
import type { PolicyName, PolicyTable, RateLimitPolicy } from "@/lib/ratelimit/policies";

/** How long dashboard counts gather in process before one write carries them to Redis. */
const COUNTER_WRITE_INTERVAL_MS = 1000;

export type { Alongside, LocalCounts, RateLimitDecision, RateLimiter, RateLimitLogger, Settled } from "@/lib/ratelimit/decision";
export { DEFAULT_LIMIT_TIMEOUT_MS, FAIL_CLOSED_RETRY_AFTER_S } from "@/lib/ratelimit/decision";
export { createMemoryRateLimiter } from "@/lib/ratelimit/memory-limiter";

class LimiterTimeoutError extends Error {
  constructor(ms: number) {
    super(`rate limiter did not answer within ${ms} ms`);
    this.name = "LimiterTimeoutError";
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimiterTimeoutError(ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export interface RedisRateLimiterOptions {
  redis: Redis;
  policies: PolicyTable;
  /** Namespaced keys for tests or shared Redis; default `sluice:`. */
  keys?: RedisKeys;
  /** Our deadline per call (RATE_LIMIT_TIMEOUT_MS); below ioredis' command timeout. */
  timeoutMs?: number;
  logger?: RateLimitLogger;
  now?: () => number;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { redis, policies } = options;
  const keys = options.keys ?? defaultKeys;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LIMIT_TIMEOUT_MS;
  const logger = options.logger ?? consoleRateLimitLogger;
  const now = options.now ?? Date.now;
  const adapter = new IoredisRatelimitAdapter(redis);
  const instances = new Map<PolicyName, Ratelimit>();
  const local = emptyLocalCounts();
  const pending = new Set<Promise<void>>();

  const instanceFor = (policy: RateLimitPolicy): Ratelimit => {
    let instance = instances.get(policy.name);
    if (!instance) {
      const window = `${policy.windowMs} ms` as const;
      instance = new Ratelimit({
        redis: asUpstashRedis(adapter),
        limiter: policy.algorithm === "fixed-window" ? Ratelimit.fixedWindow(policy.limit, window) : Ratelimit.slidingWindow(policy.limit, window),
        prefix: keys.rateLimitPrefix(policy.name),
        // Its in-process "blocked" cache answers without Redis, hiding outages and
        // other instances' state; its own timeout silently *allows*. We decide both.
        ephemeralCache: false,
        timeout: 0,
        analytics: false,
        enableTelemetry: false,
      });
      instances.set(policy.name, instance);
    }
    return instance;
  };

  // Dashboard counters are best effort and off the request path: gathered in
  // process and written once a second (and on flush()); a failed write must
  // never change a decision.
  const batch = new DecisionBatch();
  let writeTimer: NodeJS.Timeout | null = null;
  const writeBatch = () => {
    if (writeTimer) clearTimeout(writeTimer);
    writeTimer = null;
    if (batch.empty) return;
    const write = recordDecisions(redis, keys, batch.drain()).catch(() => undefined);
    pending.add(write);
    void write.finally(() => pending.delete(write));
  };
  const count = (policy: PolicyName, decision: RateLimitDecisionKind, at: number, identifier?: string) => {
    local[policy][decision] += 1;
    batch.add(policy, decision, minuteBucket(at), identifier);
    writeTimer ??= setTimeout(writeBatch, COUNTER_WRITE_INTERVAL_MS).unref();
  };

  const decide = async (policyName: PolicyName, identifier: string, run: (instance: Ratelimit, id: string) => ReturnType<Ratelimit["limit"]>) => {
    const policy = policies[policyName];
    const id = normaliseIdentifier(identifier);
    try {
      const result = await withTimeout(run(instanceFor(policy), id), timeoutMs);
      const at = now();
      count(policy.name, result.success ? "allowed" : "limited", at, id);
      return {
        policy: policy.name,
        allowed: result.success,
        limit: result.limit,
        remaining: Math.max(0, result.remaining),
        resetMs: result.reset,
        retryAfterS: result.success ? 0 : retryAfterSeconds(result.reset, at),
      };
    } catch (error) {
      const at = now();
      const decision = failDecision(policy, at);
      count(policy.name, decision.failed === "open" ? "fail-open" : "fail-closed", at);
      logger.warn(
        {
          policy: policy.name,
          failMode: policy.failMode,
          err: error instanceof Error ? error.message : String(error),
          failuresInProcess: local[policy.name][decision.failed === "open" ? "fail-open" : "fail-closed"],
        },
        `rate limiter unavailable; policy ${policy.name} fails ${policy.failMode}`,
      );
      return decision;
    }
  };

  return {
    kind: "redis",
    limit: (policyName, identifier) => decide(policyName, identifier, (instance, id) => instance.limit(id)),
    async limitWith(policyName, identifier, alongside) {
      // The library's script call is held back and sent in one pipeline after the caller's read.
      let held: HeldCommand[] = [];
      const decision = decide(policyName, identifier, (instance, id) => {
        const hold = adapter.hold(() => instance.limit(id));
        held = hold.held;
        return hold.result;
      });
      const pipeline = redis.pipeline();
      alongside.queue(pipeline);
      adapter.queueHeld(pipeline, held);
      const replies = whenReady(redis).then(async () => (await pipeline.exec()) ?? Promise.reject(new Error("redis pipeline aborted")));
      void replies.then(
        (all) => held.forEach((command, i) => adapter.settleHeld(command, all[i + 1] as [Error | null, unknown])),
        (error: unknown) => held.forEach((command) => command.reject(error)),
      );
      // Settled at once: a failed read must not sit unhandled while the decision is awaited.
      const read = settle(
        withTimeout(
          replies.then((all) => {
            const reply = all[0] as [Error | null, unknown];
            return isNoScript(reply[0]) ? alongside.alone() : alongside.parse(reply);
          }),
          timeoutMs,
        ),
      );
      return { decision: await decision, alongside: await read };
    },
    async counters(opts) {
      // This instance's unwritten counts first, so its own dashboard is never a second behind.
      writeBatch();
      await Promise.allSettled([...pending]);
      return readRateLimitCounters(redis, keys, { minutes: opts?.minutes, now: now() });
    },
    localCounts: () => structuredClone(local),
    async flush() {
      writeBatch();
      await Promise.allSettled([...pending]);
    },
  };
}

export interface RateLimiterOptions extends Omit<RedisRateLimiterOptions, "redis"> {
  /** The shared client when REDIS_URL is set; absent → in-memory limiter (development only). */
  redis?: Redis;
  production: boolean;
}

/** Redis-backed limiter, or in development without Redis the exact in-memory one (announced loudly). */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (options.redis) return createRedisRateLimiter({ ...options, redis: options.redis });
  if (options.production) throw new Error("REDIS_URL is required in production (rate limits must be shared)");
  (options.logger ?? consoleRateLimitLogger).warn(
    { limiter: "memory" },
    "!!! REDIS_URL is not set: rate limits are kept IN MEMORY, per process. Development only. !!!",
  );
  return createMemoryRateLimiter({ policies: options.policies, now: options.now });
}
