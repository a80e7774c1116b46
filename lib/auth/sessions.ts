import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { keys } from "@/lib/redis/keys";
import { appStore } from "@/lib/redis/runtime";
import type { KvStore } from "@/lib/redis/types";

/**
 * The session allowlist. The next-auth JWT only names a session id; the
 * session is live while `sess:<sid>` exists in Redis. Deleting it (sign-out,
 * password change, disabling, admin revoke) ends the session on the very
 * next request everywhere, which a self-contained JWT could not do.
 *
 * The expiry is absolute (SESSION_TTL_S from sign-in), matching the JWT's.
 */
export const sessionRecordSchema = z.object({
  userId: z.uuid(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  /** The user's password_changed_at (database clock) at sign-in: a later change ends the session. */
  passwordChangedAt: z.number().int(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;
/** `handle` names a session in pages, forms and the audit log; the sid itself stays server-side. */
export type SessionInfo = SessionRecord & { sid: string; handle: string };

/** 32 random bytes; the alphabet fits keys.sessionKey's part rules. */
const SID = /^[A-Za-z0-9_-]{43}$/;

export function isSessionId(value: unknown): value is string {
  return typeof value === "string" && SID.test(value);
}

export const SESSION_HANDLE_PATTERN = /^[0-9a-f]{16}$/;

export function sessionHandle(sid: string): string {
  return createHash("sha256").update(sid).digest("hex").slice(0, 16);
}

export function sessionTtlMs(): number {
  return env().SESSION_TTL_S * 1000;
}

export async function createSession(
  user: { id: string; passwordChangedAt: Date },
  meta: { ip: string | null; userAgent: string | null },
  store: KvStore = appStore(),
): Promise<SessionInfo> {
  const sid = randomBytes(32).toString("base64url");
  const now = Date.now();
  const ttlMs = sessionTtlMs();
  const userId = user.id;
  const record: SessionRecord = { userId, createdAt: now, expiresAt: now + ttlMs, passwordChangedAt: user.passwordChangedAt.getTime(), ...meta };
  await store.set(keys.sessionKey(sid), JSON.stringify(record), { ttlMs });
  // The index lives as long as the newest session in it; stale ids are pruned on read.
  await store.sAdd(keys.userSessionsKey(userId), [sid], { ttlMs });
  return { sid, handle: sessionHandle(sid), ...record };
}

/**
 * The live session, or null when it was revoked or expired. A record that
 * does not parse is treated as revoked (and logged): fail closed.
 */
export async function readSession(sid: string, store: KvStore = appStore()): Promise<SessionRecord | null> {
  if (!isSessionId(sid)) return null;
  return parseSessionRecord(await store.get(keys.sessionKey(sid)), sid);
}

/** A `sess:<sid>` record as read → the session, or null (absent, or unreadable: revoked). */
export function parseSessionRecord(raw: string | null, sid: string): SessionRecord | null {
  if (raw === null) return null;
  const parsed = sessionRecordSchema.safeParse(safeJson(raw));
  if (!parsed.success) {
    log.warn({ sid: sid.slice(0, 8) }, "unreadable session record; treating it as revoked");
    return null;
  }
  return parsed.data;
}

export async function listUserSessions(userId: string, store: KvStore = appStore()): Promise<SessionInfo[]> {
  const indexKey = keys.userSessionsKey(userId);
  const sids = (await store.sMembers(indexKey)).filter(isSessionId);
  if (sids.length === 0) return [];
  const values = await store.mget(sids.map((sid) => keys.sessionKey(sid)));
  const live: SessionInfo[] = [];
  const stale: string[] = [];
  sids.forEach((sid, i) => {
    const parsed = sessionRecordSchema.safeParse(safeJson(values[i] ?? null));
    if (parsed.success && parsed.data.userId === userId) live.push({ sid, handle: sessionHandle(sid), ...parsed.data });
    else stale.push(sid);
  });
  if (stale.length) await store.sRem(indexKey, stale);
  return live.sort((a, b) => b.createdAt - a.createdAt);
}

/** True when a session was deleted. Only deletes a session of `userId`, so an id cannot reach another account's session. */
export async function revokeSession(userId: string, sid: string, store: KvStore = appStore()): Promise<boolean> {
  if (!isSessionId(sid)) return false;
  const record = await readSession(sid, store);
  await store.sRem(keys.userSessionsKey(userId), [sid]);
  if (!record || record.userId !== userId) return false;
  return (await store.del(keys.sessionKey(sid))) > 0;
}

/** Ends every session of a user; returns how many were live. */
export async function revokeUserSessions(userId: string, store: KvStore = appStore()): Promise<number> {
  const indexKey = keys.userSessionsKey(userId);
  const sids = (await store.sMembers(indexKey)).filter(isSessionId);
  const removed = sids.length ? await store.del(...sids.map((sid) => keys.sessionKey(sid))) : 0;
  await store.del(indexKey);
  return removed;
}

function safeJson(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
