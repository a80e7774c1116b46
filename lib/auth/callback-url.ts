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
  return value;
}
