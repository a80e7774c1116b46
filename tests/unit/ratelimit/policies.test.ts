import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  DEFAULT_POLICIES,
  POLICY_NAMES,
  isPolicyName,
  policyEnvName,
  rateLimitEnvSchema,
  rateLimitEnvShape,
  resolvePolicies,
} from "@/lib/ratelimit/policies";

describe("policy table", () => {
  it("has one entry per policy name, keyed by its own name", () => {
    expect(Object.keys(DEFAULT_POLICIES).sort()).toEqual([...POLICY_NAMES].sort());
    for (const name of POLICY_NAMES) expect(DEFAULT_POLICIES[name].name).toBe(name);
  });

  it("fails closed exactly for sign-in and token creation", () => {
    const closed = POLICY_NAMES.filter((name) => DEFAULT_POLICIES[name].failMode === "closed").sort();
    expect(closed).toEqual(["sign-in-account", "sign-in-ip", "token-create"]);
  });

  it("uses the sliding window by default and sane positive numbers", () => {
    for (const policy of Object.values(DEFAULT_POLICIES)) {
      expect(policy.algorithm).toBe("sliding-window");
      expect(Number.isInteger(policy.limit) && policy.limit > 0).toBe(true);
      expect(policy.windowMs).toBeGreaterThanOrEqual(1000);
    }
  });

  it("keeps the strict policies stricter than the general ones (per minute)", () => {
    const perMinute = (name: (typeof POLICY_NAMES)[number]) => (DEFAULT_POLICIES[name].limit * 60_000) / DEFAULT_POLICIES[name].windowMs;
    expect(perMinute("sql")).toBeLessThan(perMinute("api"));
    expect(perMinute("sql")).toBeLessThan(perMinute("user"));
    expect(perMinute("sign-in-account")).toBeLessThan(perMinute("sign-in-ip"));
    expect(perMinute("sign-in-ip")).toBeLessThan(perMinute("anonymous"));
    expect(perMinute("token-create")).toBeLessThan(perMinute("user"));
  });

  it("limits each policy by the identifier its name promises", () => {
    expect(DEFAULT_POLICIES.anonymous.identifier).toBe("ip");
    expect(DEFAULT_POLICIES.user.identifier).toBe("user");
    expect(DEFAULT_POLICIES.api.identifier).toBe("token");
    expect(DEFAULT_POLICIES["sign-in-ip"].identifier).toBe("ip");
    expect(DEFAULT_POLICIES["sign-in-account"].identifier).toBe("account");
  });
});

describe("resolvePolicies", () => {
  it("returns the defaults without overrides", () => {
    expect(resolvePolicies()).toEqual(DEFAULT_POLICIES);
    expect(resolvePolicies({})).toEqual(DEFAULT_POLICIES);
  });

  it("applies env-style string overrides for limit and window", () => {
    const table = resolvePolicies({ RATE_LIMIT_API_LIMIT: "42", RATE_LIMIT_SIGN_IN_ACCOUNT_WINDOW_S: "30" });
    expect(table.api.limit).toBe(42);
    expect(table.api.windowMs).toBe(DEFAULT_POLICIES.api.windowMs);
    expect(table["sign-in-account"].windowMs).toBe(30_000);
    expect(table["sign-in-account"].limit).toBe(DEFAULT_POLICIES["sign-in-account"].limit);
  });

  it("treats empty strings as unset and ignores unrelated variables", () => {
    const table = resolvePolicies({ RATE_LIMIT_USER_LIMIT: "", PATH: "/usr/bin" });
    expect(table.user.limit).toBe(DEFAULT_POLICIES.user.limit);
  });

  it("rejects bad values, listing every problem at once", () => {
    try {
      resolvePolicies({ RATE_LIMIT_API_LIMIT: "0", RATE_LIMIT_SQL_LIMIT: "ten", RATE_LIMIT_USER_WINDOW_S: "1.5" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ZodError);
      const paths = (error as ZodError).issues.map((issue) => issue.path.join("."));
      expect(paths.sort()).toEqual(["RATE_LIMIT_API_LIMIT", "RATE_LIMIT_SQL_LIMIT", "RATE_LIMIT_USER_WINDOW_S"]);
    }
  });

  it("returns a frozen table so no caller can loosen a limit at runtime", () => {
    const table = resolvePolicies();
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.api)).toBe(true);
  });
});

describe("env schema", () => {
  it("names two variables per policy plus the timeout", () => {
    const names = Object.keys(rateLimitEnvShape).sort();
    const expected = POLICY_NAMES.flatMap((name) => [`RATE_LIMIT_${policyEnvName(name)}_LIMIT`, `RATE_LIMIT_${policyEnvName(name)}_WINDOW_S`]);
    expect(names).toEqual([...expected, "RATE_LIMIT_TIMEOUT_MS"].sort());
    expect(names).toContain("RATE_LIMIT_SIGN_IN_IP_LIMIT");
    expect(names).toContain("RATE_LIMIT_TOKEN_CREATE_WINDOW_S");
  });

  it("defaults the limiter timeout and coerces strings", () => {
    expect(rateLimitEnvSchema.parse({}).RATE_LIMIT_TIMEOUT_MS).toBe(500);
    expect(rateLimitEnvSchema.parse({ RATE_LIMIT_TIMEOUT_MS: "250" }).RATE_LIMIT_TIMEOUT_MS).toBe(250);
  });

  it("recognises policy names", () => {
    expect(isPolicyName("api")).toBe(true);
    expect(isPolicyName("API")).toBe(false);
    expect(isPolicyName("toString")).toBe(false);
  });
});
