import "server-only";
import { ApiError } from "@/lib/core/errors";
import { bearerToken } from "@/lib/core/headers";
import { log } from "@/lib/core/log";
import { ROLE_SCOPES, type Caller } from "@/lib/core/caller";
import { currentRequestContext } from "@/lib/core/request-context";
import { keys } from "@/lib/redis/keys";
import { readCredential, type CredentialRead } from "@/lib/auth/credential-read";
import { readSessionToken, type SessionClaims } from "@/lib/auth/session-cookie";
import { parseSessionRecord } from "@/lib/auth/sessions";
import { hashToken, isTokenText } from "@/lib/auth/token-format";
import { acceptToken } from "@/lib/auth/tokens";
import { userStateOf } from "@/lib/auth/user-state";

/**
 * Resolves the caller of a request: an `Authorization: Bearer slc_…` token,
 * else the next-auth session cookie. Both are checked against Redis on every
 * request (revocation is immediate), together with the user's state — role,
 * disabled, password change — which lives in Redis beside them
 * (lib/auth/user-state.ts: emptied by every change, rebuilt from Postgres on a
 * miss), so a disabled user or a changed role counts at once and a warm
 * request reads no Postgres. The credential and the user state come back in
 * one round trip (lib/auth/credential-read.ts) — or in none, when the proxy
 * already read them for this same request together with its rate limit
 * (RequestContext.credential): then this re-checks the proxy's read.
 *
 * null = anonymous. Credentials that are present but wrong throw 401; when
 * Redis cannot answer, 503 — never a 500, and never let through.
 */
export async function authenticate(request: Pick<Request, "headers">): Promise<Caller | null> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) return callerFromBearer(authorization);
  const claims = await readSessionToken(request);
  return claims ? callerFromSession(claims) : null;
}

async function callerFromBearer(header: string): Promise<Caller> {
  const token = bearerToken(header);
  if (!token || !isTokenText(token)) {
    throw new ApiError("unauthorized", "malformed Authorization header; send Authorization: Bearer slc_…");
  }
  const hash = hashToken(token);
  const read = await credentialRead(keys.tokenKey(hash));
  const meta = acceptToken(read.record, hash);
  if (!meta) throw new ApiError("unauthorized", "the API token is unknown, revoked or expired");
  const user = await userStateOf(meta.userId, read);
  if (!user || user.disabled) throw new ApiError("unauthorized", "the API token's owner is disabled or gone");
  // A token never carries more than its owner's role grants today (roles can be lowered after creation).
  // It is not held back by a pending password change: a token is a credential of its own, made
  // on purpose (by its owner, or an operator's `npm run token`), and the password is not.
  const allowed = ROLE_SCOPES[user.role];
  return {
    via: "token",
    userId: user.id,
    email: user.email,
    role: user.role,
    scopes: meta.scopes.filter((scope) => allowed.includes(scope)),
    tokenId: meta.id,
    tokenName: meta.name,
  };
}

/** A decoded session cookie → Caller, or null when the session is over. Used by guards.ts too. */
export async function callerFromSession(claims: SessionClaims): Promise<Caller | null> {
  const read = await credentialRead(keys.sessionKey(claims.sid));
  const session = parseSessionRecord(read.record, claims.sid);
  if (!session || session.userId !== claims.sub || session.expiresAt <= Date.now()) return null;
  const user = await userStateOf(claims.sub, read);
  if (!user || user.disabled) return null;
  // Belt and braces: a password change also deletes the sessions, but a failed delete must not keep one alive.
  if (user.passwordChangedAt !== session.passwordChangedAt) return null;
  return {
    via: "session",
    userId: user.id,
    email: user.email,
    role: user.role,
    scopes: ROLE_SCOPES[user.role],
    sessionId: claims.sid,
    mustChangePassword: user.mustChangePassword,
  };
}

/**
 * This request's read of a credential: the proxy's, when it read this very credential (same
 * record key) for this request; otherwise one of its own.
 */
async function credentialRead(recordKey: string): Promise<CredentialRead> {
  const handed = currentRequestContext()?.credential;
  if (handed?.recordKey === recordKey) return handed;
  return fromStore(() => readCredential(recordKey));
}

/** Redis answering nothing is not "no session": fail closed with 503. */
async function fromStore<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    log.warn(
      { component: "auth", err: error instanceof Error ? error.message : String(error) },
      "cannot check credentials: session/token store unavailable",
    );
    throw new ApiError("unavailable", "cannot check credentials right now (session store unavailable); retry shortly", undefined, {
      "Retry-After": "5",
    });
  }
}
