import "server-only";
import type { NextRequest } from "next/server";
import { readSessionToken, type SessionClaims } from "@/lib/auth/session-cookie";

/**
 * The claims of a request's session JWT, for the proxy: decoding proves the
 * cookie was issued by us (the rate limit goes by its user id); whether the
 * session was revoked is the route's business (authenticate), not the limiter's.
 */
export async function sessionClaimsAtGate(request: NextRequest): Promise<SessionClaims | null> {
  try {
    return await readSessionToken(request);
  } catch {
    return null;
  }
}
