import "server-only";
import { assertTtl, type KvStore } from "@/lib/redis/types";

/**
 * Development stand-in for Redis when no REDIS_URL is set: a single process,
 * nothing persisted. It mimics Redis semantics where callers could notice the
 * difference (types, TTL rules, empty collections vanishing) so code that works
 * here works against Redis — the shared contract suite checks that.
 */

type Entry =
  | { type: "string"; value: string; expiresAt?: number }
  | { type: "set"; value: Set<string>; expiresAt?: number }
  | { type: "hash"; value: Map<string, string>; expiresAt?: number };

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const SWEEP_EVERY_OPS = 1000;

export class MemoryStore implements KvStore {
  readonly kind = "memory";
  private readonly entries = new Map<string, Entry>();
  private opsSinceSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string) {
    return this.read(key, "string")?.value ?? null;
  }

  async mget(keys: readonly string[]) {
    // Like Redis MGET: a key of another type reads as null instead of failing.
    return keys.map((key) => {
      const entry = this.live(key);
      return entry?.type === "string" ? entry.value : null;
    });
  }

  async set(key: string, value: string, options: { ttlMs?: number; onlyIfAbsent?: boolean } = {}) {
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    if (options.onlyIfAbsent && this.live(key)) return false;
    // SET replaces any type and drops the old expiry, as in Redis.
    this.entries.set(key, { type: "string", value, expiresAt: this.deadline(options.ttlMs) });
    return true;
  }

  async del(...keys: string[]) {
    let removed = 0;
    for (const key of keys) {
      if (this.live(key)) {
        this.entries.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  async expire(key: string, ttlMs: number) {
    assertTtl(ttlMs);
    const entry = this.live(key);
    if (!entry) return false;
    entry.expiresAt = this.deadline(ttlMs);
    return true;
  }

  async pttl(key: string) {
    const entry = this.live(key);
    if (!entry) return -2;
    if (entry.expiresAt === undefined) return -1;
    return Math.max(0, entry.expiresAt - this.now());
  }

  async incr(key: string, options: { by?: number; ttlMs?: number } = {}) {
    const by = options.by ?? 1;
    if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be an integer, got ${by}`);
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    const entry = this.read(key, "string");
    const current = entry ? Number(entry.value) : 0;
    if (entry && !/^-?\d+$/.test(entry.value)) throw new Error("ERR value is not an integer or out of range");
    const next = current + by;
    const expiresAt = entry?.expiresAt ?? this.deadline(options.ttlMs);
    this.entries.set(key, { type: "string", value: String(next), expiresAt });
    return next;
  }

  async sAdd(key: string, members: readonly string[], options: { ttlMs?: number } = {}) {
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    if (members.length === 0) return 0;
    let entry = this.read(key, "set");
    if (!entry) {
      entry = { type: "set", value: new Set() };
      this.entries.set(key, entry);
    }
    const before = entry.value.size;
    for (const member of members) entry.value.add(member);
    if (options.ttlMs !== undefined) entry.expiresAt = this.deadline(options.ttlMs);
    return entry.value.size - before;
  }

  async sRem(key: string, members: readonly string[]) {
    const entry = this.read(key, "set");
    if (!entry) return 0;
    let removed = 0;
    for (const member of members) if (entry.value.delete(member)) removed += 1;
    if (entry.value.size === 0) this.entries.delete(key);
    return removed;
  }

  async sMembers(key: string) {
    return [...(this.read(key, "set")?.value ?? [])];
  }

  async hSet(key: string, fields: Readonly<Record<string, string>>, options: { ttlMs?: number } = {}) {
    if (options.ttlMs !== undefined) assertTtl(options.ttlMs);
    const pairs = Object.entries(fields);
    if (pairs.length === 0) return;
    let entry = this.read(key, "hash");
    if (!entry) {
      entry = { type: "hash", value: new Map() };
      this.entries.set(key, entry);
    }
    for (const [field, value] of pairs) entry.value.set(field, value);
    if (options.ttlMs !== undefined) entry.expiresAt = this.deadline(options.ttlMs);
  }

  async hGetAll(key: string) {
    return Object.fromEntries(this.read(key, "hash")?.value ?? []);
  }

  async scanKeys(pattern: string, limit = 1000) {
    const matcher = globToRegExp(pattern);
    const found: string[] = [];
    for (const key of [...this.entries.keys()]) {
      if (found.length >= limit) break;
      if (this.live(key) && matcher.test(key)) found.push(key);
    }
    return found;
  }

  /** The entry if present, unexpired and of the wanted type; WRONGTYPE otherwise, like Redis. */
  private read<T extends Entry["type"]>(key: string, type: T): Extract<Entry, { type: T }> | undefined {
    const entry = this.live(key);
    if (!entry) return undefined;
    if (entry.type !== type) throw new Error(WRONGTYPE);
    return entry as Extract<Entry, { type: T }>;
  }

  private live(key: string): Entry | undefined {
    this.maybeSweep();
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private deadline(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.now() + ttlMs;
  }

  // Expired keys nobody reads again would otherwise stay forever.
  private maybeSweep() {
    this.opsSinceSweep += 1;
    if (this.opsSinceSweep < SWEEP_EVERY_OPS) return;
    this.opsSinceSweep = 0;
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}

/** Redis glob subset: `*`, `?` and `\` escapes — what SCAN patterns in this app use. */
function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] ?? "";
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "\\" && i + 1 < pattern.length) source += escapeRegExp(pattern[++i] ?? "");
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, "s");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
