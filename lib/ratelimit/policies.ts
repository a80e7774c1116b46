import { z } from "zod";

/**
 * The one rate-limit policy table. proxy.ts picks a policy per request; the
 * sign-in and token-creation policies are also checked where the account is
 * known (the credentials callback, the create-token action).
 *
 * Fail mode decides what happens when Redis is slow or down: reads stay
 * available ('open'); sign-in and token creation refuse ('closed'), because an
 * outage must not turn into an unlimited password-guessing or token-minting window.
 */

export const POLICY_NAMES = ["anonymous", "user", "api", "auth-failure-ip", "sign-in-ip", "sign-in-account", "token-create", "sql"] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/**
 * What the identifier passed to limit() must be:
 * ip = client IP (lib/core/client-ip.ts), user = user id, token = API token id,
 * account = normalised e-mail being signed into, principal = `user:<id>` or `token:<id>`.
 */
export type IdentifierKind = "ip" | "user" | "token" | "account" | "principal";
export type FailMode = "open" | "closed";
export type RateLimitAlgorithm = "sliding-window" | "fixed-window";

export interface RateLimitPolicy {
  readonly name: PolicyName;
  readonly description: string;
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  readonly algorithm: RateLimitAlgorithm;
  readonly identifier: IdentifierKind;
  readonly failMode: FailMode;
}

export type PolicyTable = Readonly<Record<PolicyName, RateLimitPolicy>>;

const MINUTE = 60_000;

export const DEFAULT_POLICIES: PolicyTable = {
  anonymous: {
    name: "anonymous",
    description: "requests without a session or token, per client IP",
    limit: 120,
    windowMs: MINUTE,
    algorithm: "sliding-window",
    identifier: "ip",
    failMode: "open",
  },
  user: {
    name: "user",
    description: "signed-in browser requests, per user",
    limit: 600,
    windowMs: MINUTE,
    algorithm: "sliding-window",
    identifier: "user",
    failMode: "open",
  },
  api: {
    name: "api",
    description: "token-authenticated /api/v1 requests, per token",
    limit: 300,
    windowMs: MINUTE,
    algorithm: "sliding-window",
    identifier: "token",
    failMode: "open",
  },
  "auth-failure-ip": {
    name: "auth-failure-ip",
    description: "requests whose Authorization header does not resolve (malformed, unknown, revoked, expired), per client IP",
    limit: 30,
    windowMs: 15 * MINUTE,
    algorithm: "sliding-window",
    identifier: "ip",
    // A header that does not resolve is refused by the route anyway, so an outage grants
    // nothing here; failing closed would only turn its 401s into 503s.
    failMode: "open",
  },
  "sign-in-ip": {
    name: "sign-in-ip",
    description: "sign-in attempts, per client IP",
    limit: 20,
    windowMs: 15 * MINUTE,
    algorithm: "sliding-window",
    identifier: "ip",
    failMode: "closed",
  },
  "sign-in-account": {
    name: "sign-in-account",
    description: "sign-in attempts, per account e-mail (whatever the IP)",
    limit: 5,
    windowMs: 15 * MINUTE,
    algorithm: "sliding-window",
    identifier: "account",
    failMode: "closed",
  },
  "token-create": {
    name: "token-create",
    description: "API token creation, per user",
    limit: 10,
    windowMs: 60 * MINUTE,
    algorithm: "sliding-window",
    identifier: "user",
    failMode: "closed",
  },
  sql: {
    name: "sql",
    description: "SQL console and /api/v1/sql runs, per user or token",
    limit: 30,
    windowMs: MINUTE,
    algorithm: "sliding-window",
    identifier: "principal",
    // Still a read: an outage of Redis should not stop analysts; the readonly
    // role, statement timeout and pool gate bound the damage on their own.
    failMode: "open",
  },
};

/** `sign-in-ip` → `SIGN_IN_IP`, the policy's part of its env variable names. */
export function policyEnvName(policy: PolicyName): string {
  return policy.toUpperCase().replace(/-/g, "_");
}

type EnvName<P extends PolicyName> = Uppercase<
  P extends `${infer A}-${infer B}-${infer C}` ? `${A}_${B}_${C}` : P extends `${infer A}-${infer B}` ? `${A}_${B}` : P
>;
type OverrideKey = `RATE_LIMIT_${EnvName<PolicyName>}_LIMIT` | `RATE_LIMIT_${EnvName<PolicyName>}_WINDOW_S`;

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const positiveInt = (max: number) => z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(max).optional());
const overrideValue = positiveInt(1_000_000);
type OverrideValue = typeof overrideValue;

/**
 * Env overrides, one pair per policy — `RATE_LIMIT_<POLICY>_LIMIT` (requests per
 * window) and `RATE_LIMIT_<POLICY>_WINDOW_S` — plus the limiter's deadline.
 * Spread into the env schema: `z.object({ ...base, ...rateLimitEnvShape })`.
 */
export const rateLimitEnvShape = {
  ...(Object.fromEntries(
    POLICY_NAMES.flatMap((policy) => [
      [`RATE_LIMIT_${policyEnvName(policy)}_LIMIT`, overrideValue],
      [`RATE_LIMIT_${policyEnvName(policy)}_WINDOW_S`, positiveInt(7 * 24 * 3600)],
    ]),
  ) as Record<OverrideKey, OverrideValue>),
  /** Deadline of one limiter call before the policy's fail mode applies. */
  RATE_LIMIT_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(10).max(10_000).default(500)),
};

export const rateLimitEnvSchema = z.object(rateLimitEnvShape);
export type RateLimitEnv = z.infer<typeof rateLimitEnvSchema>;

/**
 * The policy table with env overrides applied. Takes raw env-like values
 * (strings) or already-parsed ones; throws a ZodError listing every bad value.
 */
export function resolvePolicies(overrides: Record<string, unknown> = {}): PolicyTable {
  const parsed: Record<string, unknown> = rateLimitEnvSchema.parse(overrides);
  const table = {} as Record<PolicyName, RateLimitPolicy>;
  for (const name of POLICY_NAMES) {
    const base = DEFAULT_POLICIES[name];
    const limit = parsed[`RATE_LIMIT_${policyEnvName(name)}_LIMIT`];
    const windowS = parsed[`RATE_LIMIT_${policyEnvName(name)}_WINDOW_S`];
    table[name] = Object.freeze({
      ...base,
      limit: typeof limit === "number" ? limit : base.limit,
      windowMs: typeof windowS === "number" ? windowS * 1000 : base.windowMs,
    });
  }
  return Object.freeze(table);
}

export function isPolicyName(value: string): value is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(value);
}
