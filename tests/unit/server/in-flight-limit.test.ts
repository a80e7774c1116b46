import { describe, expect, it } from "vitest";
import { InFlightLimit } from "@/lib/server/3-in-flight-limit";

describe("InFlightLimit", () => {
  it("admits up to the limit, refuses above it, and admits again once one leaves", () => {
    const limit = new InFlightLimit(2);
    expect([limit.tryEnter(), limit.tryEnter(), limit.tryEnter()]).toEqual([true, true, false]);
    expect(limit.stats()).toEqual({ limit: 2, inFlight: 2, admitted: 2, refused: 1 });
    limit.leave();
    expect(limit.tryEnter()).toBe(true);
    expect(limit.tryEnter()).toBe(false);
    expect(limit.stats()).toEqual({ limit: 2, inFlight: 2, admitted: 3, refused: 2 });
  });

  it("never counts below zero, so an extra leave() cannot raise the limit", () => {
    const limit = new InFlightLimit(1);
    limit.leave();
    expect(limit.tryEnter()).toBe(true);
    expect(limit.tryEnter()).toBe(false);
  });
});

describe("apiInFlightLimit", () => {
  it("defaults to what the readonly pool holds (size + waiting places); 0 turns it off", async () => {
    const { parseEnv } = await import("@/lib/env");
    const { apiInFlightLimit } = await import("@/lib/server/3-admission");
    expect(apiInFlightLimit(parseEnv({}))).toBe(10 + 10);
    expect(apiInFlightLimit(parseEnv({ DB_POOL_SIZE_READONLY: "4", DB_POOL_MAX_WAITING: "6" }))).toBe(10);
    expect(apiInFlightLimit(parseEnv({ API_MAX_IN_FLIGHT: "7" }))).toBe(7);
    expect(apiInFlightLimit(parseEnv({ API_MAX_IN_FLIGHT: "0" }))).toBe(0);
  });
});
