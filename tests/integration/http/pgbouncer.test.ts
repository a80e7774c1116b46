import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { createSavedQuery } from "@/lib/explore/saved-queries";
import { roleCredentials, roleUrl, type Role } from "@/lib/db/roles";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { pgbouncerInstalled, startPgBouncer, type PgBouncer } from "@/tests/support/pgbouncer";
import {
  CSV_EVENTS,
  CUSTOMERS_TABLE,
  STORM_SERVER_ENV,
  formatStorm,
  measureDrain,
  runAbortStorm,
  waitForRightAnswer,
  type RoleNames,
} from "@/tests/support/abort-storm";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * Issue 16 item 2: Sluice behind a real PgBouncer (Debian's, transaction mode, started here on a
 * free port with its own ini and userlist) in front of the shared Postgres. The three roles
 * connect through DATABASE_POOLER_URL (prepare: false, the pool's own choice behind a pooler);
 * the table API, the SQL console (cancel, SET LOCAL rolled back, the advisory-lock scrub), saved
 * queries and the admin views work; a short abort storm stays clean; PgBouncer restarted under
 * verifier load recovers; with PgBouncer gone for good the roles fall back to the direct host.
 *
 * PgBouncer keeps 3 server connections per role: fewer than the readonly pool's 4, so server
 * connections are shared between the pool's clients all the time — what leaks from one
 * transaction into the next shows.
 */
const BOUNCER_POOL = 3;
const SQL_TIMEOUT_MS = 7000;
const ROLE_STATEMENT_TIMEOUT_MS = 15000;

let db: TestDatabase;
let caller: TestCaller;
let bouncer: PgBouncer;
let roles: RoleNames;
let savedId: string;

const serverEnv = (extra: Record<string, string> = {}) =>
  explorerEnv(db, {
    ...STORM_SERVER_ENV,
    DATABASE_POOLER_URL: bouncer.url(db.name),
    SQL_TIMEOUT_MS: String(SQL_TIMEOUT_MS),
    DB_STATEMENT_TIMEOUT_MS: String(ROLE_STATEMENT_TIMEOUT_MS),
    DB_RECONNECT_TIMEOUT_S: "2",
    ...extra,
  });

beforeAll(async () => {
  if (!pgbouncerInstalled()) throw new Error("pgbouncer is not installed (Debian: apt-get install pgbouncer)");
  db = await createTestDatabase("pgbouncer");
  await db.owner`analyze`;
  caller = await createCaller(db, "admin", ["tables:read", "sql:run", "queries:run", "admin"]);
  const user = (role: Role) => roleCredentials(db.env, role);
  savedId = (
    await createSavedQuery(
      { userId: caller.userId, role: "admin" },
      {
        name: "Orders of a status",
        sql: "select id from data.orders where status = {{status}} order by id limit 5",
        parameters: [{ name: "status", type: "text" }],
      },
    )
  ).id;
  // This process's own (direct) pools would count as backends of the roles next to PgBouncer's.
  await closePools(1);
  roles = { readonly: user("readonly").user, app: user("app").user, admin: user("admin").user };
  const server = new URL(db.url);
  bouncer = await startPgBouncer({
    serverHost: server.hostname,
    serverPort: Number(server.port || 5432),
    users: Object.fromEntries((["readonly", "app", "admin"] as const).map((role) => [user(role).user, user(role).password!])),
    poolSize: BOUNCER_POOL,
  });
});
afterAll(async () => {
  await bouncer?.stop();
  await db?.drop();
});

async function withApp<T>(fn: (app: AppServer) => Promise<T>, extra: Record<string, string> = {}): Promise<T> {
  const app = await startAppServer(serverEnv(extra));
  try {
    return await fn(app);
  } finally {
    await app.stop();
  }
}

const call = (app: AppServer, path: string, init: RequestInit = {}) =>
  fetch(`${app.url}${path}`, { ...init, headers: { ...caller.headers, "content-type": "application/json", ...(init.headers ?? {}) } });
const runSql = async (app: AppServer, sql: string, signal?: AbortSignal) => {
  const response = await call(app, "/api/v1/sql", { method: "POST", body: JSON.stringify({ sql }), signal });
  return { status: response.status, body: (await response.json()) as { rows?: unknown[][]; error?: { code: string; message: string } } };
};
const poolStats = async (app: AppServer) => {
  const response = await call(app, "/api/admin/stats");
  expect(response.status).toBe(200);
  return (await response.json()) as {
    pools: {
      local: Record<Role, { target: string; fallbackToDirect: boolean; url: string; health: string }>;
      server: { applications: Array<{ applicationName: string }> } | null;
      serverError?: string;
    };
  };
};
/** Which users PgBouncer has as clients right now (its admin console). */
const bouncerClients = () => new Set(bouncer.admin("SHOW CLIENTS").map((c) => c.user));
const activeCount = async (marker: string) =>
  (
    await db.owner<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where query like ${"%" + marker + "%"} and state = 'active' and pid <> pg_backend_pid()`
  )[0]!.n;
const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
};

describe("behind a real PgBouncer in transaction mode (issue 16)", () => {
  it("serves the table API, the SQL console, saved queries and the admin views, every role through PgBouncer", { timeout: 120_000 }, async () => {
    await withApp(async (app) => {
      const table = await call(app, "/api/v1/tables/data.customers?select=id,email&order=id&limit=3");
      expect(table.status).toBe(200);
      expect(((await table.json()) as Array<{ id: unknown }>).map((r) => String(r.id))).toEqual(["1", "2", "3"]);

      const sql = await runSql(app, "select $$through the pooler$$ as said, count(*)::int as n from data.orders");
      expect(sql.status).toBe(200);
      expect(sql.body.rows![0]![0]).toBe("through the pooler");

      const results = await call(app, `/api/v1/queries/${savedId}/results?status=shipped`);
      expect(results.status).toBe(200);
      expect(((await results.json()) as { rows: unknown[][] }).rows.length).toBeGreaterThan(0);

      const stats = await poolStats(app);
      expect(stats.pools.serverError).toBeUndefined();
      expect(stats.pools.server?.applications.length).toBeGreaterThan(0);
      for (const role of ["readonly", "app", "admin"] as const) {
        expect(stats.pools.local[role], role).toMatchObject({ target: "pooler", fallbackToDirect: false, health: "healthy" });
        expect(stats.pools.local[role].url).toContain(`:${bouncer.port}/`);
      }
      // The pool's slots stay connected (to PgBouncer): all three roles are its clients.
      const clients = bouncerClients();
      for (const name of [roles.readonly, roles.app, roles.admin!]) expect(clients, name).toContain(name);
      const pools = bouncer.admin("SHOW POOLS").filter((p) => p.database === db.name);
      expect(pools.every((p) => p.pool_mode === "transaction")).toBe(true);
    });
  });

  it(
    "SQL console: SET LOCAL applies inside the run and is rolled back, writes are refused, a cancel reaches the statement, the advisory-lock scrub works",
    { timeout: 120_000 },
    async () => {
      await withApp(async (app) => {
        const inside = await runSql(app, "select current_setting('statement_timeout') as t, current_setting('transaction_read_only') as ro");
        expect(inside.status).toBe(200);
        expect(inside.body.rows![0]).toEqual([`${SQL_TIMEOUT_MS / 1000}s`, "on"]);
        // Every server connection PgBouncer hands the readonly role afterwards has the role's own
        // default again: SET LOCAL did not outlive the console's transaction.
        for (let i = 0; i < 3; i++) await runSql(app, "select 1");
        const direct = postgres(roleUrl(bouncer.url(db.name), roleCredentials(db.env, "readonly")), {
          max: BOUNCER_POOL,
          prepare: false,
          onnotice: () => {},
        });
        try {
          const seen = await Promise.all(Array.from({ length: 12 }, () => direct`show statement_timeout`.then((r) => r[0]!.statement_timeout)));
          expect(new Set(seen)).toEqual(new Set([`${ROLE_STATEMENT_TIMEOUT_MS / 1000}s`]));
        } finally {
          await direct.end({ timeout: 1 });
        }

        const before = (await db.owner<{ n: number }[]>`select count(*)::int as n from data.orders`)[0]!.n;
        const write = await runSql(app, "with gone as (delete from data.orders returning 1) select count(*) from gone");
        expect(write.status).toBeGreaterThanOrEqual(400);
        expect(write.status).toBeLessThan(500);
        const after = (await db.owner<{ n: number }[]>`select count(*)::int as n from data.orders`)[0]!.n;
        expect(after).toBe(before);

        // Cancel: the client goes away, the statement must stop in Postgres (the cancel request
        // goes to PgBouncer, which forwards it to the server connection the run is on).
        const controller = new AbortController();
        const pending = runSql(app, "select pg_sleep(30) as pgbouncer_cancel_marker", controller.signal).catch((e: unknown) => e);
        expect(await until(async () => (await activeCount("pgbouncer_cancel_marker")) === 1, 5000)).toBe(true);
        controller.abort();
        await pending;
        expect(await until(async () => (await activeCount("pgbouncer_cancel_marker")) === 0, 5000), "the statement stopped in Postgres").toBe(true);

        // Session advisory locks survive a rollback; the sandbox's scrub (ROLLBACK; pg_advisory_unlock_all()
        // in one simple-query message, so PgBouncer runs both on the server connection of the
        // transaction) must release it there.
        const key = 16_160_016;
        const lock = await runSql(
          app,
          `select pg_advisory_lock(${key})::text as taken, (select count(*)::int from pg_locks where locktype = 'advisory' and objid = ${key} and pid = pg_backend_pid()) as held`,
        );
        expect(lock.status).toBe(200);
        expect(lock.body.rows![0]![1]).toBe(1);
        const held = async () =>
          (await db.owner<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = ${key}`)[0]!.n;
        expect(await until(async () => (await held()) === 0, 2000), "advisory lock released by the scrub").toBe(true);
        // And the run after it on the same server connections is right.
        expect(await waitForRightAnswer(app.url, caller.token, 5000)).not.toBeNull();
      });
    },
  );

  it("a short abort storm through PgBouncer stays clean (control, then every kind of abort)", { timeout: 150_000 }, async () => {
    for (const [label, requests, aborters] of [
      ["pgbouncer-control", 200, 0],
      ["pgbouncer-storm", 400, 6],
    ] as const) {
      await withApp(async (app) => {
        const storm = await runAbortStorm({
          url: app.url,
          token: caller.token,
          requests,
          verifiers: 6,
          aborters,
          verifyTable: CUSTOMERS_TABLE(1000),
          csvTable: CSV_EVENTS,
          jsonTable: "data.orders",
          maxDurationMs: 40_000,
          requestTimeoutMs: 15_000,
        });
        const drain = await measureDrain({ url: app.url, adminToken: caller.token, superuser: db.owner, roles, waitMs: 5000 });
        console.log(formatStorm(label, storm));
        console.log(
          `[${label}] drain: readonly inUse 0 after ${drain.inUseZeroMs ?? ">5000"} ms, no idle-in-transaction backend after ${drain.noIdleInTransactionMs ?? ">5000"} ms; backends ${JSON.stringify(drain.backends.perRole)}`,
        );
        if (aborters === 0) expect(storm.verifierOk).toBe(storm.requests);
        else expect(storm.aborted).toBeGreaterThan(0);
        expect.soft(storm.wrongAnswers, `${label}: wrong answers`).toBe(0);
        expect.soft(storm.innocentCancels, `${label}: innocent cancels`).toBe(0);
        expect.soft(storm.serverErrors, `${label}: 5xx`).toBe(0);
        expect.soft(storm.unavailable, `${label}: 503s of verifiers`).toEqual({});
        expect.soft(storm.otherVerifierErrors, `${label}: other verifier errors`).toEqual({});
        expect.soft(storm.networkErrors + storm.hung, `${label}: network errors and hung requests`).toBe(0);
        expect.soft(drain.inUseZeroMs, `${label}: readonly pool drained`).not.toBeNull();
        expect.soft(drain.noIdleInTransactionMs, `${label}: no readonly backend idle in transaction`).not.toBeNull();
        // Behind PgBouncer the server connections per role are PgBouncer's, at most its pool size.
        for (const [name, count] of Object.entries(drain.backends.perRole)) expect.soft(count, `${name} backends`).toBeLessThanOrEqual(BOUNCER_POOL);
        const stats = await poolStats(app);
        expect(stats.pools.local.readonly.target).toBe("pooler");
      });
    }
  });

  it("PgBouncer restarted twice under verifier load: no 500, right answers again, back on PgBouncer", { timeout: 150_000 }, async () => {
    await withApp(async (app) => {
      expect(await waitForRightAnswer(app.url, caller.token, 5000)).not.toBeNull();
      const stopLoad = new AbortController();
      const load = runAbortStorm({
        url: app.url,
        token: caller.token,
        requests: 1_000_000,
        verifiers: 4,
        aborters: 0,
        verifyTable: CUSTOMERS_TABLE(1000),
        signal: stopLoad.signal,
        maxDurationMs: 120_000,
        requestTimeoutMs: 15_000,
      });
      const recoveries: Array<number | null> = [];
      const targets: string[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          await new Promise((r) => setTimeout(r, 1500));
          await bouncer.kill();
          await new Promise((r) => setTimeout(r, 1500));
          await bouncer.start();
          const recoveredMs = await waitForRightAnswer(app.url, caller.token, 20_000);
          recoveries.push(recoveredMs);
          // Right answers may come from the direct host (the fallback): the pools must go back
          // to PgBouncer too, within the pool's retry interval (5 s) and a margin.
          const backStarted = Date.now();
          let where = "";
          const back = await until(async () => {
            const stats = await poolStats(app);
            where = (["readonly", "app", "admin"] as const).map((role) => `${role} ${stats.pools.local[role].target}`).join(", ");
            return where === "readonly pooler, app pooler, admin pooler";
          }, 12_000);
          targets.push(where);
          console.log(
            `[pgbouncer-restart] restart ${i + 1}: verifiers right again ${recoveredMs ?? "never (>20 s)"} ms after PgBouncer was back; every role on PgBouncer again ${back ? `${recoveredMs! + Date.now() - backStarted} ms` : "never (>12 s)"} after it was back (${where})`,
          );
        }
      } finally {
        stopLoad.abort();
      }
      const report = await load;
      console.log(formatStorm("pgbouncer-restart", report));
      for (const [kind, list] of Object.entries(report.samples)) {
        for (const sample of list.slice(0, 3))
          console.log(`[pgbouncer-restart] sample ${kind}: ${sample.kind} ${sample.path} → ${sample.status} ${sample.detail}`);
      }
      expect(report.verifierRequests).toBeGreaterThan(50);
      expect.soft(report.serverErrors, "500s (5xx other than 503)").toBe(0);
      expect.soft(report.wrongAnswers, "wrong answers").toBe(0);
      expect.soft(report.innocentCancels, "innocent cancels").toBe(0);
      expect.soft(report.hung, "hung requests").toBe(0);
      expect.soft(report.networkErrors, "dropped connections to the app").toBe(0);
      expect
        .soft(
          recoveries.every((ms) => ms !== null),
          "right again within 20 s after each restart",
        )
        .toBe(true);
      for (const where of targets) expect.soft(where, "every role back on PgBouncer").toBe("readonly pooler, app pooler, admin pooler");
      const clients = bouncerClients();
      for (const name of [roles.readonly, roles.app, roles.admin!]) expect.soft(clients, `${name} a PgBouncer client again`).toContain(name);
    });
  });

  it("falls back to the direct host when PgBouncer is gone, and says so", { timeout: 90_000 }, async () => {
    await bouncer.kill();
    try {
      await withApp(async (app) => {
        expect(await waitForRightAnswer(app.url, caller.token, 10_000)).not.toBeNull();
        const sql = await runSql(app, "select 1 as one");
        expect(sql.status).toBe(200);
        const stats = await poolStats(app);
        for (const role of ["readonly", "app", "admin"] as const) {
          expect(stats.pools.local[role], role).toMatchObject({ target: "direct", fallbackToDirect: true });
        }
        expect(app.output()).toContain("connection pooler unreachable; falling back to direct connections");
      });
    } finally {
      await bouncer.start();
    }
  });
});
