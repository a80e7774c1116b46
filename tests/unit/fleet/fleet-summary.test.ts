import { describe, expect, it } from "vitest";
import { summarizeFleet } from "@/lib/fleet/fleet-summary";
import type { Heartbeat, HeartbeatPool } from "@/lib/fleet/heartbeat-schema";

function pool(overrides: Partial<HeartbeatPool> = {}): HeartbeatPool {
  return {
    size: 10,
    min: 2,
    open: 2,
    inUse: 0,
    idle: 2,
    waiting: 0,
    served: 0,
    rejected: 0,
    timedOut: 0,
    waitMsP99: 0,
    health: "healthy",
    target: "direct",
    fallbackToDirect: false,
    ...overrides,
  };
}

function beat(instance: string, pools: Heartbeat["pools"]): Heartbeat {
  const at = new Date(0).toISOString();
  return { instance, pid: 1, version: "0.1.0", startedAt: at, at, pools };
}

const server = { maxConnections: 100, reservedConnections: 3 };

describe("summarizeFleet", () => {
  it("sums connections per role over the instances", () => {
    const summary = summarizeFleet(
      [
        beat("a", { readonly: pool({ open: 5, inUse: 3, waiting: 1 }), app: pool(), admin: pool({ size: 4 }) }),
        beat("b", { readonly: pool({ open: 7, inUse: 6, waiting: 2 }), app: pool({ open: 3 }) }),
      ],
      server,
    );
    expect(summary.instances).toBe(2);
    expect(summary.roles.readonly).toEqual({ open: 12, inUse: 9, waiting: 3, capacity: 20 });
    expect(summary.roles.app).toEqual({ open: 5, inUse: 0, waiting: 0, capacity: 20 });
    expect(summary.roles.admin).toEqual({ open: 2, inUse: 0, waiting: 0, capacity: 4 });
    expect(summary.open).toBe(19);
    expect(summary.potential).toBe(44);
    expect(summary.available).toBe(97);
    expect(summary.status).toBe("ok");
  });

  it("warns when size × roles × instances exceeds what Postgres accepts", () => {
    const three = { readonly: pool(), app: pool(), admin: pool() };
    const fleet = ["a", "b", "c", "d"].map((name) => beat(name, three));
    const summary = summarizeFleet(fleet, server);
    expect(summary.potential).toBe(120);
    expect(summary.status).toBe("exhausting");
    expect(summary.message).toMatch(/could open 120 connections but Postgres accepts 97/);
  });

  it("cautions when the worst case is close to the limit, and is fine below it", () => {
    const three = { readonly: pool(), app: pool(), admin: pool() };
    expect(summarizeFleet([beat("a", three), beat("b", three), beat("c", three)], server).status).toBe("caution"); // 90 of 97
    expect(summarizeFleet([beat("a", three), beat("b", three)], server).status).toBe("ok"); // 60 of 97
    // Exactly the available number still fits.
    expect(summarizeFleet([beat("a", { readonly: pool({ size: 97 }) })], server).status).toBe("caution");
    expect(summarizeFleet([beat("a", { readonly: pool({ size: 98 }) })], server).status).toBe("exhausting");
  });

  it("says so when max_connections is unknown", () => {
    const summary = summarizeFleet([beat("a", { app: pool() })], null);
    expect(summary.available).toBeNull();
    expect(summary.message).toMatch(/unknown/);
  });

  it("an empty fleet has nothing open", () => {
    const summary = summarizeFleet([], server);
    expect(summary).toMatchObject({ instances: 0, open: 0, potential: 0, status: "ok" });
  });
});
