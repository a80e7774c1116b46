import "server-only";
import type http from "node:http";
import type net from "node:net";
import { ApiError } from "@/lib/core/errors";
import { REQUEST_ID_HEADER, requestIdOf } from "@/lib/core/request-id";
import { env } from "@/lib/env";
import { staticSecurityHeaders } from "@/lib/security/static-headers";
import { allowedMethods, HTTP_METHODS, matchApiRoute, NEXTAUTH_ROUTE, nextAuthMethods } from "@/lib/server/api-routes";
import { onClientError, onConnectRequest, onServerRequest } from "@/lib/server/1-server-hook";

/**
 * Requests Next would answer outside the one error shape, refused before Next sees them (each
 * one measured on the production server):
 * - a method Next does not serve (TRACE, CONNECT, anything made up): Next threw a 500 with a
 *   stack trace, before the rate limiter — now 405 with `Allow`;
 * - a malformed percent-escape in the path (`/explore/%ZZ`): Next's route matching threw, a
 *   plain-text 500 — now 400;
 * - an /api path no route serves: Next's HTML 404 page — now a 404 in the shape; a method the
 *   route does not export: Next's empty 405 — now a 405 with `Allow` (lib/server/api-routes.ts);
 *   an action next-auth does not serve (`/api/auth/tables/…`, `HEAD /api/auth/session`): its
 *   plain-text 400 — now a 404, or a 405 with the methods it serves that action on;
 * - a server action from a foreign Origin: Next's CSRF check threw, a 500 — now 403, and without
 *   an Origin (Next let it run) a 403 as well;
 * - `X-Forwarded-Host` is removed unless TRUST_PROXY names a proxy in front that sets it: Next's
 *   own CSRF check compares Origin with it, so a forged one made a foreign Origin look local;
 * - and malformed HTTP Node refuses itself (oversized headers: a bare 431) through the server's
 *   clientError event.
 * Cheap and answered from memory, like the admission limit's refusals; not rate limited.
 */
const SERVED = new Set<string>(HTTP_METHODS);

export interface RequestFacts {
  method: string;
  /** The path as the client sent it (before `?`), still percent-encoded. */
  rawPath: string;
  /** The path as Next will route it (dot segments resolved; lib/server/1-server-hook.ts). */
  path: string;
  serverAction: boolean;
  origin: string | undefined;
  /** The host the client addressed: X-Forwarded-Host behind a trusted proxy, else Host. */
  host: string | undefined;
}

export interface Refusal {
  error: ApiError;
  headers: Record<string, string>;
}

const refuse = (error: ApiError, headers: Record<string, string> = {}): Refusal => ({ error, headers });

/** The percent-decoded, non-empty segments of a path, or null when an escape is malformed. */
export function decodedSegments(path: string): string[] | null {
  try {
    return path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** Pure: whether (and how) to refuse the request before Next. */
export function requestRefusal(facts: RequestFacts): Refusal | null {
  if (!SERVED.has(facts.method)) {
    return refuse(new ApiError("method_not_allowed", `this server does not serve ${facts.method.slice(0, 20)} requests`), {
      Allow: HTTP_METHODS.join(", "),
    });
  }
  if (decodedSegments(facts.rawPath) === null) {
    return refuse(new ApiError("bad_request", "the path holds a malformed percent-escape (e.g. %ZZ)"));
  }
  const segments = decodedSegments(facts.path) ?? [];
  if (segments[0] === "api") {
    const route = matchApiRoute(segments);
    if (!route) return refuse(new ApiError("not_found", "no API endpoint at this path; see /api/v1/openapi.json"));
    // next-auth's catch-all serves a fixed set of actions, each on its own methods.
    const auth = route.path === NEXTAUTH_ROUTE ? nextAuthMethods(segments[2]) : null;
    if (auth?.length === 0) return refuse(new ApiError("not_found", "no sign-in endpoint at this path"));
    const allowed = auth ? [...auth, "OPTIONS"].sort() : allowedMethods(route);
    if (!(allowed as string[]).includes(facts.method)) {
      return refuse(new ApiError("method_not_allowed", `${facts.method} is not allowed here; allowed: ${allowed.join(", ")}`), {
        Allow: allowed.join(", "),
      });
    }
  }
  if (facts.serverAction && !sameOrigin(facts.origin, facts.host)) {
    return refuse(new ApiError("forbidden", "server actions are accepted only from this site's own origin (Origin header)"));
  }
  return null;
}

function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host.toLowerCase() === host.trim().toLowerCase();
  } catch {
    return false;
  }
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim();

export function installRequestChecks(): void {
  const config = env();
  const trustProxy = config.TRUST_PROXY !== undefined;
  const securityHeaders = Object.fromEntries(staticSecurityHeaders({ production: config.NODE_ENV === "production" }).map((h) => [h.key, h.value]));
  onServerRequest("request-checks", (request, response, path) => {
    // Not ours to believe without a proxy that sets it; Next reads it for its CSRF check.
    if (!trustProxy) delete request.headers["x-forwarded-host"];
    const refusal = requestRefusal({
      method: request.method ?? "GET",
      rawPath: (request.url ?? "/").split("?", 1)[0]!,
      path,
      serverAction: request.method === "POST" && request.headers["next-action"] !== undefined,
      origin: first(request.headers.origin),
      host: (trustProxy ? first(request.headers["x-forwarded-host"]) : undefined) ?? request.headers.host,
    });
    if (!refusal) return;
    send(response, refusal, { ...securityHeaders, [REQUEST_ID_HEADER]: requestIdOf(request.headers[REQUEST_ID_HEADER]) });
    return "handled";
  });
  onClientError("request-checks", (error, socket) => answerClientError(error, socket, securityHeaders));
  // Node hands CONNECT to its own event, which nothing serves: answered like any other odd method.
  onConnectRequest("request-checks", (_request, socket) => {
    const error = new ApiError("method_not_allowed", "this server does not serve CONNECT requests");
    writeRaw(socket, error, { ...securityHeaders, Allow: HTTP_METHODS.join(", ") });
    socket.destroySoon();
  });
}

function send(response: http.ServerResponse, refusal: Refusal, headers: Record<string, string>): void {
  const body = JSON.stringify(refusal.error.toBody());
  response.writeHead(refusal.error.status, {
    ...headers,
    ...refusal.error.headers,
    ...refusal.headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  response.end(body);
}

/**
 * What Node answers itself — a request it could not parse (oversized headers, a malformed
 * request line) — in the shape: the same statuses Node uses (431, 408, 400), with a JSON body.
 */
function answerClientError(error: Error & { code?: string }, socket: net.Socket, securityHeaders: Record<string, string>): void {
  if (error.code !== "ECONNRESET" && socket.writable && socket.bytesWritten === 0) {
    const apiError =
      error.code === "HPE_HEADER_OVERFLOW"
        ? new ApiError("headers_too_large", "the request's headers are too large")
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? new ApiError("request_timeout", "the request took too long to arrive")
          : new ApiError("bad_request", "the request is not valid HTTP");
    // Ended, not destroyed at once: a reset would discard the answer while the client still sends.
    writeRaw(socket, apiError, securityHeaders);
    socket.end();
    setTimeout(() => socket.destroy(), 2000).unref();
    return;
  }
  socket.destroy(error);
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  405: "Method Not Allowed",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

/** A whole response written straight to a socket that has no ServerResponse (clientError, CONNECT). */
function writeRaw(socket: net.Socket, error: ApiError, headers: Record<string, string>): void {
  const body = JSON.stringify(error.toBody());
  const head = [
    `HTTP/1.1 ${error.status} ${REASONS[error.status] ?? "Error"}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Cache-Control: no-store",
    "Connection: close",
  ];
  socket.write(`${head.join("\r\n")}\r\n\r\n${body}`);
}
