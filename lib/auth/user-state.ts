import "server-only";
import { z } from "zod";
import { ApiError } from "@/lib/core/errors";
import { USER_ROLES } from "@/lib/core/caller";
import { log } from "@/lib/core/log";
import type { CredentialRead } from "@/lib/core/request-context";
import { findUserById } from "@/lib/db/queries/users";
import { keys } from "@/lib/redis/keys";
import { appRedis } from "@/lib/redis/runtime";
import { LuaScript } from "@/lib/redis/scripts";

/**
 * What authentication needs to know of a user — role, disabled, password_changed_at, whether the
 * password must be replaced first, and the e-mail a Caller carries — cached in Redis (`ustate:<id>`) beside the token and session records,
 * so an authenticated request reads no Postgres: the credential and this state come back from one
 * script (lib/auth/credential-read.ts). Postgres stays the truth; the cache is rebuilt from it on a
 * miss and emptied by every change, so a disabled user or a lowered role counts on the very next
 * request, on every instance.
 *
 * Why it cannot serve a stale state (the races):
 * - A change goes through changeUserState(): *before* the Postgres write it bumps the user's
 *   generation (`ustate-gen:<id>`), raises the in-flight marker (`ustate-pending:<id>`, a counter
 *   with a TTL) and deletes the state; after the write (committed or failed) it lowers the marker
 *   and deletes the state again. If Redis cannot take the first step, nothing is changed (503):
 *   a change the cache might not hear of is never made.
 * - A rebuild reads the generation and the marker in the credential read, *before* its Postgres
 *   read, and caches what it read only if the marker was down then and the generation is still
 *   the same when it writes (one script, CACHE_IF_UNCHANGED). A rebuild that read Postgres before a
 *   change committed either saw the marker up (that change had begun) or finds the generation
 *   moved (it began afterwards): it serves its answer for its own request but does not cache it.
 * - A change whose last step fails (Redis gone at that moment) leaves the marker up: its user's
 *   state is read from Postgres, uncached, until the marker's TTL (PENDING_TTL_MS, longer than a
 *   write can take: pool acquire + statement timeout) — slower, never stale.
 * - Deleting a user must go through changeUserState() too (the app has no delete path today);
 *   a user that is gone is not cached, so its tokens and sessions keep failing.
 * A change made outside the app (psql `update app.users …`) is not seen until the state expires
 * (STATE_TTL_MS): go through the admin page, the admin API or `npm run create-admin`.
 */
export const userStateSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(USER_ROLES),
  disabled: z.boolean(),
  /** password_changed_at in ms (database clock): a session from before a change is over. */
  passwordChangedAt: z.number().int(),
  /** The password was chosen for the user (an admin, a generated one): their session may only replace it. */
  mustChangePassword: z.boolean().default(false),
});
export type UserState = z.infer<typeof userStateSchema>;

export type UserStateRead = Pick<CredentialRead, "state" | "generation" | "pending">;

/** A cached state lives this long without a change; the bound for changes made behind the app's back. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** Longer than any change's Postgres write may take (DB_POOL_ACQUIRE_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS by default: 20 s). */
export const PENDING_TTL_MS = 60_000;

const CACHE_IF_UNCHANGED = new LuaScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`);

const BEGIN_CHANGE = new LuaScript(`
redis.call('INCR', KEYS[2])
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1])
return 1`);

const END_CHANGE = new LuaScript(`
if redis.call('DECR', KEYS[3]) <= 0 then redis.call('DEL', KEYS[3]) end
redis.call('DEL', KEYS[1])
return 1`);

function stateKeys(userId: string): string[] {
  return [keys.userStateKey(userId), keys.userStateGenerationKey(userId), keys.userStatePendingKey(userId)];
}

/** The cached state of `userId` in a read, or null on a miss (or a record that does not parse: rebuilt). */
export function cachedUserState(read: UserStateRead | null, userId: string): UserState | null {
  if (!read?.state) return null;
  let json: unknown;
  try {
    json = JSON.parse(read.state);
  } catch {
    return null;
  }
  const parsed = userStateSchema.safeParse(json);
  return parsed.success && parsed.data.id === userId ? parsed.data : null;
}

/**
 * The state of `userId`: from the read when it had it, else from Postgres (app role), cached
 * when the read allows it (see the top comment). null: the user is gone.
 */
export async function userStateOf(userId: string, read: UserStateRead | null): Promise<UserState | null> {
  const cached = cachedUserState(read, userId);
  if (cached) return cached;
  const user = await findUserById(userId);
  if (!user) return null;
  const state: UserState = {
    id: user.id,
    email: user.email,
    role: user.role,
    disabled: user.disabled,
    passwordChangedAt: user.passwordChangedAt.getTime(),
    mustChangePassword: user.mustChangePassword,
  };
  const redis = appRedis();
  if (redis && read && !read.pending) {
    try {
      await CACHE_IF_UNCHANGED.run(redis, stateKeys(userId), [JSON.stringify(state), read.generation ?? "", STATE_TTL_MS]);
    } catch (error) {
      // Not cached is only slower: the next request rebuilds again.
      log.warn({ component: "auth", userId, err: error instanceof Error ? error.message : String(error) }, "could not cache a user's state");
    }
  }
  return state;
}

/**
 * Runs `write` (a change of the user's row in Postgres) between the two steps the cache needs
 * (top comment). Every writer of role, disabled or password_changed_at goes through here
 * (lib/auth/user-admin.ts). Without Redis (development's in-memory store) nothing is cached, so
 * there is nothing to tell.
 */
export async function changeUserState<T>(userId: string, write: () => Promise<T>): Promise<T> {
  const redis = appRedis();
  if (!redis) return write();
  try {
    await BEGIN_CHANGE.run(redis, stateKeys(userId), [PENDING_TTL_MS]);
  } catch (error) {
    log.warn({ component: "auth", userId, err: error instanceof Error ? error.message : String(error) }, "cannot change a user: Redis unavailable");
    throw new ApiError("unavailable", "cannot change the user right now (session store unavailable); nothing was changed, retry shortly", undefined, {
      "Retry-After": "5",
    });
  }
  try {
    return await write();
  } finally {
    await END_CHANGE.run(redis, stateKeys(userId), []).catch((error: unknown) => {
      log.warn(
        { component: "auth", userId, err: error instanceof Error ? error.message : String(error) },
        "could not close a user change in Redis; the user's state is read from Postgres until the marker expires",
      );
    });
  }
}
