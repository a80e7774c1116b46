import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/core/errors";
import { closePools, pool } from "@/lib/db/clients";
import { listAuditEvents } from "@/lib/db/queries/audit";
import { resetEnvCache } from "@/lib/env";
import { runSandbox } from "@/lib/explore/sandbox";
import { listRunningQueries, signalBackend } from "@/lib/fleet/running-queries";
import type { RunTag } from "@/lib/fleet/run-tags";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/**
 * The admins' running-queries view against real Postgres and Redis: a sandbox run shows up with
 * the user who ran it, and the admin role may cancel or terminate it — but no backend that is
 * not Sluice's readonly or app role (a superuser's session, the admin role's own), which keeps
 * running and is audited as a denied attempt.
 */
let db: TestDatabase;
let runner: { id: string; email: string };
let admin: { id: string; email: string };
const others: postgres.Sql[] = [];

beforeAll(async () => {
  db = await createTestDatabase("running");
  Object.assign(process.env, db.envVars({ SQL_TIMEOUT_MS: "30000", SQL_MAX_COST: "5000000" }));
  resetEnvCache();
  const suffix = Math.random().toString(36).slice(2, 8);
  const make = async (role: string) => {
    const email = `running-${role}-${suffix}@example.test`;
    const [row] = await db.owner<{ id: string }[]>`insert into app.users (email, role, password_hash) values (${email}, ${role}, 'x') returning id`;
    return { id: row!.id, email };
  };
  runner = await make("analyst");
  admin = await make("admin");
});
afterAll(async () => {
  await Promise.all(others.map((sql) => sql.end({ timeout: 1 })));
  await closePools(1);
  await db.drop();
});

const tag = (): RunTag => ({
  userId: runner.id,
  email: runner.email,
  via: "token",
  tokenId: "tok123",
  tokenName: "ci",
  action: "sql.run",
  instance: "itest",
});
const actor = () => ({ userId: admin.id, email: admin.email, ip: "127.0.0.1" });

/** A sandbox run of pg_sleep, and the row the view shows for it once it runs. */
async function sleepingRun(marker: string) {
  const sql = `select pg_sleep(30), '${marker}' as marker`;
  const outcome = runSandbox({ sql, maxRows: 10, onBatch: () => undefined, tag: tag() }).then(
    () => null,
    (error: unknown) => error,
  );
  let row;
  await expect
    .poll(
      async () => {
        row = (await listRunningQueries()).queries.find((q) => q.query?.includes(marker) && q.state === "active");
        return row?.runBy?.email ?? null;
      },
      { timeout: 10_000 },
    )
    .toBe(runner.email);
  return { row: row!, outcome };
}

/** A backend of another client: one connection of its own, so its pid is the one that sleeps. */
async function foreignSleep(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  others.push(sql);
  const [{ pid }] = (await sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
  const sleeping = sql`select pg_sleep(30)`.then(
    () => null,
    (error: unknown) => error,
  );
  await expect
    .poll(async () => (await db.owner`select state from pg_stat_activity where pid = ${pid}`)[0]?.state, { timeout: 10_000 })
    .toBe("active");
  return { pid, sleeping };
}

const stillActive = async (pid: number) => (await db.owner`select state from pg_stat_activity where pid = ${pid}`)[0]?.state === "active";

describe("running queries", () => {
  it("lists a sandbox run with who ran it (via token and its name), its role and SQL", async () => {
    const { row, outcome } = await sleepingRun("listed-run");
    expect(row).toMatchObject({ role: "readonly", state: "active", signallable: true });
    expect(row.runBy).toMatchObject({ via: "token", tokenName: "ci", action: "sql.run" });
    expect(row.durationMs).toBeGreaterThanOrEqual(0);
    await signalBackend(actor(), row.pid, "cancel");
    expect(await outcome).toBeInstanceOf(ApiError);
  });

  it("cannot signal a superuser's backend or the admin role's own; CONTROL: can cancel a Sluice run, whose user reads why", async () => {
    const superuser = await foreignSleep(db.url);
    const adminOwn = await foreignSleep(db.roleUrl("admin"));
    for (const pid of [superuser.pid, adminOwn.pid]) {
      for (const signal of ["cancel", "terminate"] as const) {
        const refused = await signalBackend(actor(), pid, signal).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refused, `${signal} ${pid}`).toBeInstanceOf(ApiError);
        expect((refused as ApiError).status).toBe(404);
        expect((refused as ApiError).toBody().error.code).toBe("not_found");
      }
      expect(await stillActive(pid), `backend ${pid} untouched`).toBe(true);
    }
    // Neither is offered in the view either.
    const view = await listRunningQueries();
    expect(view.queries.find((q) => q.pid === superuser.pid)).toBeUndefined();
    expect(view.queries.find((q) => q.pid === adminOwn.pid)?.signallable).toBe(false);

    const { row, outcome } = await sleepingRun("cancelled-run");
    const result = await signalBackend(actor(), row.pid, "cancel");
    expect(result).toMatchObject({ pid: row.pid, signal: "cancel", role: "readonly" });
    const error = (await outcome) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("An administrator cancelled this query");
    expect(error.details).toMatchObject({ reason: "cancelled", by: "administrator" });

    const events = await listAuditEvents({ action: "query.cancel", actorUserId: admin.id });
    const ok = events.find((e) => e.outcome === "ok" && (e.details as { pid?: number }).pid === row.pid);
    expect(ok).toMatchObject({ target: runner.id, via: "session" });
    expect(ok!.details).toMatchObject({ runBy: runner.email, tokenName: "ci", role: "readonly" });
    expect(events.some((e) => e.outcome === "denied" && (e.details as { pid?: number }).pid === superuser.pid)).toBe(true);

    await db.owner`select pg_cancel_backend(pid) from pg_stat_activity where pid in (${superuser.pid}, ${adminOwn.pid})`;
    await Promise.all([superuser.sleeping, adminOwn.sleeping]);
  });

  it("terminates a Sluice run: its user reads why, and the pool does not take it for an outage", async () => {
    const { row, outcome } = await sleepingRun("terminated-run");
    await signalBackend(actor(), row.pid, "terminate");
    const error = (await outcome) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("An administrator ended this query and its database session");
    expect(pool("readonly").stats().health).toBe("healthy");
    await expect.poll(async () => (await db.owner`select count(*)::int as n from pg_stat_activity where pid = ${row.pid}`)[0]!.n).toBe(0);
  });
});
