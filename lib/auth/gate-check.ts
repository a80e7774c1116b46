import "server-only";
import { bearerToken } from "@/lib/core/headers";
import type { CredentialRead } from "@/lib/core/request-context";
import { keys } from "@/lib/redis/keys";
import { credentialReadAlongside } from "@/lib/auth/credential-read";
import type { SessionClaims } from "@/lib/auth/session-cookie";
import { hashToken, isTokenText } from "@/lib/auth/token-format";
import { liveTokenMeta } from "@/lib/auth/tokens";
import { enforce, type Enforcement } from "@/lib/ratelimit/enforce";
import { appRateLimiter } from "@/lib/ratelimit/runtime";
import { selectPolicies, tokenIdentifier, type CredentialCheck, type RequestFacts } from "@/lib/ratelimit/select-policy";
import { isMetricsToken } from "@/lib/security/metrics-token";

/**
 * The proxy's look at the caller, in one Redis round trip: the credential the route will
 * authenticate with (the token's record, else the session's) and its user's cached state are
 * read in the same pipeline as the rate-limit count (lib/ratelimit/limiter.ts, limitWith), and
 * handed to the route in the request context, which re-checks that read instead of making its own.
 *
 * The count has to be sent before the read answers, so it is made against the policy the request
 * earns if its credential resolves — the usual case. A token that turns out unknown, revoked or
 * expired (or a store that did not answer) is then counted where select-policy.ts puts it, its
 * address and the failure budget: a second round trip, on the failure path only. The count already
 * made went to that token's own bucket, which expires with its window.
 *
 * Deliberately not the route's authenticate(): nothing here refuses a caller (the route does, with
 * the same read) and no last-used write; the scraper secret and malformed headers need no I/O.
 */
export interface GateInput extends Omit<RequestFacts, "credential" | "userId"> {
  /** The Authorization header where it identifies the caller (`authorizationCounts()`), else null. */
  authorization: string | null;
  /** The decoded session JWT (no revocation check yet), if any. */
  session: SessionClaims | null;
  metricsToken?: string;
  /** Whether anything later in this request can take the read (a request context exists). */
  handOver: boolean;
}

export interface GateResult extends Enforcement {
  /** The read, for RequestContext.credential; absent when none was made or it failed. */
  credential?: CredentialRead;
}

type Presented = { kind: "none" | "other"; check: CredentialCheck } | { kind: "token"; hash: string; check: CredentialCheck };

/** What the header claims, told apart without I/O. */
function presented(authorization: string | null, metricsToken: string | undefined): Presented {
  if (authorization === null) return { kind: "none", check: { kind: "none" } };
  const token = bearerToken(authorization);
  if (token && isMetricsToken(authorization, metricsToken))
    return { kind: "other", check: { kind: "verified", identifier: `token:${tokenIdentifier(token)}` } };
  if (!token || !isTokenText(token)) return { kind: "other", check: { kind: "rejected" } };
  return { kind: "token", hash: hashToken(token), check: { kind: "verified", identifier: `token:${tokenIdentifier(token)}` } };
}

export async function checkAtGate(input: GateInput): Promise<GateResult> {
  const { authorization, session, metricsToken, handOver, ...request } = input;
  const facts = { ...request, userId: session?.sub ?? null };
  const claim = presented(authorization, metricsToken);
  const hoped = selectPolicies({ ...facts, credential: claim.check });
  const recordKey =
    claim.kind === "token" ? keys.tokenKey(claim.hash) : claim.kind === "none" && session && handOver ? keys.sessionKey(session.sid) : null;
  const [first] = hoped;
  // A token is read even where nothing takes the read: the policy depends on it. A session is not.
  if (!recordKey || !first) return enforce(hoped);

  const { decision, alongside } = await appRateLimiter().limitWith(first.policy, first.identifier, credentialReadAlongside(recordKey));
  const credential = alongside.ok && handOver ? alongside.value : undefined;
  if (claim.kind === "token") {
    const check: CredentialCheck = !alongside.ok
      ? { kind: "unknown" }
      : liveTokenMeta(alongside.value.record, claim.hash)
        ? claim.check
        : { kind: "rejected" };
    if (check.kind !== "verified") return { ...(await enforce(selectPolicies({ ...facts, credential: check }))), credential };
  }
  return { ...(await enforce(hoped, decision)), credential };
}
