import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createToken, createUser, signIn, useAppEnvironment } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { OutageProxy } from "@/tests/support/outage-proxy";

/**
 * Readiness under abuse: public, so anyone can call it as often as they like.
 * It must cost the pools nothing per call (small pools here, DB_POOL_SIZE 2),
 * tell anonymous callers only the status, and still turn 503 promptly when the
 * database goes away (played by a TCP proxy in front of the shared Postgres).
 */
const METRICS_TOKEN = `metrics-${randomBytes(24).toString("hex")}`;
let db: TestDatabase;
let outage: OutageProxy;
let app: AppServer;
let viewerToken: string;
let adminToken: string;
let adminCookie: string;

beforeAll(async () => {
  db = await createTestDatabase("health_load");
  outage = await OutageProxy.start(db.url);
  useAppEnvironment(db.envVars({ REDIS_URL: inject("redisUrl") }));
  app = await startAppServer(
    db.envVars({
      REDIS_URL: inject("redisUrl"),
      DATABASE_URL: outage.url(db.url),
      DB_POOL_SIZE: "2",
      DB_RECONNECT_TIMEOUT_S: "2",
      METRICS_TOKEN,
      RATE_LIMIT_ANONYMOUS_LIMIT: "1000000",
      RATE_LIMIT_API_LIMIT: "1000000",
    }),
  );
  const viewer = await createUser(db, { role: "viewer" });
  const admin = await createUser(db, { role: "admin" });
  viewerToken = (await createToken(viewer)).token;
  adminToken = (await createToken(admin, { scopes: ["admin"] })).token;
  adminCookie = await signIn(app.url, admin.email, admin.password);
});
afterAll(async () => {
  await app?.stop();
  await outage?.close();
  await closePools();
  await closeRedis();
  await db?.drop();
});

const ready = (headers: Record<string, string> = {}) => fetch(`${app.url}/api/health/ready`, { headers, signal: AbortSignal.timeout(10_000) });

/** Permits each role's pool has handed out so far (Prometheus text, read with the scraper secret). */
async function served(): Promise<Record<string, number>> {
  const text = await (await fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^sluice_db_pool_served_total\{[^}]*role="(\w+)"[^}]*\} (\d+)/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

describe("readiness cannot be used to drain the pools", () => {
  it("32 anonymous clients hammering readiness do not make real API requests fail", async () => {
    const stopAt = Date.now() + 3000;
    const readinessStatuses: number[] = [];
    const apiStatuses: number[] = [];
    const hammer = Array.from({ length: 32 }, async () => {
      while (Date.now() < stopAt) {
        const response = await ready();
        await response.arrayBuffer();
        readinessStatuses.push(response.status);
      }
    });
    const api = Array.from({ length: 4 }, async () => {
      while (Date.now() < stopAt) {
        const response = await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${viewerToken}` } });
        await response.arrayBuffer();
        apiStatuses.push(response.status);
      }
    });
    await Promise.all([...hammer, ...api]);
    const failed = apiStatuses.filter((s) => s !== 200);
    expect(failed, `${failed.length} of ${apiStatuses.length} API requests failed`).toEqual([]);
    console.log(`readiness: ${readinessStatuses.length} calls, API: ${apiStatuses.length} requests in 3 s`);
    expect(apiStatuses.length).toBeGreaterThanOrEqual(4);
    expect(readinessStatuses.every((s) => s === 200)).toBe(true);
  });

  it("takes no pool permit per call: only the shared, cached probe does", async () => {
    const before = await served();
    const started = Date.now();
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 10 }, async () => (await ready()).arrayBuffer()));
    }
    const elapsedS = (Date.now() - started) / 1000;
    const after = await served();
    for (const role of ["readonly", "app", "admin"]) {
      const growth = after[role]! - before[role]!;
      // 200 calls; at most one probe per role per second (plus one at each end).
      expect(growth, `${role}: ${growth} permits for 200 readiness calls in ${elapsedS.toFixed(1)} s`).toBeLessThanOrEqual(Math.ceil(elapsedS) + 2);
    }
  });
});

describe("what readiness tells whom", () => {
  it("anonymous callers (and non-admins) get the status only", async () => {
    const callers: Array<Record<string, string>> = [{}, { authorization: `Bearer ${viewerToken}` }, { authorization: "Bearer not-a-token" }];
    for (const headers of callers) {
      const response = await ready(headers);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok" });
    }
  });

  it.each([
    ["an admin token", () => ({ authorization: `Bearer ${adminToken}` })],
    ["an admin session", () => ({ cookie: adminCookie })],
    ["the metrics secret", () => ({ authorization: `Bearer ${METRICS_TOKEN}` })],
  ])("%s gets the per-check detail", async (_label, headers) => {
    const response = await ready(headers());
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe("ok");
    for (const role of ["readonly", "app", "admin"]) {
      expect(body.checks[`db:${role}`]).toMatchObject({ ok: true });
      expect(body.pools[role]).toMatchObject({ size: 2 });
    }
    expect(body.checks.migrations).toMatchObject({ ok: true, current: true });
  });

  it("the anonymous home page shows the status but no pool internals", async () => {
    const html = await (await fetch(`${app.url}/`)).text();
    expect(html).toContain("Database status");
    expect(html).toContain("ready");
    for (const internal of ["Role pool", "Connections open", "In use", "Latency", "Migrations:"]) expect(html).not.toContain(internal);
  });
});

describe("readiness stays truthful", () => {
  it("turns 503 within about a second of the database going away, and 200 once it is back", async () => {
    expect((await ready()).status).toBe(200);
    outage.refuse();
    outage.hangUp();
    const downAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - downAt < 5000) {
      const response = await ready();
      await response.arrayBuffer();
      status = response.status;
      if (status === 200) await new Promise((r) => setTimeout(r, 50));
    }
    const tookMs = Date.now() - downAt;
    expect(status).toBe(503);
    // One cached second plus the probe itself; generous for a loaded machine.
    expect(tookMs).toBeLessThan(3000);

    await outage.accept();
    const upAt = Date.now();
    while (status !== 200 && Date.now() - upAt < 15_000) {
      await new Promise((r) => setTimeout(r, 200));
      const response = await ready();
      await response.arrayBuffer();
      status = response.status;
    }
    expect(status).toBe(200);
  });
});
