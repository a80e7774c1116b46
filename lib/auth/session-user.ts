import "server-only";
import type { NextRequest } from "next/server";
import { readSessionToken } from "@/lib/auth/session-cookie";

/**
 * The user id in a request's session JWT, for rate limiting only: decoding
 * proves the cookie was issued by us; whether the session was revoked is the
 * route's business (authenticate), not the limiter's.
 */
export async function sessionUserId(request: NextRequest): Promise<string | null> {
  try {
    return (await readSessionToken(request))?.sub ?? null;
  } catch {
    return null;
  }
}
