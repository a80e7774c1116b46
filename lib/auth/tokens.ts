import "server-only";
import { z } from "zod";
import { ApiError } from "@/lib/core/errors";
import { log } from "@/lib/core/log";
import { keys } from "@/lib/redis/keys";
import { appRedis, appStore } from "@/lib/redis/runtime";
import { ROLE_SCOPES, TOKEN_SCOPES, type TokenScope, type UserRole } from "@/lib/core/caller";
import { generateTokenText, hashToken, isTokenText, TOKEN_ID_PATTERN, tokenHint, tokenIdFromHash } from "@/lib/auth/token-format";

/**
 * API tokens in Redis: `tok:<sha256>` → metadata (TTL = expiry) and
 * `user-tok:<userId>` → the user's token hashes. The token text exists only
 * in the response that created it. The UI, the CLI and authenticate() all go
 * through these functions.
 */
export const tokenMetaSchema = z.object({
  id: z.string().regex(TOKEN_ID_PATTERN),
  userId: z.uuid(),
  name: z.string().min(1).max(80),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1),
  hint: z.string().max(16),
  createdAt: z.number().int(),
  expiresAt: z.number().int().nullable(),
  lastUsedAt: z.number().int().nullable(),
});
export type TokenMeta = z.infer<typeof tokenMetaSchema>;

export const tokenNameSchema = z.string().trim().min(1, "give the token a name").max(80, "use at most 80 characters");
export const MAX_TOKENS_PER_USER = 50;
/** Last-used time is written at most this often per token: one write a minute, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface TokenOwner {
  id: string;
  role: UserRole;
}

export interface CreateTokenInput {
  owner: TokenOwner;
  name: string;
  scopes: readonly TokenScope[];
  /** Lifetime in ms; null or absent = no expiry. */
  lifetimeMs?: number | null;
}

export async function createToken(input: CreateTokenInput): Promise<{ token: string; meta: TokenMeta }> {
  const name = tokenNameSchema.parse(input.name);
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new ApiError("validation_failed", "choose at least one scope");
  const allowed = ROLE_SCOPES[input.owner.role];
  const excess = scopes.filter((scope) => !allowed.includes(scope));
  if (excess.length) {
    throw new ApiError("forbidden", `your role (${input.owner.role}) cannot grant: ${excess.join(", ")}`, { scopes: excess });
  }
  const store = appStore();
  if ((await listTokens(input.owner.id)).length >= MAX_TOKENS_PER_USER) {
    throw new ApiError("conflict", `at most ${MAX_TOKENS_PER_USER} tokens per user; revoke some first`);
  }

  const token = generateTokenText();
  const hash = hashToken(token);
  const now = Date.now();
  const meta: TokenMeta = {
    id: tokenIdFromHash(hash),
    userId: input.owner.id,
    name,
    scopes: TOKEN_SCOPES.filter((scope) => scopes.includes(scope)),
    hint: tokenHint(token),
    createdAt: now,
    expiresAt: input.lifetimeMs ? now + input.lifetimeMs : null,
    lastUsedAt: null,
  };
  // Index first: a token that exists is always findable (and revocable) from its owner.
  await store.sAdd(keys.userTokensKey(meta.userId), [hash]);
  await store.set(keys.tokenKey(hash), JSON.stringify(meta), input.lifetimeMs ? { ttlMs: input.lifetimeMs } : {});
  return { token, meta };
}

/** A user's live tokens, newest first; entries that expired are pruned from the index. */
export async function listTokens(userId: string): Promise<TokenMeta[]> {
  const entries = await userTokenEntries(userId);
  return entries.map((entry) => entry.meta).sort((a, b) => b.createdAt - a.createdAt);
}

/** Revokes one of `userId`'s tokens by id; null when there is no such token of theirs. */
export async function revokeTokenById(userId: string, id: string): Promise<TokenMeta | null> {
  if (!TOKEN_ID_PATTERN.test(id)) return null;
  const entry = (await userTokenEntries(userId)).find((candidate) => candidate.meta.id === id);
  if (!entry) return null;
  await deleteToken(entry.hash, entry.meta.userId);
  return entry.meta;
}

/** Revokes a token given its text (the CLI's `revoke --token`). */
export async function revokeTokenByText(token: string): Promise<TokenMeta | null> {
  if (!isTokenText(token)) return null;
  const hash = hashToken(token);
  const meta = await readMeta(hash);
  if (!meta) return null;
  await deleteToken(hash, meta.userId);
  return meta;
}

/** Every token of a user (disabling does not need this; deleting an account would). */
export async function revokeUserTokens(userId: string): Promise<number> {
  const entries = await userTokenEntries(userId);
  for (const entry of entries) await deleteToken(entry.hash, userId);
  return entries.length;
}

/**
 * The metadata of a presented token, or null when unknown, revoked or expired.
 * Redis errors propagate: the caller must fail closed.
 */
export async function resolveToken(token: string): Promise<TokenMeta | null> {
  if (!isTokenText(token)) return null;
  const hash = hashToken(token);
  return acceptToken(await appStore().get(keys.tokenKey(hash)), hash);
}

/**
 * A token record as read (`tok:<sha256>`, raw) → its metadata when the token is live, and its
 * use recorded (at most once a minute, not awaited); null when unknown, unreadable or expired.
 */
export function acceptToken(raw: string | null, hash: string): TokenMeta | null {
  const meta = liveTokenMeta(raw, hash);
  if (meta) void recordTokenUse(hash, meta);
  return meta;
}

/** The same check without recording a use: the proxy's "does this header resolve?" for its rate-limit choice. */
export function liveTokenMeta(raw: string | null, hash: string): TokenMeta | null {
  const meta = raw === null ? null : parseMeta(raw, hash);
  // Redis expires the key; this guards the moments around the deadline and clock skew between instances.
  if (!meta || (meta.expiresAt !== null && meta.expiresAt <= Date.now())) return null;
  return meta;
}

async function readMeta(hash: string): Promise<TokenMeta | null> {
  const raw = await appStore().get(keys.tokenKey(hash));
  if (raw === null) return null;
  return parseMeta(raw, hash);
}

function parseMeta(raw: string, hash: string): TokenMeta | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = null;
  }
  const parsed = tokenMetaSchema.safeParse(json);
  if (!parsed.success || parsed.data.id !== tokenIdFromHash(hash)) {
    log.warn({ tokenId: tokenIdFromHash(hash) }, "unreadable API token record; treating it as revoked");
    return null;
  }
  return parsed.data;
}

async function userTokenEntries(userId: string): Promise<Array<{ hash: string; meta: TokenMeta }>> {
  const store = appStore();
  const indexKey = keys.userTokensKey(userId);
  const hashes = (await store.sMembers(indexKey)).filter((hash) => /^[0-9a-f]{64}$/.test(hash));
  if (hashes.length === 0) return [];
  const values = await store.mget(hashes.map((hash) => keys.tokenKey(hash)));
  const live: Array<{ hash: string; meta: TokenMeta }> = [];
  const stale: string[] = [];
  hashes.forEach((hash, i) => {
    const raw = values[i];
    const meta = raw == null ? null : parseMeta(raw, hash);
    if (meta && meta.userId === userId) live.push({ hash, meta });
    else stale.push(hash);
  });
  if (stale.length) await store.sRem(indexKey, stale);
  return live;
}

async function deleteToken(hash: string, userId: string): Promise<void> {
  const store = appStore();
  await store.del(keys.tokenKey(hash));
  await store.sRem(keys.userTokensKey(userId), [hash]);
}

/**
 * Records the last use, at most once a minute; resolveToken does not wait
 * for it (the promise never rejects, for tests to await). It must
 * never bring a revoked token back: against Redis the write is SET … XX
 * KEEPTTL (only if the key still exists, expiry untouched), one atomic command.
 */
export function recordTokenUse(hash: string, meta: TokenMeta): Promise<void> {
  const now = Date.now();
  if (meta.lastUsedAt !== null && now - meta.lastUsedAt < LAST_USED_RESOLUTION_MS) return Promise.resolve();
  const key = keys.tokenKey(hash);
  const value = JSON.stringify({ ...meta, lastUsedAt: now });
  const write = async () => {
    const redis = appRedis();
    if (redis) {
      await redis.call("SET", key, value, "XX", "KEEPTTL");
      return;
    }
    // Development's in-memory store: one process, so read-then-write is good enough.
    const store = appStore();
    const ttl = await store.pttl(key);
    if (ttl === -2) return;
    await store.set(key, value, ttl > 0 ? { ttlMs: ttl } : {});
  };
  return write().catch((error: unknown) => {
    log.warn({ tokenId: meta.id, err: error instanceof Error ? error.message : String(error) }, "could not record API token use");
  });
}
