import "server-only";

/**
 * The key-value operations the app needs besides rate limiting (sessions,
 * tokens, cache, fleet stats). Two implementations — Redis, and memory for
 * development without Redis — honour one contract
 * (tests/integration/redis/store-contract.test.ts), including Redis' quirks:
 * WRONGTYPE on a type clash, integer-only INCR, a missing hash reads as {}.
 */
export interface KvStore {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  mget(keys: readonly string[]): Promise<Array<string | null>>;
  /** Returns false when `onlyIfAbsent` is set and the key exists. */
  set(key: string, value: string, options?: { ttlMs?: number; onlyIfAbsent?: boolean }): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
  /** Sets a key's time to live; false when the key does not exist. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /** Redis PTTL semantics: ms left, -1 without expiry, -2 when missing. */
  pttl(key: string): Promise<number>;
  /**
   * Adds `by` (default 1) and returns the new value. `ttlMs` applies only when
   * the key has no expiry yet, so a fixed window is not stretched by each hit.
   */
  incr(key: string, options?: { by?: number; ttlMs?: number }): Promise<number>;
  /** `ttlMs` (re)sets the whole set's expiry on every call. */
  sAdd(key: string, members: readonly string[], options?: { ttlMs?: number }): Promise<number>;
  sRem(key: string, members: readonly string[]): Promise<number>;
  sMembers(key: string): Promise<string[]>;
  /** `ttlMs` (re)sets the whole hash's expiry on every call. */
  hSet(key: string, fields: Readonly<Record<string, string>>, options?: { ttlMs?: number }): Promise<void>;
  hGetAll(key: string): Promise<Record<string, string>>;
  /** Keys matching a glob with `*` and `?` (SCAN, so never blocks Redis). Bounded by `limit`. */
  scanKeys(pattern: string, limit?: number): Promise<string[]>;
}

/** Every TTL the stores accept: a positive whole number of milliseconds. */
export function assertTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
}
