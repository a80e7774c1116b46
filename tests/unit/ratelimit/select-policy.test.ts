import { describe, expect, it } from "vitest";
import { isSignInAttempt, selectPolicies, tokenIdentifier, type RequestFacts } from "@/lib/ratelimit/select-policy";

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  method: "GET",
  pathname: "/",
  authorization: null,
  serverAction: false,
  userId: null,
  clientIp: "198.51.100.7",
  ...over,
});

describe("selectPolicies", () => {
  it("counts anonymous requests per client IP", () => {
    expect(selectPolicies(facts())).toEqual([{ policy: "anonymous", identifier: "ip:198.51.100.7" }]);
  });

  it("counts signed-in requests per user, whatever the IP", () => {
    expect(selectPolicies(facts({ userId: "u1" }))).toEqual([{ policy: "user", identifier: "user:u1" }]);
  });

  it("counts token requests per token hash, never the raw token", () => {
    const token = "slc_abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    const [choice] = selectPolicies(facts({ pathname: "/api/v1/tables", authorization: `Bearer ${token}` }));
    expect(choice).toEqual({ policy: "api", identifier: `token:${tokenIdentifier(token)}` });
    expect(choice!.identifier).not.toContain(token);
  });

  it("puts sign-in on its strict per-IP policy", () => {
    expect(selectPolicies(facts({ method: "POST", pathname: "/api/auth/callback/credentials" }))).toEqual([
      { policy: "sign-in-ip", identifier: "ip:198.51.100.7" },
    ]);
  });

  it("adds the SQL policy to SQL execution, per principal", () => {
    expect(selectPolicies(facts({ method: "POST", pathname: "/api/v1/sql", authorization: "Bearer slc_x" }))).toEqual([
      { policy: "api", identifier: `token:${tokenIdentifier("slc_x")}` },
      { policy: "sql", identifier: `token:${tokenIdentifier("slc_x")}` },
    ]);
    expect(selectPolicies(facts({ method: "POST", pathname: "/sql", serverAction: true, userId: "u2" }))).toContainEqual({
      policy: "sql",
      identifier: "user:u2",
    });
  });

  it("leaves token creation to the action itself (the page posts other actions too)", () => {
    expect(selectPolicies(facts({ method: "POST", pathname: "/settings/tokens", serverAction: true, userId: "u3" }))).toEqual([
      { policy: "user", identifier: "user:u3" },
    ]);
  });

  it("treats RSC and segment-prefetch URLs like the page they belong to", () => {
    const page = selectPolicies(facts({ pathname: "/settings/tokens", method: "POST", serverAction: true, userId: "u" }));
    expect(selectPolicies(facts({ pathname: "/settings/tokens.rsc", method: "POST", serverAction: true, userId: "u" }))).toEqual(page);
    expect(selectPolicies(facts({ pathname: "/api/health.segments/x.segment.rsc" }))).toEqual([]);
  });

  it("exempts health checks and built assets", () => {
    expect(selectPolicies(facts({ pathname: "/api/health" }))).toEqual([]);
    expect(selectPolicies(facts({ pathname: "/api/health/ready" }))).toEqual([]);
    expect(selectPolicies(facts({ pathname: "/_next/static/chunks/a.js" }))).toEqual([]);
    expect(selectPolicies(facts({ pathname: "/api/healthz" }))).toHaveLength(1);
  });
});

describe("isSignInAttempt follows next-auth's [...nextauth] routing", () => {
  it("is a POST to callback/<provider>, whatever follows (next-auth reads only the first two segments)", () => {
    for (const path of [
      "/api/auth/callback/credentials",
      "/api/auth/callback/credentials/",
      "/api/auth/callback/credentials/anything",
      "/api/auth/callback/credentials/x/y",
      "/api/auth//callback//credentials",
      "/api/auth/%63allback/credential%73",
      "/api/auth/callback/credentials.rsc",
      "/api/auth/callback/some-future-provider",
    ]) {
      expect(isSignInAttempt("POST", path), path).toBe(true);
    }
  });

  it("is nothing else: other actions, other methods, other places", () => {
    for (const [method, path] of [
      ["GET", "/api/auth/callback/credentials"],
      ["POST", "/api/auth/signin/credentials"],
      ["POST", "/api/auth/signout"],
      ["POST", "/api/auth/session"],
      ["POST", "/api/auth/_log"],
      ["GET", "/api/auth/csrf"],
      ["POST", "/api/v1/callback/credentials"],
      ["POST", "/sign-in"],
    ] as const) {
      expect(isSignInAttempt(method, path), `${method} ${path}`).toBe(false);
    }
  });

  it("puts every sign-in path on sign-in-ip, and only there", () => {
    for (const pathname of ["/api/auth/callback/credentials/anything", "/api/auth/callback/credentials/x/y"]) {
      expect(selectPolicies(facts({ method: "POST", pathname }))).toEqual([{ policy: "sign-in-ip", identifier: "ip:198.51.100.7" }]);
    }
    expect(selectPolicies(facts({ method: "GET", pathname: "/api/auth/csrf" }))).toEqual([{ policy: "anonymous", identifier: "ip:198.51.100.7" }]);
  });
});
