import "server-only";
import { ApiError } from "@/lib/core/errors";
import { roleAtLeast, type Caller, type TokenScope, type UserRole } from "@/lib/core/caller";

/**
 * What a route or a server action demands of its caller: a minimum role (of
 * the user behind the session or token) and every one of some scopes (a
 * session user's scopes follow from the role). The one check behind
 * route() (6-route.ts) and action() (7-action.ts); each of them answers an
 * absent caller itself, in its own words. Throws 403 with the first unmet
 * demand. A session that must replace its password passes nothing else
 * (lib/server/8-page-guards.ts sends its pages to the password form).
 */
export interface Requirement {
  role?: UserRole;
  scopes?: readonly TokenScope[];
  /** "allow": also for a session whose password must be changed first (the password change itself). */
  pendingPasswordChange?: "allow";
}

export const PASSWORD_CHANGE_PATH = "/settings/password";

export function authorize(caller: Caller, { role, scopes = [], pendingPasswordChange }: Requirement): void {
  if (caller.mustChangePassword && caller.via === "session" && pendingPasswordChange !== "allow") {
    throw new ApiError("forbidden", `Choose your own password first, at ${PASSWORD_CHANGE_PATH}: yours was set for you`, {
      reason: "password_change_required",
    });
  }
  if (role && !roleAtLeast(caller.role, role)) throw new ApiError("forbidden", `this needs the ${role} role`);
  const missing = scopes.filter((scope) => !caller.scopes.includes(scope));
  if (missing.length > 0) throw new ApiError("forbidden", `missing scope: ${missing.join(", ")}`, { missing });
}
