import { describe, expect, it } from "vitest";
import { authorizationCounts, isSignInAttempt, isSqlRun, selectPolicies, tokenIdentifier, type RequestFacts } from "@/lib/ratelimit/select-policy";

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  method: "GET",
  pathname: "/",
  credential: { kind: "none" },
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

  it("counts a token that resolved per token, under the identifier the check gave", () => {
    const identifier = `token:${tokenIdentifier("slc_abcdefghijklmnopqrstuvwxyz0123456789ABCD")}`;
    expect(selectPolicies(facts({ pathname: "/api/v1/tables", credential: { kind: "verified", identifier } }))).toEqual([
      { policy: "api", identifier },
    ]);
    expect(identifier).not.toContain("slc_");
  });

  it("puts sign-in on its strict per-IP policy", () => {
    expect(selectPolicies(facts({ method: "POST", pathname: "/api/auth/callback/credentials" }))).toEqual([
      { policy: "sign-in-ip", identifier: "ip:198.51.100.7" },
    ]);
  });

  it("adds the SQL policy to SQL execution, per principal", () => {
    const credential = { kind: "verified", identifier: "token:t1" } as const;
    expect(selectPolicies(facts({ method: "POST", pathname: "/api/v1/sql", credential }))).toEqual([
      { policy: "api", identifier: "token:t1" },
      { policy: "sql", identifier: "token:t1" },
    ]);
    expect(selectPolicies(facts({ method: "POST", pathname: "/sql", serverAction: true, userId: "u2" }))).toContainEqual({
      policy: "sql",
      identifier: "user:u2",
    });
  });

  it("counts saved-query runs against the SQL policy too, whatever the method or spelling", () => {
    const credential = { kind: "verified", identifier: "token:t1" } as const;
    for (const [method, pathname] of [
      ["GET", "/api/v1/queries/abc/results"],
      ["POST", "/api/v1/queries/abc/results"],
      ["HEAD", "/api/v1/queries/abc/results/"],
      ["GET", "/api/v1//queries/abc/result%73"],
    ] as const) {
      expect(selectPolicies(facts({ method, pathname, credential })), `${method} ${pathname}`).toEqual([
        { policy: "api", identifier: "token:t1" },
        { policy: "sql", identifier: "token:t1" },
      ]);
    }
    // Reading the saved query itself, or the list, runs nothing.
    for (const pathname of ["/api/v1/queries/abc", "/api/v1/queries", "/api/v1/queries/abc/results/x"]) {
      expect(selectPolicies(facts({ method: "GET", pathname, credential })), pathname).toEqual([{ policy: "api", identifier: "token:t1" }]);
    }
    expect(isSqlRun("GET", "/api/v1/sql")).toBe(false);
    expect(isSqlRun("POST", "/api/v1/sql")).toBe(true);
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

  it("exempts health checks only for callers without credentials (those are counted as anywhere else)", () => {
    expect(selectPolicies(facts({ pathname: "/api/health/ready", userId: "u" }))).toEqual([{ policy: "user", identifier: "user:u" }]);
    expect(selectPolicies(facts({ pathname: "/api/health/ready", credential: { kind: "rejected" } }))).toEqual([
      { policy: "anonymous", identifier: "ip:198.51.100.7" },
      { policy: "auth-failure-ip", identifier: "ip:198.51.100.7" },
    ]);
  });
});

describe("an Authorization header is a claim, not an identity, until it resolves", () => {
  const ip = "ip:198.51.100.7";

  it("counts a header that did not resolve per client IP, on the anonymous and the auth-failure budgets", () => {
    expect(selectPolicies(facts({ pathname: "/api/v1/me", credential: { kind: "rejected" } }))).toEqual([
      { policy: "anonymous", identifier: ip },
      { policy: "auth-failure-ip", identifier: ip },
    ]);
    // Even with a valid session cookie alongside: the route authenticates by the header, and refuses it.
    expect(selectPolicies(facts({ pathname: "/api/v1/me", credential: { kind: "rejected" }, userId: "u" }))[0]).toEqual({
      policy: "anonymous",
      identifier: ip,
    });
  });

  it("counts per IP when the token store could not answer, without calling it a failed authentication", () => {
    expect(selectPolicies(facts({ pathname: "/api/v1/me", credential: { kind: "unknown" } }))).toEqual([{ policy: "anonymous", identifier: ip }]);
  });

  it("ignores the header where nothing reads it: pages, server actions, next-auth", () => {
    const verified = { kind: "verified", identifier: "token:t1" } as const;
    for (const credential of [verified, { kind: "rejected" } as const]) {
      expect(selectPolicies(facts({ pathname: "/explore", credential, userId: "u" }))).toEqual([{ policy: "user", identifier: "user:u" }]);
      expect(selectPolicies(facts({ pathname: "/", credential }))).toEqual([{ policy: "anonymous", identifier: ip }]);
      expect(selectPolicies(facts({ method: "POST", pathname: "/api/v1/sql", serverAction: true, credential, userId: "u" }))[0]).toEqual({
        policy: "user",
        identifier: "user:u",
      });
      expect(selectPolicies(facts({ pathname: "/api/auth/session", credential }))).toEqual([{ policy: "anonymous", identifier: ip }]);
    }
  });

  it("says where a header identifies the caller: route handlers under /api, except next-auth's", () => {
    expect(authorizationCounts({ pathname: "/api/v1/me", serverAction: false })).toBe(true);
    expect(authorizationCounts({ pathname: "/api/metrics", serverAction: false })).toBe(true);
    expect(authorizationCounts({ pathname: "/api/health/ready", serverAction: false })).toBe(true);
    expect(authorizationCounts({ pathname: "/api/auth/callback/credentials", serverAction: false })).toBe(false);
    expect(authorizationCounts({ pathname: "/api//auth/session", serverAction: false })).toBe(false);
    expect(authorizationCounts({ pathname: "/explore", serverAction: false })).toBe(false);
    expect(authorizationCounts({ pathname: "/api/v1/sql", serverAction: true })).toBe(false);
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
