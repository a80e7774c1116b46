import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { bearerToken } from "@/lib/core/headers";

/**
 * Whether an Authorization header carries the scraper secret (METRICS_TOKEN).
 * Both sides are hashed first so the comparison is constant-time whatever the
 * lengths, and a missing secret never matches anything.
 */
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

export function isMetricsToken(authorization: string | null, secret: string | undefined): boolean {
  if (!secret || !authorization) return false;
  const presented = bearerToken(authorization);
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(secret));
}
