import "server-only";
import { ApiError } from "@/lib/core/errors";
import { audit, type AuditVia } from "@/lib/db/queries/audit";
import * as users from "@/lib/db/queries/users";
import { log } from "@/lib/core/log";
import type { UserSummary } from "@/lib/db/queries/users";
import type { UserRole } from "@/lib/core/caller";
import { generatePassword, hashPassword, passwordSchema, verifyPassword } from "@/lib/auth/password";
import { listUserSessions, revokeSession, revokeUserSessions, type SessionInfo } from "@/lib/auth/sessions";
import { changeUserState } from "@/lib/auth/user-state";

/**
 * User management with its side effects in one place: audit lines, ending
 * sessions, the authentication cache (changeUserState), and the rule that the
 * last enabled admin stays an enabled admin. The admin page, the admin API
 * and the CLI all call these; nothing else writes role, disabled or a password.
 */
export interface Actor {
  userId: string | null;
  via: AuditVia;
  ip: string | null;
}

async function existing(userId: string): Promise<UserSummary> {
  const user = await users.findUserById(userId);
  if (!user) throw new ApiError("not_found", "no such user");
  return user;
}

/**
 * After disabling or a password change the user's state already refuses the
 * old sessions (authenticate checks `disabled` and `password_changed_at`;
 * every write below goes through changeUserState(), lib/auth/user-state.ts,
 * so the cached state is never the old one), so deleting them from Redis is
 * tidying up: a Redis outage is logged, not turned into a failure of a change
 * that has happened.
 */
async function endSessionsAfterChange(userId: string): Promise<number | null> {
  try {
    return await revokeUserSessions(userId);
  } catch (error) {
    log.warn(
      { userId, err: error instanceof Error ? error.message : String(error) },
      "could not delete sessions from Redis; the database check still ends them",
    );
    return null;
  }
}

async function keepOneAdmin(user: UserSummary, what: string): Promise<void> {
  if (user.role === "admin" && !user.disabled && (await users.countActiveAdmins()) <= 1) {
    throw new ApiError("conflict", `cannot ${what} the last enabled admin; make someone else admin first`);
  }
}

/**
 * `mustChangePassword`: whether the user has to replace the password at first sign-in. It
 * defaults to true — whoever creates an account chose its password, not the user; the CLI
 * passes false only for a password its operator typed for themselves.
 */
export async function createUserAccount(
  actor: Actor,
  input: { email: string; role: UserRole; password?: string; mustChangePassword?: boolean },
): Promise<{ user: UserSummary; password: string }> {
  if (await users.findUserByEmail(input.email)) throw new ApiError("conflict", "a user with this e-mail already exists");
  const password = input.password ?? generatePassword();
  passwordSchema.parse(password);
  const mustChangePassword = input.mustChangePassword ?? true;
  const user = await users.createUser({ email: input.email, role: input.role, passwordHash: await hashPassword(password), mustChangePassword });
  await audit({
    action: "user.create",
    via: actor.via,
    actorUserId: actor.userId,
    ip: actor.ip,
    target: user.id,
    details: { email: user.email, role: user.role, mustChangePassword },
  });
  return { user, password };
}

export async function changeRole(actor: Actor, userId: string, role: UserRole): Promise<UserSummary> {
  const user = await existing(userId);
  if (user.role === role) return user;
  if (role !== "admin") await keepOneAdmin(user, "demote");
  const updated = (await changeUserState(userId, () => users.updateUserRole(userId, role))) ?? user;
  await audit({
    action: "user.role-change",
    via: actor.via,
    actorUserId: actor.userId,
    ip: actor.ip,
    target: userId,
    details: { email: user.email, from: user.role, to: role },
  });
  return updated;
}

/** Disabling ends every session at once; API tokens stop working while disabled and work again when enabled. */
export async function setDisabled(actor: Actor, userId: string, disabled: boolean): Promise<UserSummary> {
  const user = await existing(userId);
  if (user.disabled === disabled) return user;
  if (disabled) await keepOneAdmin(user, "disable");
  const updated = (await changeUserState(userId, () => users.setUserDisabled(userId, disabled))) ?? user;
  const sessionsEnded = disabled ? await endSessionsAfterChange(userId) : 0;
  await audit({
    action: disabled ? "user.disable" : "user.enable",
    via: actor.via,
    actorUserId: actor.userId,
    ip: actor.ip,
    target: userId,
    details: { email: user.email, sessionsEnded },
  });
  return updated;
}

/**
 * A new password, generated unless given (shown once to the admin); the user's sessions end and,
 * as with a new account, they replace it at their next sign-in — unless the CLI's operator typed
 * it for themselves (`mustChangePassword: false`).
 */
export async function resetPassword(
  actor: Actor,
  userId: string,
  password = generatePassword(),
  options: { mustChangePassword?: boolean } = {},
): Promise<{ user: UserSummary; password: string }> {
  passwordSchema.parse(password);
  const user = await existing(userId);
  const mustChangePassword = options.mustChangePassword ?? true;
  const passwordHash = await hashPassword(password);
  const updated = (await changeUserState(userId, () => users.resetUserPassword(userId, passwordHash, mustChangePassword))) ?? user;
  const sessionsEnded = await endSessionsAfterChange(userId);
  await audit({
    action: "user.password-reset",
    via: actor.via,
    actorUserId: actor.userId,
    ip: actor.ip,
    target: userId,
    details: { email: user.email, sessionsEnded, mustChangePassword },
  });
  return { user: updated, password };
}

/** Self-service; every session of the user ends, this one included. */
export async function changeOwnPassword(actor: Actor & { userId: string }, current: string, next: string): Promise<void> {
  passwordSchema.parse(next);
  const hash = await users.findPasswordHash(actor.userId);
  if (!hash || !(await verifyPassword(hash, current))) {
    await audit({
      action: "user.password-change",
      via: actor.via,
      actorUserId: actor.userId,
      ip: actor.ip,
      outcome: "denied",
      details: { reason: "wrong current password" },
    });
    throw new ApiError("forbidden", "the current password is not correct");
  }
  const passwordHash = await hashPassword(next);
  await changeUserState(actor.userId, () => users.updateOwnPassword(actor.userId, passwordHash));
  const sessionsEnded = await endSessionsAfterChange(actor.userId);
  await audit({
    action: "user.password-change",
    via: actor.via,
    actorUserId: actor.userId,
    ip: actor.ip,
    target: actor.userId,
    details: { sessionsEnded },
  });
}

export async function sessionsOf(userId: string): Promise<SessionInfo[]> {
  return listUserSessions(userId);
}

/** By handle (what the admin page shows), among the user's own sessions only. */
export async function revokeOneSession(actor: Actor, userId: string, handle: string): Promise<boolean> {
  const session = (await listUserSessions(userId)).find((candidate) => candidate.handle === handle);
  const ended = session ? await revokeSession(userId, session.sid) : false;
  await audit({
    action: "session.revoke",
    via: actor.via,
    actorUserId: actor.userId,
    ip: actor.ip,
    target: userId,
    details: { session: handle, ended },
  });
  return ended;
}

export async function revokeAllSessions(actor: Actor, userId: string): Promise<number> {
  const ended = await revokeUserSessions(userId);
  await audit({ action: "session.revoke", via: actor.via, actorUserId: actor.userId, ip: actor.ip, target: userId, details: { all: true, ended } });
  return ended;
}
