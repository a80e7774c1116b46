import "server-only";
import { ZodError } from "zod";
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
  if (isRedisUnavailable(error)) {
    return new ApiError("unavailable", "a required service (Redis) is unavailable; retry shortly", undefined, { "Retry-After": "5" });
  }
  return new ApiError("internal", "something went wrong on our side; it has been logged");
}
