import "server-only";
import type { RateLimitDecisionKind } from "@/lib/redis/keys";
import { buildCounters, COUNTER_TTL_S, minuteBucket, rankTopLimited, type TopLimited } from "@/lib/ratelimit/counters";
import type { PolicyName, PolicyTable } from "@/lib/ratelimit/policies";
import { emptyLocalCounts, normaliseIdentifier, retryAfterSeconds, settle, type RateLimiter } from "@/lib/ratelimit/decision";

/**
 * Development limiter for a single process without Redis. An exact sliding
 * window (a log of request times per identifier), so limits behave the way the
 * policy table reads — stricter than the Redis approximation, never looser.
 * Fixed-window policies are treated the same way; in development that only
 * errs towards refusing.
 */
export function createMemoryRateLimiter(options: { policies: PolicyTable; now?: () => number }): RateLimiter {
  const { policies } = options;
  const now = options.now ?? Date.now;
  const logs = new Map<string, number[]>();
  const local = emptyLocalCounts();
  /** minute bucket → "policy decision" → count; only the last hour is kept, like the Redis counters. */
  const perMinute = new Map<number, Map<string, number>>();
  /** minute bucket → refusals by policy and identifier, for the dashboard's "top limited". */
  const refusedPerMinute = new Map<number, TopLimited[]>();
  let callsSinceSweep = 0;

  const count = (policy: PolicyName, decision: RateLimitDecisionKind, at: number) => {
    local[policy][decision] += 1;
    const bucket = minuteBucket(at);
    let counts = perMinute.get(bucket);
    if (!counts) {
      counts = new Map();
      perMinute.set(bucket, counts);
      for (const old of perMinute.keys()) if (old <= bucket - COUNTER_TTL_S / 60) perMinute.delete(old);
      for (const old of refusedPerMinute.keys()) if (old <= bucket - COUNTER_TTL_S / 60) refusedPerMinute.delete(old);
    }
    const field = `${policy} ${decision}`;
    counts.set(field, (counts.get(field) ?? 0) + 1);
  };

  // Identifiers nobody uses again would keep their log forever otherwise.
  const sweep = (at: number) => {
    callsSinceSweep += 1;
    if (callsSinceSweep < 1000) return;
    callsSinceSweep = 0;
    for (const [key, log] of logs) {
      const policy = policies[key.slice(0, key.indexOf("\u0000")) as PolicyName];
      if ((log.at(-1) ?? 0) <= at - policy.windowMs) logs.delete(key);
    }
  };

  const limiter: RateLimiter = {
    kind: "memory",
    async limitWith(policyName, identifier, alongside) {
      // One process, no network: the read and the count simply run side by side.
      const [decision, read] = await Promise.all([limiter.limit(policyName, identifier), settle(alongside.alone())]);
      return { decision, alongside: read };
    },
    async limit(policyName, identifier) {
      const policy = policies[policyName];
      const key = `${policy.name}\u0000${normaliseIdentifier(identifier)}`;
      const at = now();
      sweep(at);
      const log = logs.get(key) ?? [];
      const firstLive = log.findIndex((time) => time > at - policy.windowMs);
      if (firstLive === -1) log.length = 0;
      else if (firstLive > 0) log.splice(0, firstLive);

      const allowed = log.length < policy.limit;
      if (allowed) log.push(at);
      if (log.length > 0) logs.set(key, log);
      // The oldest counted request leaving the window is when budget next returns.
      const resetMs = (log[0] ?? at) + policy.windowMs;
      count(policy.name, allowed ? "allowed" : "limited", at);
      if (!allowed) {
        const refused = refusedPerMinute.get(minuteBucket(at)) ?? [];
        refused.push({ policy: policy.name, identifier: normaliseIdentifier(identifier), count: 1 });
        refusedPerMinute.set(minuteBucket(at), rankTopLimited(refused, 1000));
      }
      return {
        policy: policy.name,
        allowed,
        limit: policy.limit,
        remaining: Math.max(0, policy.limit - log.length),
        resetMs,
        retryAfterS: allowed ? 0 : retryAfterSeconds(resetMs, at),
      };
    },
    async counters(opts) {
      const minutes = Math.min(Math.max(1, Math.floor(opts?.minutes ?? 60)), COUNTER_TTL_S / 60);
      const first = minuteBucket(now()) - minutes + 1;
      const refused = [...refusedPerMinute].filter(([bucket]) => bucket >= first).flatMap(([, entries]) => entries);
      return buildCounters(
        minutes,
        now(),
        (policy, decision, bucket) => perMinute.get(bucket)?.get(`${policy} ${decision}`) ?? 0,
        rankTopLimited(refused),
      );
    },
    localCounts: () => structuredClone(local),
    async flush() {},
  };
  return limiter;
}
