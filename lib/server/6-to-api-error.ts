import "server-only";
import { ZodError } from "zod";
import { isDatabaseBusy, isPoolError, type PoolError } from "@/lib/db/pool";
import { isRedisUnavailable } from "@/lib/redis/client";
import { ApiError } from "@/lib/core/errors";

/**
 * Maps anything a handler throws to the one error shape. Unknown errors
 * become a bare 500: their message may carry internals, so it is logged, not sent.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) {
    return new ApiError(
      "validation_failed",
      "the request is not valid",
      error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  if (isPoolError(error)) return poolErrorToApiError(error);
  if (isDatabaseBusy(error)) {
    // Too many connections, a lock or serialization conflict, a server shutting down: transient,
    // the server's doing, not the request's — answered like an unavailable pool.
    return new ApiError("unavailable", "the database is busy; retry shortly", undefined, { "Retry-After": "2" });
  }
  if (isRedisUnavailable(error)) {
    return new ApiError("unavailable", "a required service (Redis) is unavailable; retry shortly", undefined, { "Retry-After": "5" });
  }
  return new ApiError("internal", "something went wrong on our side; it has been logged");
}

/** The pool speaks in its own terms (lib/db/pool/errors.ts); this is where they become statuses. */
const POOL_CODES = {
  saturated: "pool_saturated",
  timeout: "pool_timeout",
  closed: "unavailable",
  unavailable: "unavailable",
  aborted: "bad_request",
} as const;

export function poolErrorToApiError(error: PoolError): ApiError {
  const headers = error.retryAfterS ? { "Retry-After": String(error.retryAfterS) } : undefined;
  return new ApiError(POOL_CODES[error.reason], error.message, error.details, headers);
}
