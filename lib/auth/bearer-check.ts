import "server-only";
import { bearerToken } from "@/lib/core/headers";
import { peekToken } from "@/lib/auth/tokens";
import { isTokenText } from "@/lib/auth/token-format";
import { tokenIdentifier, type CredentialCheck } from "@/lib/ratelimit/select-policy";
import { isMetricsToken } from "@/lib/security/metrics-token";

/**
 * What an Authorization header is, for the proxy's rate-limit choice: an
 * identity only once it resolves. The scraper secret and malformed headers are
 * told apart without I/O; an slc_ token costs one Redis GET (SHA-256 → record,
 * lib/auth/tokens.ts), bounded by the limiter's own deadline.
 *
 * Deliberately not the route's authenticate(): no database read of the owner
 * and no last-used write, so a flood of headers costs Redis one key lookup each.
 */
export async function checkBearer(authorization: string | null, options: { metricsToken?: string; timeoutMs: number }): Promise<CredentialCheck> {
  if (authorization === null) return { kind: "none" };
  const token = bearerToken(authorization);
  if (token && isMetricsToken(authorization, options.metricsToken)) return { kind: "verified", identifier: `token:${tokenIdentifier(token)}` };
  if (!token || !isTokenText(token)) return { kind: "rejected" };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
  });
  try {
    const meta = await Promise.race([peekToken(token), deadline]);
    if (meta === "timeout") return { kind: "unknown" };
    return meta ? { kind: "verified", identifier: `token:${tokenIdentifier(token)}` } : { kind: "rejected" };
  } catch {
    return { kind: "unknown" };
  } finally {
    clearTimeout(timer);
  }
}
