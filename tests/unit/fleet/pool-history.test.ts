import { describe, expect, it } from "vitest";
import { HISTORY_CAPACITY, newProblems, toSample, type Observation } from "@/lib/fleet/pool-history";

type Counters = NonNullable<Observation["roles"]["readonly"]>;

function counters(overrides: Partial<Counters> = {}): Counters {
  return {
    served: 0,
    rejected: 0,
    timedOut: 0,
    errors: 0,
    health: "healthy",
    inUse: 0,
    waiting: 0,
    waitMsP99: 0,
    connections: { failed: 0, lost: 0, lastError: null },
    ...overrides,
  };
}

describe("pool history samples", () => {
  it("covers 15 minutes at one sample every 5 s", () => {
    expect(HISTORY_CAPACITY).toBe(180);
  });

  it("derives requests per second from the growth of served", () => {
    const before: Observation = { at: 10_000, roles: { readonly: counters({ served: 100 }) } };
    const after: Observation = { at: 15_000, roles: { readonly: counters({ served: 150, inUse: 3, waiting: 2, waitMsP99: 12.5 }) } };
    expect(toSample(before, after)).toEqual({ at: 15_000, roles: { readonly: { inUse: 3, waiting: 2, waitMsP99: 12.5, requestsPerS: 10 } } });
  });

  it("reports no rate for the first sample or after a counter reset", () => {
    const first: Observation = { at: 5_000, roles: { app: counters({ served: 40 }) } };
    expect(toSample(undefined, first).roles.app!.requestsPerS).toBe(0);
    const reset: Observation = { at: 10_000, roles: { app: counters({ served: 3 }) } };
    expect(toSample(first, reset).roles.app!.requestsPerS).toBe(0);
  });

  it("lists new problems once, per kind", () => {
    const before: Observation = { at: 0, roles: { readonly: counters({ rejected: 2 }) } };
    const after: Observation = {
      at: 5000,
      roles: {
        readonly: counters({ rejected: 5, timedOut: 1, health: "reconnecting", connections: { failed: 2, lost: 1, lastError: "ECONNREFUSED" } }),
      },
    };
    const problems = newProblems(before, after);
    expect(problems.map((p) => p.message)).toEqual([
      "health healthy → reconnecting",
      "3 request(s) rejected: pool saturated (503)",
      "1 request(s) timed out waiting for a connection (503)",
      "2 connection attempt(s) failed: ECONNREFUSED",
      "1 connection(s) lost: ECONNREFUSED",
    ]);
    expect(problems.every((p) => p.source === "pool:readonly")).toBe(true);
    expect(newProblems(after, after)).toEqual([]);
    expect(newProblems(undefined, after)).toEqual([]);
  });
});
