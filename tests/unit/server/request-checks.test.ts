import { describe, expect, it } from "vitest";
import { requestRefusal, type RequestFacts } from "@/lib/server/3-request-checks";

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  method: "GET",
  rawPath: "/explore",
  path: "/explore",
  serverAction: false,
  origin: undefined,
  host: "sluice.example",
  ...over,
});

const refusal = (over: Partial<RequestFacts>) => {
  const r = requestRefusal(facts(over));
  return r && { status: r.error.status, code: r.error.code, allow: r.headers.Allow };
};

describe("requestRefusal", () => {
  it("lets ordinary requests through (control)", () => {
    expect(refusal({})).toBeNull();
    expect(refusal({ rawPath: "/api/v1/sql", path: "/api/v1/sql", method: "POST" })).toBeNull();
    expect(refusal({ rawPath: "/api/v1/me", path: "/api/v1/me", method: "HEAD" })).toBeNull();
    expect(refusal({ rawPath: "/api/v1/tables/data.%6Frders", path: "/api/v1/tables/data.%6Frders" })).toBeNull();
    expect(refusal({ method: "POST", serverAction: true, origin: "https://sluice.example" })).toBeNull();
  });

  it("refuses methods the server does not serve with 405 and Allow", () => {
    expect(refusal({ method: "TRACE" })).toEqual({ status: 405, code: "method_not_allowed", allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" });
    expect(refusal({ method: "BREW" })?.status).toBe(405);
  });

  it("answers next-auth paths it would refuse outside the shape: unknown actions 404, other methods 405", () => {
    const auth = (path: string, method = "GET") => refusal({ rawPath: path, path, method });
    // Controls: what next-auth serves passes.
    expect(auth("/api/auth/session")).toBeNull();
    expect(auth("/api/auth/csrf")).toBeNull();
    expect(auth("/api/auth/callback/credentials", "POST")).toBeNull();
    expect(auth("/api/auth/callback/credentials/extra/segments", "POST")).toBeNull();
    expect(auth("/api/auth/_log", "POST")).toBeNull();
    expect(auth("/api/auth/tables/data.orders/admin/x")).toEqual({ status: 404, code: "not_found", allow: undefined });
    expect(auth("/api/auth/_log")).toEqual({ status: 405, code: "method_not_allowed", allow: "OPTIONS, POST" });
    expect(auth("/api/auth/session", "HEAD")).toEqual({ status: 405, code: "method_not_allowed", allow: "GET, OPTIONS, POST" });
    expect(auth("/api/auth/providers", "DELETE")?.status).toBe(405);
  });

  it("refuses malformed percent-escapes with 400", () => {
    expect(refusal({ rawPath: "/explore/%ZZ", path: "/explore/%ZZ" })?.status).toBe(400);
    expect(refusal({ rawPath: "/a/%E0%A4%A", path: "/a/%E0%A4%A" })?.status).toBe(400);
  });

  it("answers unknown API paths with 404 and missing methods with 405 + Allow", () => {
    expect(refusal({ rawPath: "/api/nope", path: "/api/nope" })?.status).toBe(404);
    expect(refusal({ rawPath: "/api/v1/sql", path: "/api/v1/sql", method: "DELETE" })).toEqual({
      status: 405,
      code: "method_not_allowed",
      allow: "OPTIONS, POST",
    });
  });

  it("refuses server actions from another origin, without one, or from an opaque one", () => {
    for (const origin of ["https://evil.example", undefined, "null", "https://sluice.example.evil.example", "file://sluice.example"]) {
      expect(refusal({ method: "POST", serverAction: true, origin })?.status, String(origin)).toBe(403);
    }
  });
});
