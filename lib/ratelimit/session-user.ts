import "server-only";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { env } from "../env";

/**
 * The user id in a request's session JWT, for rate limiting only: decoding
 * proves the cookie was issued by us; whether the session was revoked is the
 * route's business (authenticate), not the limiter's.
 */
export async function sessionUserId(request: NextRequest): Promise<string | null> {
  const secret = env().AUTH_SECRET;
  if (!secret) return null;
  try {
    const token = await getToken({ req: request, secret });
    return typeof token?.sub === "string" ? token.sub : null;
  } catch {
    return null;
  }
}
