import { describe, expect, it } from "vitest";
import { rateLimitHeaders } from "@/lib/ratelimit/headers";
import type { RateLimitDecision } from "@/lib/ratelimit/decision";

const now = 1_700_000_000_000;
const decision = (overrides: Partial<RateLimitDecision>): RateLimitDecision => ({
  policy: "api",
  allowed: true,
  limit: 100,
  remaining: 99,
  resetMs: now + 30_000,
  retryAfterS: 0,
  ...overrides,
});

describe("rateLimitHeaders", () => {
  it("sends both header families and no Retry-After when allowed", () => {
    expect(rateLimitHeaders(decision({}), now)).toEqual({
      "RateLimit-Limit": "100",
      "RateLimit-Remaining": "99",
      "RateLimit-Reset": "30",
      "X-RateLimit-Limit": "100",
      "X-RateLimit-Remaining": "99",
      "X-RateLimit-Reset": String((now + 30_000) / 1000),
    });
  });

  it("adds Retry-After when refused", () => {
    const headers = rateLimitHeaders(decision({ allowed: false, remaining: 0, retryAfterS: 12, resetMs: now + 11_200 }), now);
    expect(headers["Retry-After"]).toBe("12");
    expect(headers["RateLimit-Remaining"]).toBe("0");
    expect(headers["RateLimit-Reset"]).toBe("12");
  });

  it("rounds reset up so a client never retries a moment too early", () => {
    const headers = rateLimitHeaders(decision({ resetMs: now + 1 }), now);
    expect(headers["RateLimit-Reset"]).toBe("1");
    expect(headers["X-RateLimit-Reset"]).toBe(String(Math.ceil((now + 1) / 1000)));
  });

  it("never sends negative or fractional numbers", () => {
    const headers = rateLimitHeaders(decision({ remaining: -3, resetMs: now - 5000, limit: 10.7 }), now);
    expect(headers["RateLimit-Remaining"]).toBe("0");
    expect(headers["RateLimit-Reset"]).toBe("0");
    expect(headers["RateLimit-Limit"]).toBe("10");
  });

  it("asks for at least one second when refused", () => {
    expect(rateLimitHeaders(decision({ allowed: false, retryAfterS: 0 }), now)["Retry-After"]).toBe("1");
  });

  it("sends no made-up numbers when Redis could not decide", () => {
    expect(rateLimitHeaders(decision({ failed: "open" }), now)).toEqual({});
    expect(rateLimitHeaders(decision({ failed: "closed", allowed: false, remaining: 0, retryAfterS: 5 }), now)).toEqual({
      "Retry-After": "5",
    });
  });
});
