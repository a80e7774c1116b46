import "server-only";
import { createHash } from "node:crypto";
import type { ChainableCommander } from "ioredis";
import { emptyDecisionCounts, type DecisionCounts, type RateLimitCounters } from "@/lib/ratelimit/counters";
import { POLICY_NAMES, type FailMode, type PolicyName, type RateLimitPolicy } from "@/lib/ratelimit/policies";

/** The limiter contract and the pure pieces both implementations (Redis, memory) share. */

export interface RateLimitDecision {
  policy: PolicyName;
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix time (ms) at which the current window ends and budget comes back. */
  resetMs: number;
  /** Whole seconds to wait before retrying; 0 when allowed. */
  retryAfterS: number;
  /** Present when Redis could not decide and the policy's fail mode did. */
  failed?: FailMode;
}

/** The subset of a pino logger the limiter uses. */
export interface RateLimitLogger {
  warn(obj: object, msg: string): void;
}

export type LocalCounts = Record<PolicyName, DecisionCounts>;

/**
 * A read of the caller's own that travels with a limit call: against Redis both go in one
 * pipeline, one round trip (the proxy reads the credential this way, lib/auth/gate-check.ts).
 */
export interface Alongside<T> {
  /** Adds the read to the limiter's pipeline, before the limit's own command. */
  queue(pipeline: ChainableCommander): void;
  /** Its reply in that pipeline (an error reply is passed as the error); may throw. */
  parse(reply: [Error | null, unknown]): Promise<T>;
  /** The read on its own (the in-memory limiter has no pipeline). */
  alone(): Promise<T>;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RateLimiter {
  readonly kind: "redis" | "memory";
  /** Never rejects because of Redis: failures become the policy's fail-mode decision. */
  limit(policy: PolicyName, identifier: string): Promise<RateLimitDecision>;
  /**
   * limit(), with the caller's read sent in the same round trip. The decision follows limit()'s
   * rules; the read's failure (Redis down, past the deadline) is reported, never thrown.
   */
  limitWith<T>(policy: PolicyName, identifier: string, alongside: Alongside<T>): Promise<{ decision: RateLimitDecision; alongside: Settled<T> }>;
  /** Fleet-wide per-minute counts for the dashboard (memory limiter: this process). */
  counters(options?: { minutes?: number }): Promise<RateLimitCounters>;
  /** This process's totals since start; they survive a Redis outage (for /api/metrics). */
  localCounts(): LocalCounts;
  /** Waits for background counter writes (tests, graceful shutdown). */
  flush(): Promise<void>;
}

export const DEFAULT_LIMIT_TIMEOUT_MS = 500;
/** What a fail-closed refusal tells the client to wait: an outage, not a quota, so short. */
export const FAIL_CLOSED_RETRY_AFTER_S = 5;

export const consoleRateLimitLogger: RateLimitLogger = { warn: (obj, msg) => console.warn(msg, obj) };

export function emptyLocalCounts(): LocalCounts {
  return Object.fromEntries(POLICY_NAMES.map((name) => [name, emptyDecisionCounts()])) as LocalCounts;
}

// Identifiers reach Redis keys. Plain IPs, ids and e-mails stay readable; anything
// long or odd (attacker-chosen sign-in e-mails, say) is hashed so keys stay bounded.
export function normaliseIdentifier(identifier: string): string {
  if (identifier.length === 0) throw new TypeError("rate-limit identifier must not be empty");
  if (/^[\w.:@/+-]{1,128}$/.test(identifier)) return identifier;
  return `sha256-${createHash("sha256").update(identifier).digest("hex")}`;
}

export function retryAfterSeconds(resetMs: number, now: number): number {
  return Math.max(1, Math.ceil((resetMs - now) / 1000));
}

/** The decision a failure turns into, per the policy's fail mode. */
export function failDecision(policy: RateLimitPolicy, now: number): RateLimitDecision {
  if (policy.failMode === "open") {
    return {
      policy: policy.name,
      allowed: true,
      limit: policy.limit,
      remaining: policy.limit,
      resetMs: now + policy.windowMs,
      retryAfterS: 0,
      failed: "open",
    };
  }
  return {
    policy: policy.name,
    allowed: false,
    limit: policy.limit,
    remaining: 0,
    resetMs: now + FAIL_CLOSED_RETRY_AFTER_S * 1000,
    retryAfterS: FAIL_CLOSED_RETRY_AFTER_S,
    failed: "closed",
  };
}

/** A promise's outcome as a value (for reads whose failure is an answer, not an exception). */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
