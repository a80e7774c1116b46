import "server-only";
/**
 * Where to go after signing in: only a path on this site. "//evil.example"
 * and "/\evil.example" are protocol-relative in browsers, so they are refused.
 */
export function safeCallbackUrl(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length > 2000) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f]/.test(value)) return fallback;
  if (value.startsWith("/sign-in")) return fallback;
  // A Location header is ASCII: anything else is percent-encoded (a raw "ü" made the redirect a
  // 500). A lone surrogate cannot be encoded at all.
  try {
    return value.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
  } catch {
    return fallback;
  }
}
