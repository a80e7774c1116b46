import "server-only";
import { randomBytes } from "node:crypto";

/**
 * A nonce-based Content-Security-Policy, one nonce per request.
 *
 * Next.js reads the nonce from the CSP *request* header that the proxy
 * forwards and stamps it on every script it renders (its bootstrap and the
 * inline RSC payload scripts), so scripts need neither 'unsafe-inline' nor
 * hashes. 'strict-dynamic' lets those trusted scripts load the chunks they
 * import. Pages must be rendered per request for this to work; the root
 * layout reads the session, which makes every page dynamic already.
 *
 * Styles allow 'unsafe-inline': React style attributes, CodeMirror and the
 * chart library inject styles at run time, and a nonce cannot cover style
 * attributes. Script injection is what the policy exists to stop.
 */
export const NONCE_HEADER = "x-nonce";

export function buildContentSecurityPolicy(nonce: string, options: { production: boolean }): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // React's development build evaluates code for its error overlays; production never does.
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(options.production ? [] : ["'unsafe-eval'"])],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    // Development: hot reload talks over a WebSocket.
    "connect-src": ["'self'", ...(options.production ? [] : ["ws:", "wss:"])],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

export function createNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * For the proxy: puts a fresh policy on the forwarded request (where Next
 * finds the nonce) and returns the response headers that carry it.
 */
export function applyContentSecurityPolicy(forwarded: Headers, options: { production: boolean }): Record<string, string> {
  const nonce = createNonce();
  const policy = buildContentSecurityPolicy(nonce, options);
  forwarded.set("Content-Security-Policy", policy);
  forwarded.set(NONCE_HEADER, nonce);
  return { "Content-Security-Policy": policy };
}
