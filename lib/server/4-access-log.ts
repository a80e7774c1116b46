import "server-only";
import type http from "node:http";
import { REQUEST_ID_HEADER } from "@/lib/core/request-id";
import { log } from "@/lib/core/log";
import { newRequestContext, runWithRequestContext } from "@/lib/core/request-context";
import { aroundServerRequest, onResponseDone } from "@/lib/server/1-server-hook";

/**
 * One log line per request that nothing else logs: pages (and their RSC and
 * prefetch requests) and next-auth's /api/auth routes as `page`, and API
 * requests that never reached lib/server/6-route.ts (refused by the proxy: 401,
 * 429; unknown paths) as `request`, the same message the route wrapper
 * writes for the ones it handles. Server actions log their own `action`
 * line. The request runs inside a request context, so the session check
 * records who it was (userId), the pool gate its waits and the route wrapper
 * that it logged; the line is written when the response closes, with the
 * request id the proxy chose.
 */
const API = /^\/api\/(?!auth\/)/;
const NOT_LOGGED = /^\/(_next\/static\/|_next\/image|favicon)/;

export function installAccessLog(): void {
  const httpLog = log.child({ component: "http" });
  aroundServerRequest("access-log", (request, response, pathname, next) => {
    // A server action is a POST carrying Next-Action; the header on anything else changes nothing.
    const serverAction = request.method === "POST" && request.headers["next-action"] !== undefined;
    if (NOT_LOGGED.test(pathname) || serverAction) return next();
    const started = performance.now();
    const context = newRequestContext("");
    const message = API.test(pathname) ? "request" : "page";
    onResponseDone(response, request.socket, () => {
      if (!context.logged) httpLog.info(lineFor(request, response, pathname, started, context), message);
    });
    applyPageStatus(response, context);
    return runWithRequestContext(context, next);
  });
}

/**
 * A page that asked for a status of its own (RequestContext.pageStatus) gets it in place of the
 * 200 Next would send: the head is written once the shell has rendered, after the layout's
 * session check, so the status is known by then.
 */
function applyPageStatus(response: http.ServerResponse, context: ReturnType<typeof newRequestContext>): void {
  const writeHead = response.writeHead;
  response.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    const wanted = context.pageStatus;
    const status = typeof args[0] === "number" ? args[0] : this.statusCode;
    if (wanted && status === 200) {
      for (const [name, value] of Object.entries(wanted.headers)) this.setHeader(name, value);
      if (typeof args[0] === "number") args[0] = wanted.status;
      else this.statusCode = wanted.status;
      // A reason phrase Next passed along with 200 would contradict the new status.
      if (typeof args[1] === "string") args.splice(1, 1);
    }
    return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
  } as typeof response.writeHead;
}

function lineFor(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  pathname: string,
  started: number,
  context: ReturnType<typeof newRequestContext>,
) {
  const requestId = response.getHeader(REQUEST_ID_HEADER);
  return {
    requestId: typeof requestId === "string" ? requestId : undefined,
    method: request.method,
    route: pathname,
    status: response.statusCode,
    ms: Math.round(performance.now() - started),
    poolWaitMs: Math.round(context.poolWaitMs * 10) / 10,
    userId: context.userId,
    // Client-side navigations and prefetches fetch the RSC payload, not HTML.
    rsc: request.headers.rsc === "1" || undefined,
    // The client went away before the response was complete.
    aborted: !response.writableFinished || undefined,
  };
}
