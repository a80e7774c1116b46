import "server-only";

/**
 * Every Redis key the app writes, in one place, so families cannot collide and
 * an operator can find (or SCAN) any of them from this file.
 *
 * Layout: `sluice:[<namespace>:]<family>:<parts…>`. The namespace is for test
 * isolation and for several installations sharing one Redis; it is passed in,
 * never read from the environment here.
 */

export const KEY_ROOT = "sluice";

/** Decisions counted per policy and minute for the admin dashboard. */
export const RATE_LIMIT_DECISIONS = ["allowed", "limited", "fail-open", "fail-closed"] as const;
export type RateLimitDecisionKind = (typeof RATE_LIMIT_DECISIONS)[number];

// Key parts come from our own code (hashes, generated ids, policy names), but a
// stray ':' or glob character would let one family reach into another or make
// SCAN patterns lie, so parts are checked rather than trusted.
const PART = /^[A-Za-z0-9_.@-]{1,200}$/;
const NAMESPACE = /^[A-Za-z0-9_.-]{1,64}$/;

function part(kind: string, value: string | number): string {
  const text = String(value);
  if (!PART.test(text)) throw new Error(`invalid Redis key part for ${kind}: ${JSON.stringify(text.slice(0, 40))}`);
  return text;
}

export interface RedisKeys {
  /** `sluice:` or `sluice:<namespace>:` — every key starts with it. */
  readonly root: string;
  /** API token metadata, by the SHA-256 (hex) of the token. */
  tokenKey(sha256: string): string;
  /** next-auth session allowlist entry. */
  sessionKey(sid: string): string;
  /** Set of token hashes owned by a user (for listing and revoking all). */
  userTokensKey(userId: string | number): string;
  /** Set of session ids of a user (sign-out everywhere, password change). */
  userSessionsKey(userId: string | number): string;
  /** What authentication needs of a user (role, disabled, password change), cached beside tokens and sessions. */
  userStateKey(userId: string): string;
  /** Counter bumped when a change of the user starts: a rebuild that read before it may not cache. */
  userStateGenerationKey(userId: string): string;
  /** Changes of the user in flight (short TTL): while it exists nothing caches the user's state. */
  userStatePendingKey(userId: string): string;
  /**
   * The three user-state prefixes, for the credential-read script, which learns the user id from
   * the token or session record it reads and appends it itself.
   */
  userStatePrefixes(): { state: string; generation: string; pending: string };
  /** Prefix handed to @upstash/ratelimit; it appends `:<identifier>:<window>`. */
  rateLimitPrefix(policy: string): string;
  /** Dashboard counter: decisions of one policy in one minute bucket (epoch minutes). */
  rateLimitCounterKey(policy: string, decision: RateLimitDecisionKind, minuteBucket: number): string;
  /** Dashboard: identifiers refused by one policy in one minute bucket (sorted set, count as score). */
  rateLimitTopKey(policy: string, minuteBucket: number): string;
  /** Cached saved-query results, by a hash of query + parameters. */
  cacheKey(hash: string): string;
  /** One instance's pool-stats heartbeat (short TTL). */
  fleetKey(instance: string): string;
  /** SCAN pattern matching every fleet heartbeat. */
  fleetPattern(): string;
  /** Who runs the sandbox transaction on a backend: its pid and the transaction's start in epoch microseconds. */
  runTagKey(pid: number, xactStartUs: string): string;
}

export function createKeys(namespace?: string): RedisKeys {
  if (namespace !== undefined && !NAMESPACE.test(namespace)) {
    throw new Error(`invalid Redis key namespace: ${JSON.stringify(namespace)}`);
  }
  const root = namespace ? `${KEY_ROOT}:${namespace}:` : `${KEY_ROOT}:`;
  return {
    root,
    tokenKey: (sha256) => {
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("token key needs a lower-case hex SHA-256");
      return `${root}tok:${sha256}`;
    },
    sessionKey: (sid) => `${root}sess:${part("session id", sid)}`,
    userTokensKey: (userId) => `${root}user-tok:${part("user id", userId)}`,
    userSessionsKey: (userId) => `${root}user-sess:${part("user id", userId)}`,
    userStateKey: (userId) => `${root}ustate:${part("user id", userId)}`,
    userStateGenerationKey: (userId) => `${root}ustate-gen:${part("user id", userId)}`,
    userStatePendingKey: (userId) => `${root}ustate-pending:${part("user id", userId)}`,
    userStatePrefixes: () => ({ state: `${root}ustate:`, generation: `${root}ustate-gen:`, pending: `${root}ustate-pending:` }),
    rateLimitPrefix: (policy) => `${root}rl:${part("policy", policy)}`,
    rateLimitCounterKey: (policy, decision, minuteBucket) => {
      if (!Number.isSafeInteger(minuteBucket) || minuteBucket < 0) throw new Error("minute bucket must be a whole number");
      return `${root}rlc:${part("policy", policy)}:${part("decision", decision)}:${minuteBucket}`;
    },
    rateLimitTopKey: (policy, minuteBucket) => {
      if (!Number.isSafeInteger(minuteBucket) || minuteBucket < 0) throw new Error("minute bucket must be a whole number");
      return `${root}rlt:${part("policy", policy)}:${minuteBucket}`;
    },
    cacheKey: (hash) => `${root}cache:${part("cache hash", hash)}`,
    fleetKey: (instance) => `${root}fleet:${part("instance", instance)}`,
    fleetPattern: () => `${root}fleet:*`,
    runTagKey: (pid, xactStartUs) => {
      if (!Number.isSafeInteger(pid) || pid <= 0 || !/^\d{1,20}$/.test(xactStartUs))
        throw new Error("a run tag needs a backend pid and a start in microseconds");
      return `${root}run:${pid}:${xactStartUs}`;
    },
  };
}

/** Keys of the default (un-namespaced) installation. */
export const keys: RedisKeys = createKeys();
