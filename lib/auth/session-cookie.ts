import "server-only";
import { decode } from "next-auth/jwt";
import { z } from "zod";
import { env } from "@/lib/env";
import { isSessionId } from "@/lib/auth/sessions";

/**
 * The next-auth session cookie: its name, and decoding it without any I/O.
 * Decoding proves only that we issued the JWT and that it has not expired;
 * whether the session is still live is a Redis question (sessions.ts).
 *
 * Cookie names follow next-auth's convention. Which one applies is decided
 * per request (AUTH_SECURE_COOKIES=auto: Secure behind https), and only that
 * name is read, so an http-set cookie cannot stand in for a Secure one.
 */
export const SESSION_COOKIE = "next-auth.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-next-auth.session-token";

type HeaderSource = Pick<Headers, "get">;

export function authSecret(): string {
  const secret = env().AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set; `npm run dev` generates one, production must configure it");
  return secret;
}

export function secureCookiesFor(headers: HeaderSource): boolean {
  const mode = env().AUTH_SECURE_COOKIES;
  if (mode !== "auto") return mode === "always";
  // TLS ends at the proxy in front of us; it says so in X-Forwarded-Proto. A
  // client lying about it only gets a cookie its own browser will not keep.
  return headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

export function sessionCookieName(headers: HeaderSource): string {
  return secureCookiesFor(headers) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** What our JWT must carry; anything else is not a session of ours. */
const claimsSchema = z.object({
  sub: z.uuid(),
  sid: z.string().refine(isSessionId, "not a session id"),
  email: z.string().optional(),
  exp: z.number().optional(),
});
export type SessionClaims = z.infer<typeof claimsSchema>;

export function cookieValue(headers: HeaderSource, name: string): string | undefined {
  const header = headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

/** Coarse and free: is there a session cookie at all? (proxy.ts's sign-in redirect.) */
export function hasSessionCookie(request: { headers: HeaderSource }): boolean {
  return Boolean(cookieValue(request.headers, sessionCookieName(request.headers)));
}

/** Decodes a raw cookie value; null when missing, forged, expired or not ours. */
export async function decodeSessionToken(value: string | undefined): Promise<SessionClaims | null> {
  if (!value || value.length > 8192) return null;
  try {
    const payload = await decode({ token: value, secret: authSecret() });
    const claims = claimsSchema.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}

/**
 * The claims of a request's session cookie, with no Redis or database call:
 * cheap enough for proxy.ts to identify a user for rate limiting. Not proof
 * that the session is still live — authenticate() checks that.
 */
export async function readSessionToken(request: { headers: HeaderSource }): Promise<SessionClaims | null> {
  return decodeSessionToken(cookieValue(request.headers, sessionCookieName(request.headers)));
}

export async function sessionIdFromRequest(request: { headers: HeaderSource }): Promise<string | null> {
  return (await readSessionToken(request))?.sid ?? null;
}
