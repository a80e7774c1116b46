import "server-only";
import type { RateLimitDecision } from "@/lib/ratelimit/decision";

/**
 * Response headers for a limiter decision:
 * - `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (IETF
 *   draft-ietf-httpapi-ratelimit-headers: Reset is delta-seconds until the window resets);
 * - the widespread `X-RateLimit-*` trio, where Reset is the Unix time in seconds
 *   (GitHub's convention, which most client libraries expect);
 * - `Retry-After` (delta-seconds) only when the request is refused.
 *
 * When the limiter could not decide (Redis down) the numbers are unknown: a
 * fail-open decision sends no headers rather than made-up ones, a fail-closed
 * one only `Retry-After`.
 */
export function rateLimitHeaders(
  decision: Pick<RateLimitDecision, "allowed" | "limit" | "remaining" | "resetMs" | "retryAfterS" | "failed">,
  now: number = Date.now(),
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!decision.allowed) headers["Retry-After"] = String(Math.max(1, Math.ceil(decision.retryAfterS)));
  if (decision.failed) return headers;

  const limit = String(Math.max(0, Math.floor(decision.limit)));
  const remaining = String(Math.max(0, Math.floor(decision.remaining)));
  const resetInS = Math.max(0, Math.ceil((decision.resetMs - now) / 1000));
  headers["RateLimit-Limit"] = limit;
  headers["RateLimit-Remaining"] = remaining;
  headers["RateLimit-Reset"] = String(resetInS);
  headers["X-RateLimit-Limit"] = limit;
  headers["X-RateLimit-Remaining"] = remaining;
  headers["X-RateLimit-Reset"] = String(Math.ceil(decision.resetMs / 1000));
  return headers;
}
