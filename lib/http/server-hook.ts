import http from "node:http";

/**
 * Next owns the http.Server and app code cannot reach it, so process-wide
 * request hooks sit on http.Server.prototype.emit (as the peer-address
 * preload does). One patch serves every hook; a hook that returns "handled"
 * has answered the request itself and Next never sees it.
 */
export type RequestHook = (request: http.IncomingMessage, response: http.ServerResponse) => "handled" | void;

interface HookState {
  hooks: Map<string, RequestHook>;
  patched: boolean;
}
const globalForHooks = globalThis as unknown as { sluiceRequestHooks?: HookState };
const state = (globalForHooks.sluiceRequestHooks ??= { hooks: new Map(), patched: false });

/** Registers (or replaces, by name) a hook run on every request before Next handles it, in registration order. */
export function onServerRequest(name: string, hook: RequestHook): void {
  state.hooks.set(name, hook);
  if (state.patched) return;
  state.patched = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emitWithHooks(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
      for (const run of state.hooks.values()) {
        if (run(request, response) === "handled") return true;
      }
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof emit;
}
