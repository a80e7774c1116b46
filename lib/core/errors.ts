/**
 * The one error shape of every API response:
 *   { "error": { "code": "rate_limited", "message": "…", "details"?: … } }
 * Handlers throw ApiError; the route wrapper turns anything else into a 500
 * without leaking its message or stack.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  /** The table API's answer to an Accept it cannot serve (PostgREST's 406s: singular row count, unknown profile). */
  not_acceptable: 406,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  range_not_satisfiable: 416,
  unprocessable: 422,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  pool_saturated: 503,
  pool_timeout: 503,
  unavailable: 503,
  /** The instance's API admission limit (lib/server/3-admission.ts): refused before any work. */
  overloaded: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/**
 * Marks ApiErrors by a process-wide symbol rather than by class identity: the
 * pools live on globalThis and may be created by another server bundle
 * (instrumentation, a route chunk) whose copy of this class is a different
 * object, so a plain `instanceof` would miss their 503s and answer 500.
 */
const API_ERROR_BRAND = Symbol.for("sluice.api-error");

export class ApiError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep ordinary instanceof semantics.
    if (this !== ApiError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[API_ERROR_BRAND] === true;
  }

  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 503 and 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
    Object.defineProperty(this, API_ERROR_BRAND, { value: true });
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function errorResponse(error: ApiError, extraHeaders: Record<string, string> = {}): Response {
  return Response.json(error.toBody(), {
    status: error.status,
    headers: { ...error.headers, ...extraHeaders, "Cache-Control": "no-store" },
  });
}
