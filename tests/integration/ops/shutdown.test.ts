import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";
import { createOperator, type Operator } from "@/tests/integration/ops/operator";

/**
 * SIGTERM while writes are in flight: every write the server acknowledged is
 * in the database afterwards, in-flight requests finish instead of failing,
 * the process closes its pools and exits 0, and its logs hold no secret.
 *
 * The write: PATCH /api/admin/users/:id flipping a user's role, which updates
 * app.users and appends a user.role-change audit row. Each lane owns one user
 * and sends its PATCHes one after another, so its last acknowledged role is
 * known exactly.
 */
const LANES = 8;
let db: TestDatabase;
let redis: RedisServerHandle;
let app: AppServer;
let operator: Operator;
const targets: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase("shutdown");
  redis = await startRedisServer();
  operator = await createOperator(db, redis.url);
  for (let i = 0; i < LANES; i++) {
    const [row] = await db.owner<{ id: string }[]>`
      insert into app.users (email, password_hash, role) values (${`lane-${i}@example.test`}, 'not-a-hash', 'viewer') returning id`;
    targets.push(row!.id);
  }
  app = await startAppServer(db.envVars({ REDIS_URL: redis.url, LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_S: "8", RATE_LIMIT_API_LIMIT: "1000000" }));
});
afterAll(async () => {
  await app?.stop("SIGKILL");
  await redis?.stop();
  await db?.drop();
});

interface Lane {
  acknowledged: number;
  lastAcknowledged: string | null;
  lastAttempted: string | null;
  statuses: number[];
  errors: string[];
  /** [started, finished] of every acknowledged request, to find the ones in flight at SIGTERM. */
  spans: Array<[number, number]>;
}

async function runLane(userId: string, stopAt: () => boolean): Promise<Lane> {
  const lane: Lane = { acknowledged: 0, lastAcknowledged: null, lastAttempted: null, statuses: [], errors: [], spans: [] };
  for (let i = 0; !stopAt(); i++) {
    const role = i % 2 === 0 ? "analyst" : "viewer";
    lane.lastAttempted = role;
    const started = Date.now();
    try {
      const response = await fetch(`${app.url}/api/admin/users/${userId}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${operator.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ role }),
      });
      const body = (await response.json()) as { user?: { role: string } };
      lane.statuses.push(response.status);
      if (response.status === 200 && body.user?.role === role) {
        lane.acknowledged++;
        lane.lastAcknowledged = role;
        lane.spans.push([started, Date.now()]);
      }
    } catch (error) {
      // Connection refused or closed: the server stopped accepting. Not acknowledged, so not counted.
      lane.errors.push(String((error as Error).cause ?? error));
      return lane;
    }
  }
  return lane;
}

describe("graceful shutdown", () => {
  it("SIGTERM during a write load loses no acknowledged write and exits 0 after closing the pools", async () => {
    // Warm up (first requests compile routes and open connections), then load for a while.
    for (const id of targets)
      await fetch(`${app.url}/api/admin/users/${id}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${operator.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ disabled: false }),
      });
    let stop = false;
    const lanes = Promise.all(targets.map((id) => runLane(id, () => stop)));
    await new Promise((r) => setTimeout(r, 2500));
    const signalledAt = Date.now();
    const exit = app.stop("SIGTERM");
    const code = await exit;
    const shutdownMs = Date.now() - signalledAt;
    stop = true;
    const results = await lanes;

    expect(code).toBe(0);
    expect(shutdownMs).toBeLessThan(8_000); // well inside the deadline: keep-alive clients were let go
    const total = results.reduce((sum, lane) => sum + lane.acknowledged, 0);
    expect(total).toBeGreaterThan(2 * LANES); // the load really ran
    // Requests in flight when the signal came were answered, not dropped.
    const inFlight = results.flatMap((lane) => lane.spans).filter(([started, finished]) => started < signalledAt && finished > signalledAt);
    expect(inFlight.length).toBeGreaterThanOrEqual(1);
    // In-flight requests were finished, not failed: nothing but 200 came back.
    expect(results.flatMap((lane) => lane.statuses).filter((status) => status !== 200)).toEqual([]);

    for (const [i, lane] of results.entries()) {
      const [user] = await db.owner<{ role: string }[]>`select role from app.users where id = ${targets[i]!}`;
      // The last acknowledged write stands, unless a later unacknowledged one also committed.
      expect([lane.lastAcknowledged ?? "viewer", lane.lastAttempted], JSON.stringify(lane)).toContain(user!.role);
      const [audit] = await db.owner<{ count: number }[]>`
        select count(*)::int as count from app.audit_events where action = 'user.role-change' and target = ${targets[i]!}`;
      expect(audit!.count).toBeGreaterThanOrEqual(lane.acknowledged);
    }

    const output = app.output();
    expect(output).toMatch(/draining: no new connections/);
    expect(output).toMatch(/"msg":"shutdown complete"/);
    expect(output).not.toMatch(/shutdown step failed|did not finish before SHUTDOWN_TIMEOUT_S/);
    const logLines = output.split("\n").filter((l) => l.includes('"msg":"request"'));
    expect(logLines.length).toBeGreaterThanOrEqual(total);
    for (const secret of [
      operator.adminToken,
      operator.adminPassword,
      ...Object.entries(db.envVars())
        .filter(([k]) => /PASSWORD/.test(k))
        .map(([, v]) => v),
    ]) {
      expect(output).not.toContain(secret);
    }

    // The pools said goodbye: no connection of this app is left on the server.
    const [activity] = await db.owner<{ left: number }[]>`
      select count(*)::int as left from pg_stat_activity where datname = current_database() and application_name like 'sluice:%'`;
    expect(activity!.left).toBe(0);
  });
});
