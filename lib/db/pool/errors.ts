import "server-only";
import { GateError } from "@/lib/db/pool/gate";
import type { Role } from "@/lib/db/roles";
/**
 * What a pool refuses with. The pool speaks in its own terms; only the HTTP edge
 * (toApiError) turns these into statuses and the error shape.
 */
export type PoolErrorReason =
  /** All connections busy and the wait queue full: refused at once. */
  | "saturated"
  /** Waited the acquire timeout without a connection becoming free. */
  | "timeout"
  /** The caller went away while waiting. */
  | "aborted"
  /** The pool is closing (shutdown). */
  | "closed"
  /** The database cannot be reached, or the connection failed under the unit. */
  | "unavailable";

export class PoolError extends Error {
  constructor(
    readonly reason: PoolErrorReason,
    message: string,
    /** Seconds a client should wait before retrying; none for "aborted". */
    readonly retryAfterS?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "PoolError";
  }
}

/** Also across server bundles, where the class may be loaded twice. */
export function isPoolError(error: unknown, ...reasons: PoolErrorReason[]): error is PoolError {
  if (typeof error !== "object" || error === null || (error as { name?: unknown }).name !== "PoolError") return false;
  return reasons.length === 0 || reasons.includes((error as PoolError).reason);
}

/** A unit the pool turned away before it started: it did no work and costs nothing to retry. */
export function neverStarted(error: unknown): boolean {
  return isPoolError(error, "saturated", "timeout", "aborted", "closed");
}

/** The gate's refusals, in the pool's terms. */
export function gateErrorToPoolError(error: unknown, role: Role): unknown {
  if (!(error instanceof GateError)) return error;
  switch (error.reason) {
    case "saturated":
      return new PoolError("saturated", `too many concurrent requests for the ${role} pool; retry shortly`, 1);
    case "timeout":
      return new PoolError("timeout", `no ${role} connection became free in time; retry shortly`, 1);
    case "closed":
      return new PoolError("closed", "the server is shutting down", 1);
    case "aborted":
      return new PoolError("aborted", "the request was aborted");
  }
}
