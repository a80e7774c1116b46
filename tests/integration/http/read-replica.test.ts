import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupDatabase } from "@/db/setup";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createToken, createUser, useAppEnvironment } from "@/tests/support/auth";
import { replicaBinariesInstalled, startPrimaryWithReplica, type PrimaryWithReplica } from "@/tests/support/replica";
import { testEnvVars } from "@/tests/support/test-env";

/**
 * Issue 16 item 3: a real streaming replica (tests/support/replica.ts: the machine's Postgres 15,
 * pg_basebackup -R of a primary of its own) behind DATABASE_READONLY_URL. Table reads and the SQL
 * console run on the replica, the app and admin roles stay on the primary; readiness reports the
 * replica and its replay lag to admins; with the replica down, readonly requests answer 503 in the
 * error shape while the rest keeps working, and they recover when it is back. There is no fallback
 * to the primary (docs/deploy.md says why).
 */
let pg: PrimaryWithReplica;
let app: AppServer;
let primarySql: Sql;
let replicaSql: Sql;
let headers: Record<string, string>;
const INSTANCE = `replica-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  if (!replicaBinariesInstalled()) throw new Error("Postgres 15 binaries missing (Debian: apt-get install postgresql-15), or set PG_BIN");
  pg = await startPrimaryWithReplica("replica");
  primarySql = postgres(pg.primary.url, { max: 1, onnotice: () => {} });
  replicaSql = postgres(pg.replica.url, { max: 1, onnotice: () => {} });
  await primarySql`create schema if not exists data`;
  await primarySql`create table data.replica_items (id int primary key, note text not null)`;
  await primarySql`insert into data.replica_items values (1, 'one'), (2, 'two'), (3, 'three')`;
  // The grants on the new schema, on the primary only: the replica gets them by replication.
  await setupDatabase(pg.primary.url, pg.env);

  const vars = testEnvVars(pg.config, pg.primary.url, {
    DATABASE_READONLY_URL: `postgres://127.0.0.1:${pg.replica.port}/postgres`,
    INSTANCE_ID: INSTANCE,
    DB_POOL_SIZE: "3",
    DB_POOL_MIN: "1",
    DB_RECONNECT_TIMEOUT_S: "2",
    RATE_LIMIT_API_LIMIT: "1000000",
    RATE_LIMIT_SQL_LIMIT: "1000000",
  });
  useAppEnvironment(vars);
  const admin = await createUser({ owner: primarySql }, { role: "admin" });
  headers = { authorization: `Bearer ${(await createToken(admin, { scopes: ["tables:read", "sql:run", "queries:run", "admin"] })).token}` };
  // Every statement of the schema so far is on the replica before the server starts.
  await until(async () => (await replicaSql`select count(*)::int as n from data.replica_items`.catch(() => [{ n: 0 }]))[0]!.n === 3, 30_000);
  app = await startAppServer(vars);
}, 180_000);
afterAll(async () => {
  await app?.stop();
  await Promise.all([primarySql?.end({ timeout: 1 }), replicaSql?.end({ timeout: 1 })]);
  pg?.remove();
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

const call = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(`${app.url}${path}`, {
    ...init,
    headers: { ...headers, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
};
const runSql = (sql: string) => call("/api/v1/sql", { method: "POST", body: JSON.stringify({ sql }) });
const readItems = () => call("/api/v1/tables/data.replica_items?order=id");
/** This instance's connections on a server, by role (application_name sluice:<role>:<instance>). */
const rolesOn = async (sql: Sql) =>
  new Set(
    (await sql<{ name: string }[]>`select application_name as name from pg_stat_activity where application_name like ${`sluice:%:${INSTANCE}`}`).map(
      (row) => row.name.split(":")[1],
    ),
  );

describe("a streaming read replica behind DATABASE_READONLY_URL (issue 16)", () => {
  it("runs table reads and the console on the replica, the app and admin roles on the primary", async () => {
    const onReplica = await runSql("select pg_is_in_recovery() as on_replica");
    expect(onReplica.status, JSON.stringify(onReplica.body)).toBe(200);
    expect(onReplica.body.rows).toEqual([[true]]);
    const items = await readItems();
    expect(items.status).toBe(200);
    expect(items.body.map((row: { note: string }) => row.note)).toEqual(["one", "two", "three"]);
    // The app role (saved queries) and the admin role (the dashboard's server view) answer too.
    expect((await call("/api/v1/queries")).status).toBe(200);
    expect((await call("/api/admin/stats")).status).toBe(200);

    // Which server sees which role's backends.
    expect(await rolesOn(replicaSql)).toEqual(new Set(["readonly"]));
    const onPrimary = await rolesOn(primarySql);
    expect(onPrimary.has("readonly")).toBe(false);
    expect(onPrimary).toEqual(new Set(["app", "admin"]));

    // A row written on the primary reaches the reads by replication (bounded wait: replay is asynchronous).
    await primarySql`insert into data.replica_items values (4, 'four')`;
    expect(await until(async () => (await readItems()).body.length === 4, 30_000)).toBe(true);
  });

  it("reports the replica and its replay lag in the readiness detail, the status only to anonymous callers", async () => {
    const detail = await call("/api/health/ready");
    expect(detail.status).toBe(200);
    expect(detail.body.checks["db:readonly"]).toMatchObject({ ok: true, replica: { inRecovery: true, replayLagS: expect.any(Number) } });
    expect(detail.body.checks["db:readonly"].replica.replayLagBytes).toBeGreaterThanOrEqual(0);
    const anonymous = await fetch(`${app.url}/api/health/ready`);
    expect(await anonymous.json()).toEqual({ status: "ok" });
  });

  it("answers readonly requests 503 in the error shape while the replica is down, keeps the rest working, and recovers when it returns", async () => {
    pg.replica.stop();
    let down: Awaited<ReturnType<typeof call>> | undefined;
    expect(
      await until(async () => {
        down = await readItems();
        return down.status !== 200;
      }, 30_000),
    ).toBe(true);
    expect(down!.status, JSON.stringify(down!.body)).toBe(503);
    expect(down!.body).toMatchObject({ error: { code: "unavailable", message: expect.any(String) } });
    const sqlRun = await runSql("select 1");
    expect(sqlRun.status).toBe(503);
    expect(sqlRun.body.error.code).toBe("unavailable");
    // The primary's roles are not affected (control: the 503s are the replica's).
    expect((await call("/api/v1/queries")).status).toBe(200);
    const ready = await call("/api/health/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.failed).toEqual(["db:readonly"]);

    const restartedAt = Date.now();
    pg.replica.start();
    expect(await until(async () => (await readItems()).status === 200, 60_000)).toBe(true);
    const recoveredMs = Date.now() - restartedAt;
    expect(await until(async () => (await call("/api/health/ready")).status === 200, 30_000)).toBe(true);
    const readyMs = Date.now() - restartedAt;
    console.log(`[replica] readonly reads back ${recoveredMs} ms after the replica's start returned; readiness 200 after ${readyMs} ms`);
    expect((await runSql("select pg_is_in_recovery()")).body.rows).toEqual([[true]]);
  });
});
