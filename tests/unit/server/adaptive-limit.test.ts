import { describe, expect, it } from "vitest";
import { AdaptiveLimit } from "@/lib/server/3-adaptive-limit";
import { InFlightLimit } from "@/lib/server/3-in-flight-limit";

describe("AdaptiveLimit", () => {
  it("drops by a quarter while the loop lags and the limit binds, never below the floor", () => {
    const limit = new AdaptiveLimit(20, 2, 10);
    const lagging = { lagMs: 40, utilization: 0.5, limitReached: true };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(() => limit.observe(lagging))).toEqual([15, 11, 8, 6, 4, 3, 2, 2, 2]);
  });

  it("does not move down on lag it did not cause: a limit that was not reached stays", () => {
    const limit = new AdaptiveLimit(20, 2, 10);
    limit.observe({ lagMs: 40, utilization: 0.5, limitReached: true });
    expect(limit.observe({ lagMs: 40, utilization: 1, limitReached: false })).toBe(15);
  });

  it("climbs back one per window while the loop keeps up, up to the maximum", () => {
    const limit = new AdaptiveLimit(5, 2, 10);
    for (let i = 0; i < 10; i++) limit.observe({ lagMs: 50, utilization: 1, limitReached: true });
    expect(limit.limit).toBe(2);
    expect([1, 2, 3, 4, 5].map(() => limit.observe({ lagMs: 1, utilization: 0.5, limitReached: true }))).toEqual([3, 4, 5, 5, 5]);
  });

  it("drops on a thread busy all the time even when the loop keeps turning quickly (many short slices)", () => {
    const limit = new AdaptiveLimit(20, 4, 20);
    expect(limit.observe({ lagMs: 3, utilization: 0.99, limitReached: true })).toBe(15);
    // Busy but with some room left: it holds, neither up nor down.
    expect(limit.observe({ lagMs: 3, utilization: 0.9, limitReached: true })).toBe(15);
    expect(limit.observe({ lagMs: 3, utilization: 0.6, limitReached: true })).toBe(16);
  });

  it("a maximum below the floor is the limit (API_MAX_IN_FLIGHT=1 stays 1)", () => {
    const limit = new AdaptiveLimit(1, 2, 10);
    expect(limit.observe({ lagMs: 99, utilization: 1, limitReached: true })).toBe(1);
  });
});

describe("InFlightLimit with a moving limit", () => {
  it("refuses new requests above a lowered limit and tells whether the limit was reached", () => {
    const limit = new InFlightLimit(4);
    expect([limit.tryEnter(), limit.tryEnter()]).toEqual([true, true]);
    expect(limit.reachedSinceLastWindow()).toBe(false);
    limit.setLimit(2);
    expect(limit.tryEnter()).toBe(false);
    expect(limit.reachedSinceLastWindow()).toBe(true);
    limit.leave();
    limit.leave();
    expect(limit.reachedSinceLastWindow()).toBe(false);
    limit.setLimit(99);
    expect(limit.limit).toBe(4);
  });
});
