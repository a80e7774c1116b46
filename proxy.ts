import { NextResponse, type NextRequest } from "next/server";
import { errorResponse, ApiError } from "@/lib/core/errors";
import { CLIENT_IP_HEADER } from "@/lib/core/headers";
import { REQUEST_ID_HEADER } from "@/lib/core/request-id";
import { env } from "@/lib/env";
import { firstGate } from "@/lib/server/4-first-gate";
import { sessionClaimsAtGate } from "@/lib/auth/session-user";
import { hasSessionCookie } from "@/lib/auth/session-cookie";
import { applyContentSecurityPolicy } from "@/lib/security/content-security-policy";

/**
 * The first gate, deliberately thin: request id, client address, rate limit,
 * and a coarse "signed in at all?" check. Route handlers and server actions
 * re-check authentication themselves; nothing here is the last word.
 */
const SIGNED_IN_PAGES = /^\/(explore|sql|queries|settings|admin)(\/|\.rsc|$)/;
const API_NEEDS_CREDENTIALS = /^\/api\/(v1|admin)(\/|$)/;
const PUBLIC_API = /^\/api\/v1\/openapi\.json$/;

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const serverAction = request.headers.has("next-action");
  const { requestId, clientIp, error, headers } = await firstGate({
    method: request.method,
    pathname,
    headers: request.headers,
    serverAction,
    session: await sessionClaimsAtGate(request),
  });
  if (error) return withHeaders(errorResponse(error), { ...headers, [REQUEST_ID_HEADER]: requestId });

  const signedIn = hasSessionCookie(request);
  if (!signedIn && SIGNED_IN_PAGES.test(pathname) && !request.headers.has("next-action")) {
    const signIn = new URL("/sign-in", request.url);
    signIn.searchParams.set("callbackUrl", pathname + request.nextUrl.search);
    return withHeaders(NextResponse.redirect(signIn), { [REQUEST_ID_HEADER]: requestId });
  }
  if (!signedIn && API_NEEDS_CREDENTIALS.test(pathname) && !PUBLIC_API.test(pathname) && !request.headers.has("authorization")) {
    const unauthorized = new ApiError("unauthorized", "sign in, or send an API token as Authorization: Bearer slc_…");
    return withHeaders(errorResponse(unauthorized), { ...headers, [REQUEST_ID_HEADER]: requestId });
  }

  const forwarded = new Headers(request.headers);
  forwarded.set(REQUEST_ID_HEADER, requestId);
  forwarded.set(CLIENT_IP_HEADER, clientIp);
  forwarded.delete("x-middleware-subrequest");
  const security = applyContentSecurityPolicy(forwarded, { production: env().NODE_ENV === "production" });
  return withHeaders(NextResponse.next({ request: { headers: forwarded } }), { ...headers, ...security, [REQUEST_ID_HEADER]: requestId });
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but built assets; RSC, prefetch and data requests included on purpose.
  // /api/bench is the benchmark's bare baseline (404 unless BENCH_ENDPOINTS=on).
  matcher: ["/((?!_next/static|_next/image|favicon\\.svg|api/bench/).*)"],
};
