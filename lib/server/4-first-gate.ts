import "server-only";
import type { ApiError } from "@/lib/core/errors";
import { headerValue, PEER_ADDRESS_HEADER, type HeaderSource } from "@/lib/core/headers";
import { REQUEST_ID_HEADER, requestIdOf } from "@/lib/core/request-id";
import { clientIp } from "@/lib/core/client-ip";
import { currentRequestContext } from "@/lib/core/request-context";
import { checkAtGate } from "@/lib/auth/gate-check";
import type { SessionClaims } from "@/lib/auth/session-cookie";
import { authorizationCounts } from "@/lib/ratelimit/select-policy";
import { env } from "@/lib/env";

/**
 * The first gate's decision, for every door a request can come in by: Next's proxy (proxy.ts)
 * and the direct API routes (4-direct-api.ts). Request id, client address, and in one Redis
 * round trip the rate limit and the read of the credential the route will check — handed to the
 * route through the request context, which re-checks it. Nothing here is the last word on who
 * the caller is.
 */
export interface FirstGateInput {
  method: string;
  pathname: string;
  headers: HeaderSource;
  /** A POST carrying Next-Action. */
  serverAction: boolean;
  /** The decoded session JWT (no revocation check yet), if any. */
  session: SessionClaims | null;
}

export interface FirstGateResult {
  requestId: string;
  clientIp: string;
  /** Set when the request must be refused (rate limited, or the limiter failing closed). */
  error?: ApiError;
  /** Rate-limit headers for the response, refused or not. */
  headers: Record<string, string>;
}

export async function firstGate(input: FirstGateInput): Promise<FirstGateResult> {
  const { method, pathname, headers, serverAction, session } = input;
  const requestId = requestIdOf(headerValue(headers, REQUEST_ID_HEADER));
  const ip = clientIp(headers, headerValue(headers, PEER_ADDRESS_HEADER), env().TRUST_PROXY);
  const context = currentRequestContext();
  // A header is resolved only where it would identify the caller.
  const authorization = authorizationCounts({ pathname, serverAction }) ? (headerValue(headers, "authorization") ?? null) : null;
  const {
    error,
    headers: limitHeaders,
    credential,
  } = await checkAtGate({
    method,
    pathname,
    serverAction,
    clientIp: ip,
    authorization,
    session,
    metricsToken: env().METRICS_TOKEN,
    handOver: context !== undefined,
  });
  if (context) context.credential = credential;
  return { requestId, clientIp: ip, error, headers: limitHeaders };
}
