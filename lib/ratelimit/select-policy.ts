import "server-only";
import { createHash } from "node:crypto";
import type { PolicyName } from "@/lib/ratelimit/policies";

/**
 * Which policy a request counts against, and under what identity. Pure, so
 * the proxy stays thin and every routing rule here has a unit test.
 */
export interface RequestFacts {
  method: string;
  pathname: string;
  /**
   * What the Authorization header turned out to be, as the proxy checked it
   * (lib/auth/gate-check.ts) — only where a header is an identity at all
   * (`authorizationCounts()`); elsewhere `{ kind: "none" }`.
   */
  credential: CredentialCheck;
  /** Next-Action header: a server action call. */
  serverAction: boolean;
  /** User id from a valid session JWT, if any (revocation is checked later, by the route). */
  userId: string | null;
  clientIp: string;
}

/**
 * An Authorization header is a claim, not an identity, until it resolves:
 * - `none`: no header (or one that nothing on this path reads);
 * - `verified`: an API token that resolves, or the scraper secret; `identifier` names it;
 * - `rejected`: malformed, unknown, revoked or expired — a failed authentication;
 * - `unknown`: the token store could not answer (the route answers 503 itself).
 */
export type CredentialCheck = { kind: "none" } | { kind: "verified"; identifier: string } | { kind: "rejected" } | { kind: "unknown" };

export interface PolicyChoice {
  policy: PolicyName;
  identifier: string;
}

const EXEMPT = [/^\/api\/health(\/|$)/, /^\/_next\/static\//, /^\/favicon/];
const HEALTH = /^\/api\/health(\/|$)/;
const SQL_PATHS = [/^\/api\/v1\/sql\/?$/, /^\/sql(\/|$)/, /^\/queries(\/|$)/];

/** Tokens are counted by a hash: the raw token never becomes a Redis key. */
export function tokenIdentifier(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 32);
}

/** The path as Next routes it: `.rsc` / segment-prefetch suffixes belong to the page they fetch. */
function routedPath(pathname: string): string {
  return pathname.replace(/\.(rsc|segments)(\/.*)?$/, "");
}

/**
 * The path's segments as a route handler receives them: empty ones dropped
 * (`//`, a trailing `/`) and each percent-decoded, as Next does for the
 * `[...nextauth]` params. An undecodable segment is kept as sent.
 */
function segments(pathname: string): string[] {
  return pathname
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/**
 * Whether next-auth (v4) treats the request as a sign-in attempt. Its
 * `[...nextauth]` catch-all takes `nextauth[0]` as the action and
 * `nextauth[1]` as the provider id and ignores any further segment
 * (next-auth/next/index.js), and only `POST callback/<provider>` checks
 * credentials (core/index.js; `POST signin/<provider>` starts OAuth or e-mail
 * flows and never calls `authorize`). Every provider's POST callback counts,
 * not just `credentials`: one added later must not start unlimited.
 */
export function isSignInAttempt(method: string, pathname: string): boolean {
  if (method !== "POST") return false;
  const [api, auth, action] = segments(routedPath(pathname));
  return api === "api" && auth === "auth" && action === "callback";
}

/**
 * Whether an Authorization header identifies the caller on this path: only
 * route handlers under /api read it (lib/server/6-route.ts); next-auth's
 * endpoints, pages and server actions go by the session cookie alone, so
 * there a header is noise and must not choose the bucket.
 */
export function authorizationCounts(facts: Pick<RequestFacts, "pathname" | "serverAction">): boolean {
  if (facts.serverAction) return false;
  const [api, second] = segments(routedPath(facts.pathname));
  return api === "api" && second !== "auth";
}

/**
 * Whether the request runs SQL: a POST to the SQL API or to the console and saved-query pages
 * (their server actions), or any call of a saved query's results (GET and HEAD run it as well
 * as POST), however its segments are spelled.
 */
export function isSqlRun(method: string, pathname: string): boolean {
  const path = routedPath(pathname);
  if (method === "POST" && SQL_PATHS.some((re) => re.test(path))) return true;
  const [api, v1, queries, id, results, ...rest] = segments(path);
  return api === "api" && v1 === "v1" && queries === "queries" && id !== undefined && results === "results" && rest.length === 0;
}

export function selectPolicies(facts: RequestFacts): PolicyChoice[] {
  const path = routedPath(facts.pathname);
  const credential = authorizationCounts(facts) ? facts.credential : ({ kind: "none" } as const);
  // Load balancers probe health without credentials, un-limited (readiness is cached and
  // costs no pool); a caller presenting credentials there is counted like anywhere else.
  const presentsCredentials = credential.kind !== "none" || facts.userId !== null;
  if (EXEMPT.some((re) => re.test(path)) && !(HEALTH.test(path) && presentsCredentials)) return [];
  const ip = `ip:${facts.clientIp}`;

  // sign-in-account is checked where the e-mail is known (lib/auth/sign-in.ts).
  if (isSignInAttempt(facts.method, path)) return [{ policy: "sign-in-ip", identifier: ip }];

  // A header that did not resolve is counted against the address it came from — the
  // anonymous budget it would otherwise escape — and against the strict failure budget.
  if (credential.kind === "rejected") {
    return [
      { policy: "anonymous", identifier: ip },
      { policy: "auth-failure-ip", identifier: ip },
    ];
  }
  if (credential.kind === "unknown") return [{ policy: "anonymous", identifier: ip }];

  const principal = credential.kind === "verified" ? credential.identifier : facts.userId ? `user:${facts.userId}` : null;
  const base: PolicyChoice =
    credential.kind === "verified"
      ? { policy: "api", identifier: principal! }
      : facts.userId
        ? { policy: "user", identifier: principal! }
        : { policy: "anonymous", identifier: ip };

  // Token creation is limited where it happens (lib/auth/token-service.ts), not by URL:
  // the tokens page posts other actions too (revoke, sign out).
  const extra: PolicyChoice[] = [];
  if (principal && isSqlRun(facts.method, path)) {
    extra.push({ policy: "sql", identifier: principal });
  }
  return [base, ...extra];
}
