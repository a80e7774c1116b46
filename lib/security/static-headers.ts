/**
 * Response headers that are the same on every response; next.config.ts
 * applies them to all paths, built assets included. The CSP is not here: it
 * carries a per-request nonce and is set by the proxy (content-security-policy.ts).
 *
 * No `server-only`: next.config.ts imports this at build time.
 */
export interface HeaderEntry {
  key: string;
  value: string;
}

/** Two years, the minimum the HSTS preload list accepts; adding `preload` is left to the operator. */
const HSTS_MAX_AGE_S = 63_072_000;

const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "browsing-topics=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "microphone=()",
  "payment=()",
  "usb=()",
].join(", ");

export function staticSecurityHeaders(options: { production: boolean }): HeaderEntry[] {
  const headers: HeaderEntry[] = [
    // frame-ancestors 'none' in the CSP says the same to modern browsers; this covers old ones.
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    { key: "X-DNS-Prefetch-Control", value: "off" },
  ];
  // Only in production: a development server on http://localhost must not pin https for the host.
  if (options.production) headers.push({ key: "Strict-Transport-Security", value: `max-age=${HSTS_MAX_AGE_S}; includeSubDomains` });
  return headers;
}
