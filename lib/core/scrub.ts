import "server-only";
/**
 * Last line of defence for logs: masks secrets that ended up inside strings,
 * where pino's path-based redaction cannot see them — a driver error quoting a
 * connection URL, a token pasted into a message, a Bearer header echoed back.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:password@host → scheme://user:[redacted]@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@]*):[^@\s/]+@/gi, "$1:[redacted]@"],
  // Sluice API tokens (slc_ + base62).
  [/\bslc_[A-Za-z0-9]{8,}/g, "slc_[redacted]"],
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/gi, "$1 [redacted]"],
  // Secrets in query strings or key=value text.
  [/\b(password|passwd|pwd|token|secret|api_?key)=([^&\s"']+)/gi, "$1=[redacted]"],
];

export function scrubString(value: string): string {
  let result = value;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** Copies plain objects and arrays (a few levels deep) with every string scrubbed. */
export function scrubValue(value: unknown, depth = 4): unknown {
  if (typeof value === "string") return scrubString(value);
  if (depth <= 0 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth - 1));
  if (value instanceof Error) return scrubError(value, depth);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = scrubValue(item, depth - 1);
  return copy;
}

/** Keeps it an Error (so pino's serializer still names its type) with message, stack and own fields scrubbed. */
function scrubError(error: Error, depth: number): Error {
  const copy = new Error(scrubString(error.message));
  copy.name = error.name;
  copy.stack = error.stack && scrubString(error.stack);
  for (const [key, item] of Object.entries(error)) (copy as unknown as Record<string, unknown>)[key] = scrubValue(item, depth - 1);
  return copy;
}
