import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { setDisabled } from "@/lib/auth/user-admin";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { keys } from "@/lib/redis/keys";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createUser, signIn } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { RedisTap, type TappedChunk } from "@/tests/support/redis-tap";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * What one authenticated API request costs, counted over the production build: every command the
 * server sends to Redis goes through a RedisTap (by the chunk it arrived in: one chunk, one round
 * trip), and the app pool's units come from its own counter in /api/metrics. With the user's state
 * cached, `GET /api/v1/tables/data.orders?id=eq.5` makes one round trip (the rate limit and the
 * credential read in one pipeline) and no query on the app pool; with the state evicted, one query,
 * then cached again.
 */
const METRICS_TOKEN = "metrics-token-for-the-round-trip-test-0123456789";
const PATH = "/api/v1/tables/data.orders?id=eq.5";
/** What the request path sends (the background sends SET, INCRBY, EXPIRE, ZINCRBY). */
const REQUEST_COMMANDS = new Set(["EVALSHA", "EVAL", "GET", "MGET", "SCRIPT"]);

let db: TestDatabase;
let app: AppServer;
let tap: RedisTap;
let redis: Redis;
let caller: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("auth_round_trips");
  tap = await RedisTap.start(inject("redisUrl"));
  redis = new Redis(inject("redisUrl"));
  app = await startAppServer(explorerEnv(db, { REDIS_URL: tap.url(), METRICS_TOKEN }));
  caller = await createCaller(db, "viewer", ["tables:read"]);
});
afterAll(async () => {
  await app?.stop();
  await tap?.stop();
  redis?.disconnect();
  await closePools();
  await closeRedis();
  await db?.drop();
});

async function servedOnPool(role: string): Promise<number> {
  const response = await fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  const line = (await response.text()).split("\n").find((l) => l.startsWith("sluice_db_pool_served_total{") && l.includes(`role="${role}"`));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

/** Runs `requests` sequential reads; returns the request-path chunks and the units each pool served meanwhile. */
async function measure(requests: number, headers: Record<string, string> = caller.headers) {
  const before = { app: await servedOnPool("app"), readonly: await servedOnPool("readonly") };
  const from = tap.chunks.length;
  for (let i = 0; i < requests; i++) {
    const response = await fetch(`${app.url}${PATH}`, { headers });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toEqual([expect.objectContaining({ id: 5 })]);
  }
  const chunks = tap.since(from).filter((chunk: TappedChunk) => chunk.commands.some(([name]) => REQUEST_COMMANDS.has(name!)));
  const after = { app: await servedOnPool("app"), readonly: await servedOnPool("readonly") };
  return { chunks, app: after.app - before.app, readonly: after.readonly - before.readonly };
}

describe("an authenticated table read", () => {
  it("with the user's state cached: one Redis round trip and no app-pool query per request", async () => {
    await measure(2); // scripts loaded, the user's state cached
    const { chunks, app: appUnits, readonly } = await measure(10);
    expect(chunks).toHaveLength(10);
    for (const chunk of chunks) expect(chunk.commands.map(([name]) => name)).toEqual(["EVALSHA", "EVALSHA"]);
    expect(appUnits).toBe(0);
    // The read itself runs on the readonly role; the figure is printed for the report.
    console.info(`per request: ${chunks.length / 10} Redis round trip(s), ${appUnits / 10} app-pool units, ${readonly / 10} readonly-pool units`);
  });

  it("control: with the state evicted, the request reads it from Postgres once, and caches it", async () => {
    await measure(1);
    await redis.del(keys.userStateKey(caller.userId));
    const cold = await measure(1);
    expect(cold.app).toBe(1);
    // The credential read with the rate limit, then the rebuilt state written back.
    expect(cold.chunks.map((chunk) => chunk.commands.map(([name]) => name))).toEqual([["EVALSHA", "EVALSHA"], ["EVALSHA"]]);
    expect(await redis.get(keys.userStateKey(caller.userId))).toContain(caller.userId);
    const warm = await measure(1);
    expect(warm.app).toBe(0);
    expect(warm.chunks).toHaveLength(1);
  });

  it("with a session cookie, the same: one round trip, no app-pool query", async () => {
    const user = await createUser(db, { role: "viewer" });
    const cookie = { cookie: await signIn(app.url, user.email, user.password) };
    await measure(2, cookie);
    const { chunks, app: appUnits } = await measure(5, cookie);
    expect(chunks.map((chunk) => chunk.commands.map(([name]) => name))).toEqual(Array(5).fill(["EVALSHA", "EVALSHA"]));
    expect(appUnits).toBe(0);
  });

  it("disabling the cached user refuses the very next request; enabling lets it in again", async () => {
    await measure(1);
    expect(await redis.get(keys.userStateKey(caller.userId))).not.toBeNull();
    const actor = { userId: null, via: "cli" as const, ip: null };
    await setDisabled(actor, caller.userId, true);
    const refused = await fetch(`${app.url}${PATH}`, { headers: caller.headers });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toMatch(/disabled/);
    await setDisabled(actor, caller.userId, false);
    expect((await fetch(`${app.url}${PATH}`, { headers: caller.headers })).status).toBe(200);
  });
});
