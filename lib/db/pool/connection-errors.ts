import "server-only";
/**
 * Which driver errors mean "the connection is gone" (the pool must reconnect)
 * as opposed to "this query failed" (the caller's problem).
 */
const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "CONNECT_TIMEOUT", "EAI_AGAIN"]);

const LOST_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  // admin_shutdown, crash_shutdown, cannot_connect_now (server starting or stopping)
  "57P01",
  "57P02",
  "57P03",
]);

/**
 * The codes of an error and of what it wraps: Drizzle puts the driver's error in `cause`
 * (DrizzleQueryError), and so do our own wrappers. A few levels deep at most.
 */
export function errorCodes(error: unknown): string[] {
  return causeChain(error).flatMap((link) => (typeof link.code === "string" ? [link.code] : []));
}

/** The error and what it wraps (`cause`), outermost first, a few levels deep at most. */
function causeChain(error: unknown): Array<{ code?: unknown; name?: unknown }> {
  const chain: Array<{ code?: unknown; name?: unknown; cause?: unknown }> = [];
  let current: unknown = error;
  while (chain.length < 5 && typeof current === "object" && current !== null) {
    chain.push(current as { code?: unknown; name?: unknown; cause?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** The server could not be reached at all: nothing was sent, so trying another host is safe. */
export function isConnectError(error: unknown): boolean {
  return errorCodes(error).some((code) => CONNECT_CODES.has(code));
}

export function isConnectionLevelError(error: unknown): boolean {
  return errorCodes(error).some((code) => CONNECT_CODES.has(code) || LOST_CODES.has(code));
}

/** The server's error (an ErrorResponse), however wrapped: the statement ended, the session is as it was. */
export function isServerError(error: unknown): boolean {
  return serverError(error) !== null;
}

/**
 * A statement the server refused for the statement's own reasons (SQLSTATE classes other
 * than insufficient resources 53, system error 58 and internal error XX): the caller's
 * problem, not the pool's or the database's.
 */
export function isStatementFault(error: unknown): boolean {
  const code = serverError(error)?.code;
  return typeof code === "string" && !/^(53|58|XX)/.test(code);
}

function serverError(error: unknown): { code?: unknown } | null {
  return causeChain(error).find((link) => link.name === "PostgresError") ?? null;
}

/**
 * The server refused for reasons of its own state, not the statement's: insufficient resources
 * (53…, "too many connections" among them), a transaction conflict (40…), a lock not available
 * (55P03), an operator intervention (57P…). Retrying later is the answer.
 */
export function isDatabaseBusy(error: unknown): boolean {
  const code = serverError(error)?.code;
  return typeof code === "string" && (/^(53|40|57P)/.test(code) || code === "55P03");
}
