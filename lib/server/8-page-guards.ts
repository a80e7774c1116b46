import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { ApiError } from "@/lib/core/errors";
import { currentRequestContext } from "@/lib/core/request-context";
import { callerFromSession } from "@/lib/auth/authenticate";
import { PASSWORD_CHANGE_PATH } from "@/lib/server/5-authorize";
import { roleAtLeast, type Caller, type UserRole } from "@/lib/core/caller";
import { readSessionToken } from "@/lib/auth/session-cookie";

/**
 * Session checks for server components and server actions (route handlers
 * use authenticate() through lib/server/6-route.ts). Every check goes to Redis —
 * a page's re-checks the proxy's read of this same request; a server action
 * (no request context) reads its own: a revoked session is gone on the very
 * next render or action.
 */

/** The signed-in caller of the current request, uncached: what server actions use. */
export async function sessionCaller(): Promise<Caller | null> {
  const claims = await readSessionToken({ headers: await headers() });
  const caller = claims ? await callerFromSession(claims) : null;
  // For the request's log line (lib/server/4-access-log.ts).
  const context = currentRequestContext();
  if (context && caller) context.userId = caller.userId;
  return caller;
}

/** The same, once per render: layouts and pages of one request share the answer. */
export const currentCaller = cache(sessionCaller);

export type PageAccess = { status: "ok"; caller: Caller } | { status: "forbidden"; caller: Caller } | { status: "unavailable" };

/**
 * A user whose password someone else chose (an admin, a generated one) replaces it before
 * anything else: every page but the password form sends them there, with the reason.
 */
export function redirectToPendingPasswordChange(caller: Caller | null): void {
  if (caller?.mustChangePassword) redirect(`${PASSWORD_CHANGE_PATH}?required=1`);
}

/**
 * For layouts and pages: redirects to the sign-in page when nobody is signed
 * in, to the password form when the password must be changed first (unless
 * `pendingPasswordChange: "allow"`: the form itself, and the layout around
 * it), and reports "forbidden" or "unavailable" (Redis down) for the page to
 * render, instead of an error page. Pages call it as well as their layout:
 * a layout is not re-rendered on client-side navigation between its pages.
 */
export async function pageAccess(options: { role?: UserRole; path?: string; pendingPasswordChange?: "allow" } = {}): Promise<PageAccess> {
  let caller: Caller | null;
  try {
    caller = await currentCaller();
  } catch (error) {
    if (error instanceof ApiError && error.code === "unavailable") {
      // Rendered as a panel, answered with the status it shows (lib/server/4-access-log.ts).
      const context = currentRequestContext();
      if (context) context.pageStatus = { status: 503, headers: { "Retry-After": "5", "Cache-Control": "no-store" } };
      return { status: "unavailable" };
    }
    throw error;
  }
  if (!caller) redirect(signInPath(options.path));
  if (options.pendingPasswordChange !== "allow") redirectToPendingPasswordChange(caller);
  if (options.role && !roleAtLeast(caller.role, options.role)) return { status: "forbidden", caller };
  return { status: "ok", caller };
}

/** A page that must have a caller of at least `role`; renders nothing else. */
export async function requirePageCaller(options: { role?: UserRole; path?: string } = {}): Promise<Caller> {
  const access = await pageAccess(options);
  if (access.status === "ok") return access.caller;
  if (access.status === "unavailable") throw new ApiError("unavailable", "sign-in service unavailable; retry shortly");
  throw new ApiError("forbidden", `this page needs the ${options.role} role`);
}

export function signInPath(callbackUrl?: string): string {
  return callbackUrl && callbackUrl !== "/" ? `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/sign-in";
}
