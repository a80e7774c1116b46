import "server-only";
import { ApiError, type ErrorCode } from "@/lib/core/errors";

/**
 * Turns a Postgres error raised by an explorer query (the table API's generated SQL, or a user's
 * SQL in the sandbox) into the one error shape, carrying Postgres' own message and the position
 * the editor can underline. These are the caller's problems, so none of them becomes a 500.
 */
export interface PgErrorFields {
  code: string;
  message: string;
  position?: string | number;
  detail?: string;
  hint?: string;
}

export function isPgError(error: unknown): error is PgErrorFields & Error {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // SQLSTATEs are five characters; driver-level codes (CONNECTION_CLOSED, ECONNRESET) are not.
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && (error as { name?: string }).name === "PostgresError";
}

export type PgReason =
  | "syntax_error"
  | "multiple_statements"
  | "undefined_object"
  | "permission_denied"
  | "read_only"
  | "bad_value"
  | "timeout"
  | "cancelled"
  | "too_complex"
  | "not_supported"
  | "resources"
  | "conflict"
  | "query_error";

function classify(code: string, message: string): { reason: PgReason; status: ErrorCode } {
  if (code === "42601" && /multiple commands/i.test(message)) return { reason: "multiple_statements", status: "bad_request" };
  if (code === "42501") return { reason: "permission_denied", status: "forbidden" };
  if (code === "25006") return { reason: "read_only", status: "bad_request" };
  if (code === "57014") return { reason: /statement timeout/i.test(message) ? "timeout" : "cancelled", status: "unprocessable" };
  if (code === "42601") return { reason: "syntax_error", status: "bad_request" };
  if (code.startsWith("42")) return { reason: "undefined_object", status: "bad_request" };
  if (code.startsWith("22") || code === "21000") return { reason: "bad_value", status: "bad_request" };
  if (code.startsWith("54")) return { reason: "too_complex", status: "bad_request" };
  if (code === "0A000") return { reason: "not_supported", status: "bad_request" };
  if (code.startsWith("53")) return { reason: "resources", status: "unavailable" };
  if (code.startsWith("40") || code === "55P03") return { reason: "conflict", status: "unavailable" };
  return { reason: "query_error", status: "bad_request" };
}

export interface MapOptions {
  /**
   * Characters the executed text has before the user's SQL (e.g. an EXPLAIN prefix), so that
   * `position` points into what the user wrote; positions inside the prefix are dropped.
   */
  positionOffset?: number;
  /** Said instead of Postgres' "canceling statement due to …" when we cancelled on a timer. */
  timeoutMessage?: string;
}

export function pgErrorToApiError(error: PgErrorFields, options: MapOptions = {}): ApiError {
  const { reason, status } = classify(error.code, error.message);
  const details: Record<string, unknown> = { reason, sqlstate: error.code };
  const raw = error.position === undefined || error.position === "" ? null : Number(error.position);
  if (raw !== null && Number.isInteger(raw)) {
    const position = raw - (options.positionOffset ?? 0);
    if (position >= 1) details.position = position;
  }
  if (error.detail) details.detail = error.detail;
  if (error.hint) details.hint = error.hint;
  let message = error.message;
  if (reason === "multiple_statements") message = "Send exactly one SQL statement (found several)";
  if (reason === "timeout" && options.timeoutMessage) message = options.timeoutMessage;
  const headers: Record<string, string> = status === "unavailable" ? { "Retry-After": "2" } : {};
  return new ApiError(status, message, details, headers);
}

/**
 * Maps Postgres errors; anything else passes through unchanged. The original stays in `cause`:
 * the pool reads it to tell "the server refused the statement" (the connection is fine) from
 * "our code failed" (the connection is destroyed).
 */
export function mapQueryError(error: unknown, options: MapOptions = {}): unknown {
  return isPgError(error) ? Object.assign(pgErrorToApiError(error, options), { cause: error }) : error;
}
