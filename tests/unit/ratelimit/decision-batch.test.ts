import { describe, expect, it } from "vitest";
import { DecisionBatch } from "@/lib/ratelimit/decision-batch";

describe("DecisionBatch", () => {
  it("sums decisions per policy, decision and minute, and refusals per identifier", () => {
    const batch = new DecisionBatch();
    expect(batch.empty).toBe(true);
    batch.add("api", "allowed", 7);
    batch.add("api", "allowed", 7);
    batch.add("api", "allowed", 8);
    batch.add("api", "limited", 8, "token:a");
    batch.add("api", "limited", 8, "token:a");
    batch.add("api", "limited", 8, "token:b");
    batch.add("sql", "fail-open", 8, "token:a");
    expect(batch.empty).toBe(false);
    const drained = batch.drain();
    expect(drained.decisions).toEqual([
      { policy: "api", decision: "allowed", minuteBucket: 7, count: 2 },
      { policy: "api", decision: "allowed", minuteBucket: 8, count: 1 },
      { policy: "api", decision: "limited", minuteBucket: 8, count: 3 },
      { policy: "sql", decision: "fail-open", minuteBucket: 8, count: 1 },
    ]);
    // Only refusals name who was refused.
    expect(drained.refusals).toEqual([
      { policy: "api", minuteBucket: 8, identifier: "token:a", count: 2 },
      { policy: "api", minuteBucket: 8, identifier: "token:b", count: 1 },
    ]);
    expect(batch.empty).toBe(true);
    expect(batch.drain()).toEqual({ decisions: [], refusals: [] });
  });
});
