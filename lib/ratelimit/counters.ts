import "server-only";
import type Redis from "ioredis";
import { RATE_LIMIT_DECISIONS, type RateLimitDecisionKind, type RedisKeys } from "@/lib/redis/keys";
import { whenReady } from "@/lib/redis/client";
import type { DecisionBatch } from "@/lib/ratelimit/decision-batch";
import { POLICY_NAMES, type PolicyName } from "@/lib/ratelimit/policies";

/**
 * Per-policy decision counts per minute, kept in Redis so the admin dashboard
 * sees the whole fleet, not one instance. One small string key per
 * (policy, decision, minute), expiring after an hour: cheap INCRs on the hot
 * path and a single MGET to draw the chart.
 */

export const COUNTER_TTL_S = 3600;
export const MINUTE_MS = 60_000;

export const minuteBucket = (ms: number): number => Math.floor(ms / MINUTE_MS);

export type DecisionCounts = Record<RateLimitDecisionKind, number>;

export interface RateLimitCounters {
  /** Start of each minute bucket (epoch ms), oldest first; the last one is the current minute. */
  minutes: number[];
  /** Count per policy, decision and minute, aligned with `minutes`. */
  series: Record<PolicyName, Record<RateLimitDecisionKind, number[]>>;
  /** Sums over the whole range. */
  totals: Record<PolicyName, DecisionCounts>;
  /** The identifiers refused most often over the range, most first. */
  topLimited: TopLimited[];
}

export interface TopLimited {
  policy: PolicyName;
  identifier: string;
  count: number;
}

export const TOP_LIMITED_SIZE = 10;

/** Merges per-minute refusal counts and keeps the largest. */
export function rankTopLimited(entries: Iterable<TopLimited>, size = TOP_LIMITED_SIZE): TopLimited[] {
  const merged = new Map<string, TopLimited>();
  for (const entry of entries) {
    const key = `${entry.policy} ${entry.identifier}`;
    const found = merged.get(key);
    if (found) found.count += entry.count;
    else merged.set(key, { ...entry });
  }
  return [...merged.values()].sort((a, b) => b.count - a.count || a.identifier.localeCompare(b.identifier)).slice(0, size);
}

export function emptyDecisionCounts(): DecisionCounts {
  return { allowed: 0, limited: 0, "fail-open": 0, "fail-closed": 0 };
}

/** Adds a batch of decision counts (and refusals per identifier, for "top limited") to Redis in one pipeline. */
export async function recordDecisions(redis: Redis, keys: RedisKeys, batch: ReturnType<DecisionBatch["drain"]>): Promise<void> {
  if (batch.decisions.length === 0) return;
  await whenReady(redis);
  const pipeline = redis.pipeline();
  for (const { policy, decision, minuteBucket, count } of batch.decisions) {
    const key = keys.rateLimitCounterKey(policy, decision, minuteBucket);
    pipeline.incrby(key, count).expire(key, COUNTER_TTL_S);
  }
  for (const { policy, minuteBucket, identifier, count } of batch.refusals) {
    const top = keys.rateLimitTopKey(policy, minuteBucket);
    pipeline.zincrby(top, count, identifier).expire(top, COUNTER_TTL_S);
  }
  const replies = await pipeline.exec();
  const failure = replies?.find(([error]) => error)?.[0];
  if (failure) throw failure;
}

/** Builds the dashboard shape from a lookup of (policy, decision, bucket) → count. */
export function buildCounters(
  minutes: number,
  now: number,
  count: (policy: PolicyName, decision: RateLimitDecisionKind, bucket: number) => number,
  topLimited: TopLimited[] = [],
): RateLimitCounters {
  const last = minuteBucket(now);
  const buckets = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
  const series = {} as RateLimitCounters["series"];
  const totals = {} as RateLimitCounters["totals"];
  for (const policy of POLICY_NAMES) {
    series[policy] = {} as Record<RateLimitDecisionKind, number[]>;
    totals[policy] = emptyDecisionCounts();
    for (const decision of RATE_LIMIT_DECISIONS) {
      const values = buckets.map((bucket) => count(policy, decision, bucket));
      series[policy][decision] = values;
      totals[policy][decision] = values.reduce((sum, value) => sum + value, 0);
    }
  }
  return { minutes: buckets.map((bucket) => bucket * MINUTE_MS), series, totals, topLimited };
}

/** Reads the last `minutes` minutes (≤ 60, the counters' lifetime) of every policy with one MGET. */
export async function readRateLimitCounters(
  redis: Redis,
  keys: RedisKeys,
  options: { minutes?: number; now?: number } = {},
): Promise<RateLimitCounters> {
  const minutes = Math.min(Math.max(1, Math.floor(options.minutes ?? 60)), COUNTER_TTL_S / 60);
  const now = options.now ?? Date.now();
  const last = minuteBucket(now);
  const wanted: string[] = [];
  for (const policy of POLICY_NAMES) {
    for (const decision of RATE_LIMIT_DECISIONS) {
      for (let bucket = last - minutes + 1; bucket <= last; bucket += 1) {
        wanted.push(keys.rateLimitCounterKey(policy, decision, bucket));
      }
    }
  }
  await whenReady(redis);
  const values = await redis.mget(...wanted);
  const byKey = new Map(wanted.map((key, i) => [key, Number(values[i] ?? 0) || 0]));
  return buildCounters(
    minutes,
    now,
    (policy, decision, bucket) => byKey.get(keys.rateLimitCounterKey(policy, decision, bucket)) ?? 0,
    await readTopLimited(redis, keys, last - minutes + 1, last),
  );
}

/** The most refused identifiers over minute buckets first..last: each bucket's top few, merged. */
async function readTopLimited(redis: Redis, keys: RedisKeys, first: number, last: number): Promise<TopLimited[]> {
  const pipeline = redis.pipeline();
  const asked: PolicyName[] = [];
  for (const policy of POLICY_NAMES) {
    for (let bucket = first; bucket <= last; bucket += 1) {
      pipeline.zrevrange(keys.rateLimitTopKey(policy, bucket), 0, TOP_LIMITED_SIZE * 2 - 1, "WITHSCORES");
      asked.push(policy);
    }
  }
  const replies = (await pipeline.exec()) ?? [];
  const entries: TopLimited[] = [];
  replies.forEach(([error, reply], i) => {
    if (error || !Array.isArray(reply)) return;
    for (let j = 0; j + 1 < reply.length; j += 2) {
      entries.push({ policy: asked[i]!, identifier: String(reply[j]), count: Number(reply[j + 1]) || 0 });
    }
  });
  return rankTopLimited(entries);
}
