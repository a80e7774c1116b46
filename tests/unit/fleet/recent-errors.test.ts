import { beforeEach, describe, expect, it } from "vitest";
import { RECENT_ERRORS_CAPACITY, REPEAT_WINDOW_MS, recentErrors, recordRecentError } from "@/lib/fleet/recent-errors";

const store = globalThis as unknown as { sluiceRecentErrors?: unknown };

describe("recent errors", () => {
  beforeEach(() => {
    store.sluiceRecentErrors = undefined;
  });

  it("lists newest first", () => {
    recordRecentError("pool:app", "first", new Date(1_000));
    recordRecentError("route", "second", new Date(2_000));
    expect(recentErrors().map((e) => e.message)).toEqual(["second", "first"]);
    expect(recentErrors()[0]).toEqual({ at: new Date(2_000).toISOString(), source: "route", message: "second" });
  });

  it("keeps one entry for a problem repeated within the window, a new one after it", () => {
    recordRecentError("readiness:redis", "down", new Date(0));
    recordRecentError("readiness:redis", "down", new Date(REPEAT_WINDOW_MS - 1));
    expect(recentErrors()).toHaveLength(1);
    recordRecentError("readiness:redis", "down", new Date(REPEAT_WINDOW_MS + 1));
    expect(recentErrors()).toHaveLength(2);
  });

  it("keeps only the last entries and cuts long messages", () => {
    for (let i = 0; i < RECENT_ERRORS_CAPACITY + 5; i++) recordRecentError("pool:readonly", `error ${i}`, new Date(i));
    expect(recentErrors()).toHaveLength(RECENT_ERRORS_CAPACITY);
    expect(recentErrors().at(-1)!.message).toBe("error 5");
    recordRecentError("route", "x".repeat(1000));
    expect(recentErrors()[0]!.message).toHaveLength(300);
  });
});
