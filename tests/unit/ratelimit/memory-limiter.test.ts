import { describe, expect, it } from "vitest";
import { createMemoryRateLimiter } from "@/lib/ratelimit/memory-limiter";
import { resolvePolicies } from "@/lib/ratelimit/policies";

function setup(limit = 3, windowS = 10) {
  let clock = 1_700_000_000_000;
  const policies = resolvePolicies({ RATE_LIMIT_API_LIMIT: String(limit), RATE_LIMIT_API_WINDOW_S: String(windowS) });
  const limiter = createMemoryRateLimiter({ policies, now: () => clock });
  return { limiter, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe("memory limiter (exact sliding window)", () => {
  it("allows exactly the limit, then refuses with a retry time", async () => {
    const { limiter, now } = setup(3, 10);
    const remaining: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const decision = await limiter.limit("api", "tok-1");
      expect(decision.allowed).toBe(true);
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = await limiter.limit("api", "tok-1");
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3, retryAfterS: 10 });
    expect(refused.resetMs).toBe(now() + 10_000);
  });

  it("returns budget one request at a time as the window slides", async () => {
    const { limiter, advance } = setup(2, 10);
    await limiter.limit("api", "t");
    advance(4000);
    await limiter.limit("api", "t");
    expect((await limiter.limit("api", "t")).allowed).toBe(false);
    advance(6000); // the first request leaves the window
    expect((await limiter.limit("api", "t")).allowed).toBe(true);
    const refused = await limiter.limit("api", "t");
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterS).toBe(4);
  });

  it("keeps identifiers and policies apart", async () => {
    const { limiter } = setup(1, 10);
    expect((await limiter.limit("api", "a")).allowed).toBe(true);
    expect((await limiter.limit("api", "b")).allowed).toBe(true);
    expect((await limiter.limit("api", "a")).allowed).toBe(false);
    expect((await limiter.limit("user", "a")).allowed).toBe(true);
  });

  it("counts decisions per minute and in total", async () => {
    const { limiter } = setup(1, 10);
    await limiter.limit("api", "a");
    await limiter.limit("api", "a");
    await limiter.limit("api", "a");
    const counters = await limiter.counters({ minutes: 5 });
    expect(counters.minutes).toHaveLength(5);
    expect(counters.series.api.allowed.at(-1)).toBe(1);
    expect(counters.series.api.limited.at(-1)).toBe(2);
    expect(counters.totals.api).toEqual({ allowed: 1, limited: 2, "fail-open": 0, "fail-closed": 0 });
    expect(limiter.localCounts().api.limited).toBe(2);
    expect(counters.topLimited).toEqual([{ policy: "api", identifier: "a", count: 2 }]);
  });

  it("rejects an empty identifier instead of lumping callers together", async () => {
    const { limiter } = setup();
    await expect(limiter.limit("api", "")).rejects.toThrow(/identifier/);
  });
});

describe("rankTopLimited", () => {
  it("merges minute buckets per policy and identifier, most refused first, capped", async () => {
    const { rankTopLimited } = await import("@/lib/ratelimit/counters");
    const ranked = rankTopLimited(
      [
        { policy: "api", identifier: "token:a", count: 2 },
        { policy: "anonymous", identifier: "ip:1.2.3.4", count: 3 },
        { policy: "api", identifier: "token:a", count: 4 },
        { policy: "api", identifier: "token:b", count: 1 },
      ],
      2,
    );
    expect(ranked).toEqual([
      { policy: "api", identifier: "token:a", count: 6 },
      { policy: "anonymous", identifier: "ip:1.2.3.4", count: 3 },
    ]);
  });
});
