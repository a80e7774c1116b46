import "server-only";
import { ApiError } from "@/lib/core/errors";
import { log } from "@/lib/core/log";
import type { RateLimitDecision } from "@/lib/ratelimit/decision";
import { rateLimitHeaders } from "@/lib/ratelimit/headers";
import { appRateLimiter } from "@/lib/ratelimit/runtime";
import type { PolicyChoice } from "@/lib/ratelimit/select-policy";

export interface Enforcement {
  /** Set when the request must be refused. */
  error?: ApiError;
  /** Headers for the response: the tightest remaining budget, or the refusal's. */
  headers: Record<string, string>;
}

/**
 * Runs every applicable policy; the first refusal wins. A limiter that could
 * not reach Redis has already applied the policy's fail mode: fail-closed is
 * answered 503 (the quota is not the problem, Redis is), fail-open passes.
 * `first` is the first choice's decision when the caller already has it (the
 * proxy counts it in the same round trip as its credential read).
 */
export async function enforce(choices: PolicyChoice[], first?: RateLimitDecision): Promise<Enforcement> {
  if (choices.length === 0) return { headers: {} };
  const limiter = appRateLimiter();
  const decisions: RateLimitDecision[] = [];
  for (const [i, choice] of choices.entries()) {
    const decision = i === 0 && first ? first : await limiter.limit(choice.policy, choice.identifier);
    decisions.push(decision);
    if (decision.failed === "closed") {
      log.warn({ policy: choice.policy }, "rate limiter unavailable: failing closed");
      return {
        error: new ApiError("unavailable", "rate limiting is unavailable; retry shortly", { policy: choice.policy }),
        headers: rateLimitHeaders(decision),
      };
    }
    if (!decision.allowed) {
      return {
        error: new ApiError("rate_limited", `too many requests (${choice.policy}); retry after ${decision.retryAfterS}s`, {
          policy: choice.policy,
          limit: decision.limit,
        }),
        headers: rateLimitHeaders(decision),
      };
    }
  }
  const tightest = decisions.filter((d) => !d.failed).sort((a, b) => a.remaining - b.remaining)[0];
  return { headers: tightest ? rateLimitHeaders(tightest) : {} };
}
