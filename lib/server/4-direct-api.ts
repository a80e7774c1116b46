import "server-only";
import type http from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { singleton } from "@/lib/core/singleton";
import { ApiError, errorResponse } from "@/lib/core/errors";
import { CLIENT_IP_HEADER } from "@/lib/core/headers";
import { REQUEST_ID_HEADER } from "@/lib/core/request-id";
import { log } from "@/lib/core/log";
import { env } from "@/lib/env";
import { countDirectRequest } from "@/lib/metrics";
import { staticSecurityHeaders } from "@/lib/security/static-headers";
import { applyContentSecurityPolicy } from "@/lib/security/content-security-policy";
import { aroundServerRequest } from "@/lib/server/1-server-hook";
import { firstGate } from "@/lib/server/4-first-gate";

/**
 * The direct path for token-authenticated API reads: the same first gate and the same route
 * handler as through Next, without Next's router, its proxy adapter and its request and response
 * conversions — which together cost more CPU per request than everything Sluice does for a table
 * read (bench/results/ANALYSIS.md).
 *
 * A route handler offers itself here when Next first loads its module
 * (lib/server/6-direct-route.ts), so the handler that answers is the very function Next would
 * call, with the module state Next's bundle holds. Until then, and for every request this path does
 * not take, Next answers as before. It takes only what it can answer exactly as Next would:
 * - GET and HEAD (no body to convert);
 * - an `Authorization` header and no `Cookie` (the API consumer: no session to decode, no page
 *   redirect, nothing next-auth would read);
 * - a path that is already in its final form (no dot segments or escapes to resolve) and one
 *   plain segment after a registered prefix.
 * The first gate (rate limit, the credential's read, request id, client address) is
 * lib/server/4-first-gate.ts, the one the proxy runs; the route wrapper then authenticates,
 * authorizes and logs as always. Responses carry the headers next.config.ts and the proxy add.
 */
export type DirectHandler = (request: Request, params: Record<string, string>) => Promise<Response>;

/** A registered route, kept under its prefix: the path up to its one parameter segment (`/api/v1/tables/`). */
export interface DirectRoute {
  param: string;
  handlers: Partial<Record<"GET" | "HEAD", DirectHandler>>;
}

/** Registered routes by prefix; on globalThis, shared by the instrumentation and route bundles. */
export function directRoutes(): Map<string, DirectRoute> {
  return singleton("sluiceDirectRoutes", () => new Map<string, DirectRoute>());
}

/** A parameter segment taken as is: anything else (escapes, odd characters) is Next's to decode. */
const PLAIN_SEGMENT = /^[\w.$-]+$/;
/** A Host the request's URL can be built from (anything else goes to Next, which answers it). */
const PLAIN_HOST = /^[\w.-]+(:\d{1,5})?$|^\[[\da-f:.]+\](:\d{1,5})?$/i;

/**
 * The shape alone lets through hosts the URL parser refuses (port 99999, `1.2.3.999`, `[::::]`):
 * `new Request` would throw on them after the gate and the client would get a dropped
 * connection, where Next answers them as any other request. They are left to Next.
 */
function usableHost(host: string | undefined): boolean {
  return host === undefined || (PLAIN_HOST.test(host) && URL.canParse(`http://${host}/`));
}

/** The registered handler that takes this request, with its params; null when Next should answer it. */
export function directRouteFor(
  request: Pick<http.IncomingMessage, "method" | "url" | "headers">,
  path: string,
  routes: Map<string, DirectRoute> = directRoutes(),
): { handler: DirectHandler; params: Record<string, string> } | null {
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") return null;
  const headers = request.headers;
  if (headers.authorization === undefined || headers.cookie !== undefined) return null;
  if (!usableHost(headers.host)) return null;
  // The raw target must already be the path Next would route (no `..`, `%2e`, `\`).
  const raw = request.url ?? "";
  if (raw.length < path.length || !raw.startsWith(path) || (raw.length > path.length && raw[path.length] !== "?")) return null;
  const slash = path.lastIndexOf("/");
  const route = routes.get(path.slice(0, slash + 1));
  const segment = path.slice(slash + 1);
  const handler = route?.handlers[method];
  if (!route || !handler || !PLAIN_SEGMENT.test(segment)) return null;
  return { handler, params: { [route.param]: segment } };
}

export function installDirectApi(): void {
  const production = env().NODE_ENV === "production";
  const fixed = Object.fromEntries(staticSecurityHeaders({ production }).map((header) => [header.key, header.value]));
  aroundServerRequest("direct-api", (request, response, path, next) => {
    const found = directRouteFor(request, path);
    if (!found) return next();
    countDirectRequest();
    serve(request, response, path, found.handler, found.params, { fixed, production }).catch((error: unknown) => {
      log.error({ component: "direct-api", err: error instanceof Error ? error.message : String(error) }, "direct API request failed");
      if (response.headersSent) return void response.destroy();
      void send(response, errorResponse(new ApiError("internal", "internal error")), fixed, "GET", undefined, new AbortController().signal);
    });
    return true;
  });
}

async function serve(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  pathname: string,
  handler: DirectHandler,
  params: Record<string, string>,
  options: { fixed: Record<string, string>; production: boolean },
): Promise<void> {
  const method = request.method!;
  // The handler's signal, and the writer's: aborted when the client goes away before the answer
  // is complete — also for a pipelined answer still waiting for its turn, which the server hook
  // closes with its socket (1-server-hook.ts, closeWithSocket), as it does for Next's handlers.
  const aborted = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) aborted.abort();
  });
  const gate = await firstGate({ method, pathname, headers: request.headers, serverAction: false, session: null });
  const answerHeaders = { ...options.fixed, ...gate.headers, [REQUEST_ID_HEADER]: gate.requestId };
  if (gate.error) return send(response, errorResponse(gate.error), answerHeaders, method, request.headers["accept-encoding"], aborted.signal);

  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (value) for (const each of value) headers.append(name, each);
  }
  headers.set(REQUEST_ID_HEADER, gate.requestId);
  headers.set(CLIENT_IP_HEADER, gate.clientIp);
  const security = applyContentSecurityPolicy(headers, { production: options.production });
  const url = `http://${request.headers.host ?? "localhost"}${request.url}`;
  const answer = await handler(new Request(url, { method, headers, signal: aborted.signal }), params);
  return send(response, answer, { ...answerHeaders, ...security }, method, request.headers["accept-encoding"], aborted.signal);
}

function writeHead(response: http.ServerResponse, answer: Response, extra: Record<string, string>, encoded = false): void {
  const headers: Record<string, string | string[]> = { ...extra };
  answer.headers.forEach((value, name) => {
    // An encoded body's length is not the handler's.
    if (name !== "set-cookie" && !(encoded && name === "content-length")) headers[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  // Set one by one, not passed to writeHead: headers given to writeHead are invisible to
  // getHeader, and the access log reads the request id there for the lines it writes (the gate's refusals).
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(answer.status);
}

/**
 * Status and headers, then the body chunk by chunk, waiting for the socket when it is full —
 * gzipped when the client accepts it, as Next's compression does for every answer it streams.
 */
async function send(
  response: http.ServerResponse,
  answer: Response,
  extra: Record<string, string>,
  method: string,
  acceptEncoding: string | undefined,
  gone: AbortSignal,
): Promise<void> {
  if (response.destroyed || gone.aborted) {
    await answer.body?.cancel();
    return;
  }
  const body = method === "HEAD" ? null : answer.body;
  const gzip = body !== null && acceptsGzip(acceptEncoding);
  writeHead(response, answer, { ...extra, Vary: "Accept-Encoding", ...(gzip ? { "Content-Encoding": "gzip" } : {}) }, gzip);
  if (!body) {
    await answer.body?.cancel();
    response.end();
    return;
  }
  try {
    if (gzip) await pipeline(Readable.fromWeb(body as import("node:stream/web").ReadableStream), createGzip(), response, { signal: gone });
    else await writeBody(response, body, gone);
  } catch (error) {
    if (gone.aborted || (response.destroyed && !response.writableFinished && isClientGone(error))) return;
    // A body that fails part-way cannot be answered any more: the client sees a cut connection, as from Next.
    log.warn({ component: "direct-api", err: error instanceof Error ? error.message : String(error) }, "response body failed");
    response.destroy();
  }
}

async function writeBody(response: http.ServerResponse, body: ReadableStream<Uint8Array>, gone: AbortSignal): Promise<void> {
  const reader = body.getReader();
  // A read pending when the client leaves would wait for good (a producer that stops on the
  // abort does not close its stream); cancelling ends it.
  const cancel = () => void reader.cancel().catch(() => {});
  gone.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (gone.aborted || response.destroyed) return cancel();
      if (done) break;
      if (!response.write(value)) await drained(response, gone);
    }
    response.end();
  } finally {
    gone.removeEventListener("abort", cancel);
  }
}

/** `gzip` (or `*`) listed in Accept-Encoding and not refused with q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((entry) => {
    const [coding, ...parameters] = entry.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    const q = parameters.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The stream ended because the client closed the connection (not a failure of the answer). */
function isClientGone(error: unknown): boolean {
  return (error as { code?: string })?.code === "ERR_STREAM_PREMATURE_CLOSE";
}

/** Room in the socket again, or the client gone (a response that closed before the wait would never emit either). */
function drained(response: http.ServerResponse, gone: AbortSignal): Promise<void> {
  if (response.destroyed || gone.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      gone.removeEventListener("abort", done);
      resolve();
    };
    response.once("drain", done);
    response.once("close", done);
    gone.addEventListener("abort", done, { once: true });
  });
}
