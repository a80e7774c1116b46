import { afterAll, describe, expect, inject, it } from "vitest";
import { buildHeartbeat, readFleet, writeHeartbeat } from "@/lib/fleet/heartbeat";
import type { Heartbeat } from "@/lib/fleet/heartbeat-schema";
import { summarizeFleet } from "@/lib/fleet/fleet-summary";
import { createRedisClient, quitClient } from "@/lib/redis/client";
import { createKeys } from "@/lib/redis/keys";
import { RedisStore } from "@/lib/redis/store";

const client = createRedisClient({ url: inject("redisUrl"), logger: { info: () => undefined, warn: () => undefined }, connectionName: "fleet-test" });
const store = new RedisStore(client);
const keys = createKeys(`fleet-${Math.random().toString(36).slice(2, 8)}`);

afterAll(async () => {
  const left = await store.scanKeys(keys.fleetPattern());
  if (left.length) await store.del(...left);
  await quitClient(client);
});

function beat(instance: string, inUse: number): Heartbeat {
  const now = new Date().toISOString();
  const pool = {
    size: 10,
    min: 2,
    open: 2 + inUse,
    inUse,
    idle: 2,
    waiting: 0,
    served: 5,
    rejected: 0,
    timedOut: 0,
    waitMsP99: 1,
    health: "healthy" as const,
    target: "direct" as const,
    fallbackToDirect: false,
  };
  return { instance, pid: 1234, version: "0.1.0", startedAt: now, at: now, pools: { readonly: pool, app: pool, admin: pool } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fleet heartbeat in Redis", () => {
  it("lists every live instance, and their sum", async () => {
    await writeHeartbeat(store, keys, beat("web-a", 1), 10_000);
    await writeHeartbeat(store, keys, beat("web-b", 3), 10_000);
    const fleet = await readFleet(store, keys);
    expect(fleet.map((b) => b.instance)).toEqual(["web-a", "web-b"]);
    expect(fleet[1]!.pools.readonly!.inUse).toBe(3);
    const summary = summarizeFleet(fleet, { maxConnections: 100, reservedConnections: 3 });
    expect(summary.roles.readonly.inUse).toBe(4);
    expect(summary.potential).toBe(60);
  });

  it("a live heartbeat stays; a dead instance's expires with its TTL", async () => {
    await writeHeartbeat(store, keys, beat("web-a", 0), 10_000);
    await writeHeartbeat(store, keys, beat("web-b", 0), 400);
    expect((await readFleet(store, keys)).map((b) => b.instance)).toEqual(["web-a", "web-b"]);
    expect(await store.pttl(keys.fleetKey("web-b"))).toBeLessThanOrEqual(400);
    await sleep(700);
    expect((await readFleet(store, keys)).map((b) => b.instance)).toEqual(["web-a"]);
  });

  it("skips an entry that does not parse instead of failing the dashboard", async () => {
    await store.set(keys.fleetKey("garbage"), "{not json", { ttlMs: 10_000 });
    await store.set(keys.fleetKey("wrong-shape"), JSON.stringify({ instance: "x" }), { ttlMs: 10_000 });
    const fleet = await readFleet(store, keys);
    expect(fleet.map((b) => b.instance)).toEqual(["web-a"]);
  });

  it("builds a heartbeat that its own schema accepts from a pool snapshot", () => {
    const snapshot = {
      size: 10,
      min: 2,
      max: 10,
      inUse: 1,
      idle: 1,
      waiting: 0,
      available: 9,
      maxWaiting: 10,
      served: 3,
      queued: 0,
      rejected: 0,
      timedOut: 0,
      aborted: 0,
      waitMsTotal: 0,
      waitMsP50: 0,
      waitMsP95: 0,
      waitMsP99: 0,
      waitMsMax: 0,
      usageMsTotal: 0,
      role: "app" as const,
      mode: "pooled" as const,
      target: "direct" as const,
      fallbackToDirect: false,
      health: "healthy" as const,
      unhealthySince: null,
      applicationName: "sluice:app:x",
      url: "postgres://…",
      connections: { open: 2, opened: 2, failed: 0, lost: 0, closed: 0, connectMsTotal: 1, cancelsSent: 0, lastError: null },
      errors: 0,
      connected: 2,
      returnedClean: 3,
      discarded: { cancelled: 0, dirty: 0, stale: 0, idle: 0, forced: 0 },
    };
    const built = buildHeartbeat({ app: snapshot }, new Date(0));
    expect(built.pools.app).toMatchObject({ size: 10, open: 2, inUse: 1, idle: 1 });
    expect(built.startedAt).toBe(new Date(0).toISOString());
  });
});
