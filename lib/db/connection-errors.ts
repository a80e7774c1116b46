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

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** The server could not be reached at all: nothing was sent, so trying another host is safe. */
export function isConnectError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && CONNECT_CODES.has(code);
}

export function isConnectionLevelError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (CONNECT_CODES.has(code) || LOST_CODES.has(code));
}
