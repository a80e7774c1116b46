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

/** What the UI calls each error: the code is for programs, the title for people. */
export const ERROR_TITLE: Record<ErrorCode, string> = {
  bad_request: "Not accepted",
  validation_failed: "Please correct the input",
  unauthorized: "Signed out",
  forbidden: "Not allowed",
  not_found: "Not found",
  method_not_allowed: "Not supported here",
  not_acceptable: "Format not available",
  request_timeout: "Took too long to arrive",
  conflict: "Conflict",
  payload_too_large: "Too large",
  range_not_satisfiable: "Past the last row",
  unprocessable: "Could not be completed",
  rate_limited: "Too many requests",
  headers_too_large: "Headers too large",
  internal: "Something went wrong",
  pool_saturated: "The database is busy",
  pool_timeout: "The database is busy",
  unavailable: "Temporarily unavailable",
  overloaded: "The server is busy",
};

/**
 * Sharper titles by `details.reason`, where one code covers several cases (a 400 is a typo or
 * a refused write), and for the browser's own failures (no answer, an answer in a wrong shape).
 */
export const REASON_TITLE: Record<string, string> = {
  syntax_error: "Syntax error",
  undefined_object: "Unknown name or type",
  statement_not_allowed: "Only read queries",
  multiple_statements: "One statement at a time",
  empty_statement: "Nothing to run",
  read_only: "Read-only",
  permission_denied: "Not allowed",
  bad_value: "Invalid value",
  bad_parameter: "Invalid parameter",
  unknown_parameter: "Unknown parameter",
  timeout: "Took too long",
  cancelled: "Cancelled",
  too_expensive: "Too expensive to run",
  too_large: "Row too large",
  too_complex: "Too complex",
  not_supported: "Not supported",
  resources: "The database is out of resources",
  conflict: "Conflict with another transaction",
  query_error: "The database refused the query",
  // The table API's reasons (lib/explore/errors.ts).
  unknown_relation: "Unknown table",
  unknown_column: "Unknown column",
  unsupported_parameter: "Unknown query parameter",
  malformed_select: "Malformed select",
  malformed_filter: "Malformed filter",
  unknown_operator: "Unknown operator",
  operator_not_supported: "Operator not supported here",
  malformed_order: "Malformed order",
  bad_limit: "Invalid limit",
  bad_offset: "Invalid offset",
  range_not_satisfiable: "Past the last row",
  not_one_row: "Not exactly one row",
  no_relationship: "No relationship",
  ambiguous_relationship: "Ambiguous relationship",
  network: "Cannot reach the server",
  unexpected: "Unexpected answer",
};

/** The one mapper from an error (API shape or the browser's own) to its human title. */
export function errorTitle(error: { code: string; details?: unknown; status?: number }): string {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  const byReason = typeof reason === "string" ? REASON_TITLE[reason] : undefined;
  if (byReason) return byReason;
  if (error.code in ERROR_TITLE) return ERROR_TITLE[error.code as ErrorCode];
  const browserOwn = REASON_TITLE[error.code];
  if (browserOwn) return browserOwn;
  // An answer outside the error shape (a proxy's page): its status says what it was.
  const byStatus =
    error.status === 503 ? "unavailable" : (Object.keys(ERROR_STATUS) as ErrorCode[]).find((code) => ERROR_STATUS[code] === error.status);
  return byStatus ? ERROR_TITLE[byStatus] : ERROR_TITLE.internal;
}

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
