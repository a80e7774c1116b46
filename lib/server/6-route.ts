import "server-only";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { authenticate } from "@/lib/auth/authenticate";
import type { Caller, TokenScope, UserRole } from "@/lib/core/caller";
import { authorize } from "@/lib/server/5-authorize";
import { log } from "@/lib/core/log";
import { observeRequest } from "@/lib/metrics";
import { currentRequestContext, runInRequestContext } from "@/lib/core/request-context";
import { ApiError, errorResponse } from "@/lib/core/errors";
import { readJsonBody, DEFAULT_MAX_BODY_BYTES } from "@/lib/server/6-read-body";
import { requestIdFrom, REQUEST_ID_HEADER } from "@/lib/core/request-id";
import { toApiError } from "@/lib/server/6-to-api-error";
import { recordRecentError } from "@/lib/fleet/recent-errors";
import { CLIENT_CLOSED_REQUEST } from "@/lib/metrics/route-label";

/**
 * The one wrapper every route handler goes through: authenticate (session or
 * bearer token, checked against Redis), authorize (role and scope), parse
 * params / query / body with zod, map every error to the one error shape,
 * and log one line. The proxy is only a first gate; this is the real one.
 */
type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteOptions<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  /** "public": anyone; "caller": a signed-in user or a token (default). */
  auth?: "public" | "caller";
  /** The caller needs every one of these scopes (a session user's scopes follow from the role). */
  scopes?: TokenScope[];
  /** Minimum role of the user behind the session or token. */
  role?: UserRole;
  params?: P;
  query?: Q;
  body?: B;
  maxBodyBytes?: number;
}

export interface RouteContext<P, Q, B> {
  request: NextRequest;
  requestId: string;
  caller: Caller | null;
  params: P;
  query: Q;
  body: B;
  /** Aborts when the client goes away: pass it to pool work so queued requests leave the queue. */
  signal: AbortSignal;
}

export type AuthedRouteContext<P, Q, B> = RouteContext<P, Q, B> & { caller: Caller };

type Handler<C> = (context: C) => Promise<Response | object | null>;

export function route<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  options: RouteOptions<P, Q, B> & { auth: "public" },
  handler: Handler<RouteContext<Infer<P>, Infer<Q>, Infer<B>>>,
): (request: NextRequest, segment: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
export function route<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  options: RouteOptions<P, Q, B>,
  handler: Handler<AuthedRouteContext<Infer<P>, Infer<Q>, Infer<B>>>,
): (request: NextRequest, segment: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
export function route(options: RouteOptions<Schema | undefined, Schema | undefined, Schema | undefined>, handler: Handler<never>) {
  return (request: NextRequest, segment: { params: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    // The server's access log (lib/server/4-access-log.ts) writes a line only for requests no handler logged.
    const outer = currentRequestContext();
    if (outer) outer.logged = true;
    return runInRequestContext(requestIdFrom(request.headers), async (requestContext) => {
      // What the proxy read for this request's credential: authenticate() re-checks it (no second round trip).
      requestContext.credential = outer?.credential;
      const started = performance.now();
      const requestId = requestContext.requestId;
      let caller: Caller | null = null;
      let response: Response;
      try {
        caller = await authenticate(request);
        if (options.auth !== "public") {
          if (!caller) throw new ApiError("unauthorized", "sign in, or send an API token as Authorization: Bearer slc_…");
          authorize(caller, options);
        }
        const url = new URL(request.url);
        const context: RouteContext<unknown, unknown, unknown> = {
          request,
          requestId,
          caller,
          params: options.params ? options.params.parse(await segment.params) : undefined,
          query: options.query ? options.query.parse(Object.fromEntries(url.searchParams)) : undefined,
          body: options.body ? options.body.parse(await readJsonBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) : undefined,
          signal: request.signal,
        };
        const result = await (handler as Handler<RouteContext<unknown, unknown, unknown>>)(context);
        response = result instanceof Response ? result : Response.json(result ?? null, { headers: { "Cache-Control": "no-store" } });
      } catch (error) {
        if (request.signal.aborted) {
          // The client went away: nobody reads this answer, and it is not a failure of ours —
          // logged and counted as its own outcome (499), never as a 5xx or a "recent error".
          response = new Response(null, { status: CLIENT_CLOSED_REQUEST });
        } else {
          response = failureResponse(error, requestId, request);
        }
      }
      response.headers.set(REQUEST_ID_HEADER, requestId);
      const observed = {
        method: request.method,
        pathname: new URL(request.url).pathname,
        status: response.status,
        durationMs: performance.now() - started,
        poolWaitMs: requestContext.poolWaitMs,
      };
      observeRequest(observed);
      log.info(
        {
          requestId,
          method: observed.method,
          route: observed.pathname,
          status: observed.status,
          ms: Math.round(observed.durationMs),
          poolWaitMs: Math.round(observed.poolWaitMs * 10) / 10,
          userId: caller?.userId,
          tokenId: caller?.tokenId,
        },
        "request",
      );
      return response;
    });
  };
}

function failureResponse(error: unknown, requestId: string, request: NextRequest): Response {
  const apiError = toApiError(error);
  if (apiError.status >= 500 && apiError.code === "internal") {
    log.error(
      { requestId, err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) },
      "unhandled error in route",
    );
  }
  if (apiError.status >= 500) {
    recordRecentError(`route ${new URL(request.url).pathname}`, `${apiError.status} ${apiError.code}: ${apiError.message}`);
  }
  return errorResponse(apiError);
}
