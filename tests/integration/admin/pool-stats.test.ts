import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServerView, parseApplicationName } from "@/lib/fleet/pool-stats";
import { RolePool } from "@/lib/db/pool";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { poolConfig } from "@/tests/support/pool-config";

let db: TestDatabase;
let readonlyPool: RolePool;
const instance = `itest-${Math.random().toString(36).slice(2, 8)}`;
const applicationName = `sluice:readonly:${instance}`;

beforeAll(async () => {
  db = await createTestDatabase("poolstats");
  readonlyPool = new RolePool(poolConfig("readonly", db.roleUrl("readonly"), { applicationName, size: 4, min: 1 }));
});
afterAll(async () => {
  await readonlyPool?.close(1);
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("server view from pg_stat_activity (as the admin role, pg_monitor)", () => {
  it("parses sluice application names", () => {
    expect(parseApplicationName("sluice:app:web-1")).toEqual({ role: "app", instance: "web-1" });
    expect(parseApplicationName("sluice:test:readonly:x")).toEqual({ role: null, instance: null });
    expect(parseApplicationName("psql")).toEqual({ role: null, instance: null });
  });

  it("counts active and idle connections of a pool and shows its longest running query", async () => {
    const admin = db.as("admin");
    // Two slow statements hold two connections; a third connection stays idle.
    await readonlyPool.run(({ sql }) => sql`select 1`);
    const slow = Promise.all([
      readonlyPool.run(({ sql }) => sql`select pg_sleep(1.5), 'first-slow' as tag`),
      readonlyPool.run(({ sql }) => sql`select pg_sleep(1.5), 'second-slow' as tag`),
    ]);
    await sleep(500);
    const view = await readServerView(admin);
    await slow;

    expect(view.maxConnections).toBeGreaterThan(0);
    expect(view.serverVersion).toMatch(/^\d+/);
    expect(view.databaseConnections).toBeGreaterThanOrEqual(3);
    expect(view.serverConnections).toBeGreaterThanOrEqual(view.databaseConnections);
    const mine = view.applications.find((app) => app.applicationName === applicationName);
    expect(mine).toBeDefined();
    expect(mine).toMatchObject({ role: "readonly", instance, active: 2, idleInTransaction: 0 });
    expect(mine!.total).toBe(mine!.active + mine!.idle + mine!.idleInTransaction);
    expect(mine!.longest!.query).toContain("pg_sleep(1.5)");
    expect(mine!.longest!.durationMs).toBeGreaterThanOrEqual(300);
    expect(mine!.longest!.durationMs).toBeLessThan(5000);
  });

  it("counts a connection idle in a transaction, and cuts long queries at 200 characters", async () => {
    const admin = db.as("admin");
    const padding = "x".repeat(400);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const inTransaction = readonlyPool.transaction(async ({ sql }) => {
      await sql.unsafe(`select '${padding}' as padding`);
      await held;
    });
    await sleep(300);
    const view = await readServerView(admin);
    release();
    await inTransaction;

    const mine = view.applications.find((app) => app.applicationName === applicationName)!;
    expect(mine.idleInTransaction).toBe(1);
    expect(mine.longest!.state).toBe("idle in transaction");
    expect(mine.longest!.query.length).toBe(200);
  });

  it("does not count the connection that asks", async () => {
    const admin = db.as("admin");
    const view = await readServerView(admin);
    const self = await admin<{ app: string }[]>`select current_setting('application_name') as app`;
    const own = view.applications.find((app) => app.applicationName === self[0]!.app);
    expect(own?.active ?? 0).toBe(0);
  });
});
