import "server-only";
import { z } from "zod";
import { audit } from "@/lib/db/queries/audit";
import { findUserForSignIn, normaliseEmail, recordSignIn } from "@/lib/db/queries/users";
import { log } from "@/lib/core/log";
import { appRateLimiter } from "@/lib/ratelimit/runtime";
import { isRedisUnavailable } from "@/lib/redis/client";
import type { UserRole } from "@/lib/core/caller";
import { PASSWORD_MAX_LENGTH, verifyAgainstDummy, verifyPassword } from "@/lib/auth/password";
import { createSession } from "@/lib/auth/sessions";

/**
 * Checks e-mail + password and opens a session. Every failure that could
 * tell whether an account exists takes the same path: one user lookup, one
 * argon2 verification (against a dummy hash when there is no user), one
 * audit insert — so the answer and its timing are the same.
 */
export const SIGN_IN_ERRORS = {
  invalid: "CredentialsSignin",
  disabled: "AccountDisabled",
  rate_limited: "RateLimited",
  unavailable: "Unavailable",
} as const;
export type SignInFailure = keyof typeof SIGN_IN_ERRORS;

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  sid: string;
}

export type SignInResult = { ok: true; user: SignedInUser } | { ok: false; reason: SignInFailure; retryAfterS?: number };

const credentialsSchema = z.object({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

export async function signInWithPassword(credentials: unknown, meta: { ip: string | null; userAgent: string | null }): Promise<SignInResult> {
  const input = credentialsSchema.safeParse(credentials);
  if (!input.success) return { ok: false, reason: "invalid" };
  const email = normaliseEmail(input.data.email);
  const fail = async (reason: SignInFailure, userId: string | null, detail: string, retryAfterS?: number): Promise<SignInResult> => {
    await audit({
      action: "auth.sign-in",
      via: "anonymous",
      actorUserId: userId,
      outcome: "denied",
      ip: meta.ip,
      target: email,
      details: { reason: detail },
    });
    return { ok: false, reason, retryAfterS };
  };

  // Per account, whatever the IP (the proxy limits per IP). Fails closed: a Redis
  // outage must not open an unlimited guessing window.
  const limit = await appRateLimiter().limit("sign-in-account", email);
  if (!limit.allowed) {
    return limit.failed ? fail("unavailable", null, "rate limiter unavailable") : fail("rate_limited", null, "too many attempts", limit.retryAfterS);
  }

  const user = await findUserForSignIn(email);
  if (!user) {
    await verifyAgainstDummy(input.data.password);
    return fail("invalid", null, "unknown e-mail");
  }
  if (!(await verifyPassword(user.passwordHash, input.data.password))) return fail("invalid", user.id, "wrong password");
  // Only someone who knows the password learns that the account is disabled.
  if (user.disabled) return fail("disabled", user.id, "account disabled");

  let sid: string;
  let handle: string;
  try {
    ({ sid, handle } = await createSession(user, meta));
  } catch (error) {
    if (!isRedisUnavailable(error)) log.error({ err: error instanceof Error ? error.message : String(error) }, "could not create a session");
    return fail("unavailable", user.id, "session store unavailable");
  }
  await recordSignIn(user.id).catch((error: unknown) => log.warn({ err: String(error) }, "could not record the sign-in time"));
  await audit({ action: "auth.sign-in", via: "session", actorUserId: user.id, ip: meta.ip, target: user.email, details: { session: handle } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role, sid } };
}
