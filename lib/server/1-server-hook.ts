import "server-only";
import type http from "node:http";
import type net from "node:net";
import httpModule from "node:http";
import { singleton } from "@/lib/core/singleton";

/**
 * Next owns the http.Server and app code cannot reach it, so process-wide
 * request hooks sit on http.Server.prototype.emit (as the peer-address
 * preload does). One patch serves every hook, run in registration order:
 * - a RequestHook looks at the request first; returning "handled" means it
 *   answered the request itself and Next never sees it;
 * - a RequestWrapper runs around Next's handling (`next()` hands the request
 *   on), e.g. to open an AsyncLocalStorage scope that the whole request
 *   inherits.
 * Both get the request's path as Next will route it (requestPath), worked out
 * once per request.
 */
export type RequestHook = (request: http.IncomingMessage, response: http.ServerResponse, path: string) => "handled" | void;
export type RequestWrapper = (request: http.IncomingMessage, response: http.ServerResponse, path: string, next: () => boolean) => boolean;
/** Answers what Node could not parse as a request (its `clientError` event): it owns the socket. */
export type ClientErrorHandler = (error: Error & { code?: string }, socket: net.Socket) => void;
/** Answers a CONNECT request (Node's `connect` event, which Next does not listen to: the socket was dropped unanswered). */
export type ConnectHandler = (request: http.IncomingMessage, socket: net.Socket) => void;

interface HookState {
  hooks: Map<string, RequestHook>;
  wrappers: Map<string, RequestWrapper>;
  clientErrors: Map<string, ClientErrorHandler>;
  connects: Map<string, ConnectHandler>;
  patched: boolean;
}
const state = singleton<HookState>("sluiceRequestHooks", () => ({
  hooks: new Map(),
  wrappers: new Map(),
  clientErrors: new Map(),
  connects: new Map(),
  patched: false,
}));

/** Registers (or replaces, by name) a hook run on every request before Next handles it. */
export function onServerRequest(name: string, hook: RequestHook): void {
  state.hooks.set(name, hook);
  patchOnce();
}

/**
 * Registers (or replaces, by name) the answer to a request Node could not parse (oversized
 * headers, a malformed request line). With one registered, Node's own bare answer is skipped.
 */
export function onClientError(name: string, handler: ClientErrorHandler): void {
  state.clientErrors.set(name, handler);
  patchOnce();
}

/** Registers (or replaces, by name) the answer to a CONNECT request. */
export function onConnectRequest(name: string, handler: ConnectHandler): void {
  state.connects.set(name, handler);
  patchOnce();
}

/** Registers (or replaces, by name) a wrapper around Next's handling of every request no hook answered. */
export function aroundServerRequest(name: string, wrapper: RequestWrapper): void {
  state.wrappers.set(name, wrapper);
  patchOnce();
}

/**
 * The request's path as Next will route it: dot segments (also `%2e%2e`) resolved and
 * backslashes turned into slashes by the WHATWG URL parser, as Next's own parsing does, so
 * `/api/x/../v1/…` is classified as the /api/v1 request it becomes. The plain case skips the parse.
 */
function requestPath(request: http.IncomingMessage): string {
  const raw = request.url ?? "/";
  const path = raw.split("?", 1)[0]!;
  if (path.startsWith("/") && !/[.%\\]/.test(path) && !path.startsWith("//")) return path;
  try {
    return new URL(raw, "http://localhost").pathname;
  } catch {
    return path;
  }
}

/**
 * Calls `done` once, when the response closes or, failing that, when its socket does. A
 * pipelined HTTP/1.1 response that is still waiting for its turn never emits 'close' if the
 * client goes away (Node destroys only the waiting requests), so the socket's 'close' is the
 * backstop; one listener per socket serves every response on it.
 */
export function onResponseDone(response: http.ServerResponse, socket: net.Socket | null, done: () => void): void {
  let called = false;
  let pending: Set<() => void> | undefined;
  const once = () => {
    if (called) return;
    called = true;
    pending?.delete(once);
    done();
  };
  response.once("close", once);
  if (!socket) return;
  pending = pendingBySocket.get(socket);
  if (!pending) {
    const set = new Set<() => void>();
    pendingBySocket.set(socket, set);
    socket.once("close", () => {
      pendingBySocket.delete(socket);
      for (const callback of [...set]) callback();
    });
    pending = set;
  }
  pending.add(once);
}
const pendingBySocket = new WeakMap<net.Socket, Set<() => void>>();

/**
 * A pipelined response still waiting for its turn when the client leaves never emits 'close'
 * (Node destroys only the waiting request), so whatever waits for it would wait for good — Next's
 * abort signal for the route handler among them, and with it the handler's pool connection. Its
 * 'close' is emitted here when its socket closes first, as it would be for the response in turn.
 */
function closeWithSocket(response: http.ServerResponse, socket: net.Socket | null): void {
  if (!socket) return;
  let closed = false;
  response.once("close", () => (closed = true));
  onResponseDone(response, socket, () => {
    if (!closed && !response.writableFinished) response.emit("close");
  });
}

const withConnectListener = new WeakSet<http.Server>();

function patchOnce(): void {
  if (state.patched) return;
  state.patched = true;
  const emit = httpModule.Server.prototype.emit;
  httpModule.Server.prototype.emit = function emitWithHooks(this: http.Server, event: string | symbol, ...args: unknown[]) {
    const handOn = () => emit.apply(this, [event, ...args] as Parameters<typeof emit>);
    if (event === "clientError" && state.clientErrors.size > 0) {
      const [error, socket] = args as [Error, net.Socket];
      // The last registered answers: the socket can be answered once.
      [...state.clientErrors.values()].at(-1)!(error, socket);
      return true;
    }
    // Node emits 'connect' only to a server with a listener for it (else it drops the socket
    // unanswered), so one is added on the server's first connection, before any request on it.
    if (event === "connection" && state.connects.size > 0 && !withConnectListener.has(this)) {
      withConnectListener.add(this);
      this.on("connect", (request: http.IncomingMessage, socket: net.Socket) => [...state.connects.values()].at(-1)!(request, socket));
    }
    if (event !== "request") return handOn();
    const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
    closeWithSocket(response, request.socket);
    const path = requestPath(request);
    for (const run of state.hooks.values()) {
      if (run(request, response, path) === "handled") return true;
    }
    const wrappers = [...state.wrappers.values()];
    const step = (index: number): boolean => (index < wrappers.length ? wrappers[index]!(request, response, path, () => step(index + 1)) : handOn());
    return step(0);
  } as typeof emit;
}
