import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { singleton } from "@/lib/core/singleton";

/**
 * What one request accumulates while it runs, without threading a parameter
 * through every function: the pool gate adds each permit's wait here, and the
 * route wrapper reads the total for its log line and metrics.
 *
 * Kept on globalThis so that every bundle (route handlers, proxy, instrumentation)
 * and a dev hot reload share one store instead of each seeing an empty one.
 */
export interface RequestContext {
  requestId: string;
  /** Sum of the waits for pool permits, over every unit of work of the request. */
  poolWaitMs: number;
  /** Units of work that waited for a permit (0 when every acquire was immediate). */
  poolAcquires: number;
  /** The signed-in user, once a session check found one (for the page log line). */
  userId?: string;
  /** Set once a handler wrote the request's log line itself (lib/server/6-route.ts). */
  logged?: boolean;
  /**
   * A page that renders an answer other than 200 but has no Next primitive for its status
   * (the "unavailable" panel while Redis is down): lib/server/4-access-log.ts writes it as the
   * response's status, so monitors and CDNs do not read the panel as a success.
   */
  pageStatus?: { status: number; headers: Record<string, string> };
  /**
   * What the proxy read from Redis for this request's credential, in the same round trip as its
   * rate limit (lib/auth/gate-check.ts): authentication later in the same request re-checks it
   * instead of reading again. Set in process only — no header carries it, so a client cannot
   * supply one, and a request the proxy did not see has none and is read in full.
   */
  credential?: CredentialRead;
}

/**
 * A credential's Redis record (`tok:<sha256>` or `sess:<sid>`) and its user's cached state, read
 * together by one script (lib/auth/credential-read.ts). `state`, `generation` and `pending`
 * belong to the user the record names; they are empty when the record is.
 */
export interface CredentialRead {
  recordKey: string;
  record: string | null;
  /** The cached user state (JSON, lib/auth/user-state.ts), or null on a miss. */
  state: string | null;
  /** The user's change counter as read, for a rebuild's compare-and-set. */
  generation: string | null;
  /** A change of the user was in flight: a rebuild must not cache what it reads. */
  pending: boolean;
}

const storage = singleton("sluiceRequestContext", () => new AsyncLocalStorage<RequestContext>());

export function newRequestContext(requestId: string): RequestContext {
  return { requestId, poolWaitMs: 0, poolAcquires: 0 };
}

export function runInRequestContext<T>(requestId: string, fn: (context: RequestContext) => Promise<T>): Promise<T> {
  const context = newRequestContext(requestId);
  return storage.run(context, () => fn(context));
}

/** Runs fn, and everything it starts, with `context` as the current request context. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Called by the pool gate's acquire; outside a request (warmers, scripts) it does nothing. */
export function recordPoolWait(waitedMs: number): void {
  const context = storage.getStore();
  if (!context) return;
  context.poolWaitMs += waitedMs;
  context.poolAcquires += 1;
}
