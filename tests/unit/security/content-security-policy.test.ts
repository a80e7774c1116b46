import { describe, expect, it } from "vitest";
import { applyContentSecurityPolicy, buildContentSecurityPolicy, createNonce } from "@/lib/security/content-security-policy";
import { staticSecurityHeaders } from "@/lib/security/static-headers";

describe("content security policy", () => {
  it("production: nonce + strict-dynamic scripts, no eval, no inline scripts, no framing", () => {
    const policy = buildContentSecurityPolicy("abc123==", { production: true });
    expect(policy).toContain("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it("development allows eval (React dev tooling) and the hot-reload socket", () => {
    const policy = buildContentSecurityPolicy("n", { production: false });
    expect(policy).toMatch(/script-src[^;]*'unsafe-eval'/);
    expect(policy).toMatch(/connect-src[^;]*ws:/);
  });

  it("a fresh 128-bit nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });

  it("puts the same policy on the forwarded request (where Next finds the nonce) and the response", () => {
    const forwarded = new Headers();
    const response = applyContentSecurityPolicy(forwarded, { production: true });
    expect(forwarded.get("content-security-policy")).toBe(response["Content-Security-Policy"]);
    expect(response["Content-Security-Policy"]).toContain(`'nonce-${forwarded.get("x-nonce")}'`);
  });
});

describe("static security headers", () => {
  const names = (production: boolean) => staticSecurityHeaders({ production }).map((h) => h.key);

  it("HSTS only in production", () => {
    expect(names(true)).toContain("Strict-Transport-Security");
    expect(names(false)).not.toContain("Strict-Transport-Security");
  });

  it("always: no framing, no sniffing, a referrer policy and a permissions policy", () => {
    expect(names(false)).toEqual(expect.arrayContaining(["X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"]));
  });
});
