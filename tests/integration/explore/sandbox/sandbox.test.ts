import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/core/errors";
import { closePools, withRole } from "@/lib/db/clients";
import { resetEnvCache } from "@/lib/env";
import type { RawRow } from "@/lib/explore/output";
import { describeSql, runSandbox } from "@/lib/explore/sandbox";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/**
 * The SQL sandbox against real Postgres, as the readonly role: every attack is refused or
 * stopped with a clear error, has no effect, and leaves nothing on the pooled connection.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("sandbox");
  // One readonly connection, so "the next unit of work" is the same backend.
  Object.assign(process.env, db.envVars({ DB_POOL_SIZE_READONLY: "1", DB_POOL_MIN: "1", SQL_TIMEOUT_MS: "1500", SQL_MAX_COST: "5000000" }));
  resetEnvCache();
});
afterAll(async () => {
  await closePools(1);
  await db.drop();
});

async function run(sql: string, options: { params?: Array<string | null>; maxRows?: number; signal?: AbortSignal } = {}) {
  const rows: RawRow[] = [];
  const result = await runSandbox({
    sql,
    params: options.params,
    maxRows: options.maxRows ?? 1000,
    signal: options.signal,
    onBatch: (batch) => void rows.push(...batch),
  });
  return { ...result, rows: rows.map((r) => r.map((v) => (v === null ? null : v.toString()))) };
}

async function refusal(sql: string, params?: string[]): Promise<ApiError> {
  const error = await run(sql, { params }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${sql} to be refused`).toBeInstanceOf(ApiError);
  const apiError = error as ApiError;
  expect(apiError.status).toBeGreaterThanOrEqual(400);
  expect(apiError.status).toBeLessThan(500);
  return apiError;
}

const orderCount = async () => Number((await db.owner`select count(*)::int as n from data.orders`)[0]!.n);

describe("runSandbox", () => {
  it("runs a query with text parameters cast in SQL, and names column types", async () => {
    const result = await run("select $1::int + 1 as n, $2::bool as b, $3::text as t, null::date as d", { params: ["41", "true", "x'y"] });
    expect(result.rows).toEqual([["42", "t", "x'y", null]]);
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([
      ["n", "integer"],
      ["b", "boolean"],
      ["t", "text"],
      ["d", "date"],
    ]);
    expect(result.truncated).toBe(false);
  });

  it("caps rows and says it truncated", async () => {
    const result = await run("select g from generate_series(1, 5000) g", { maxRows: 1234 });
    expect(result.rowCount).toBe(1234);
    expect(result.rows).toHaveLength(1234);
    expect(result.truncated).toBe(true);
    const exact = await run("select g from generate_series(1, 10) g", { maxRows: 10 });
    expect(exact).toMatchObject({ rowCount: 10, truncated: false });
  });

  it.each([
    ["insert into data.orders (id) values (999999)", "statement_not_allowed"],
    ["update data.orders set status = 'x'", "statement_not_allowed"],
    ["delete from data.orders", "statement_not_allowed"],
    ["copy data.orders to stdout", "statement_not_allowed"],
    ["create table data.evil (id int)", "statement_not_allowed"],
    ["set role postgres", "statement_not_allowed"],
    ["commit", "statement_not_allowed"],
    ["prepare p as select 1", "statement_not_allowed"],
    ["listen evil", "statement_not_allowed"],
    ["  /* hidden */ -- more\n delete from data.orders", "statement_not_allowed"],
    ["with d as (delete from data.orders returning *) select count(*) from d", ["read_only", "permission_denied"]],
    ["select * into data.evil from data.orders", "read_only"],
    ["select 1; delete from data.orders", "multiple_statements"],
    ["select 1; commit; set search_path = evil", "multiple_statements"],
    ["explain analyze delete from data.orders", ["read_only", "permission_denied"]],
    ["select 1; select 2", "multiple_statements"],
    ["select pg_read_file('/etc/passwd')", "permission_denied"],
    ["select * from app.users", "permission_denied"],
    ["select set_config('role', 'postgres', false)", "permission_denied"],
    ["selec 1", "syntax_error"],
    ["", "empty_statement"],
  ] as Array<[string, string | string[]]>)("refuses %j with no effect", async (sql, reason) => {
    const before = await orderCount();
    const error = await refusal(sql);
    expect([reason].flat()).toContain((error.details as { reason: string }).reason);
    expect(error.message.length).toBeGreaterThan(5);
    expect(await orderCount()).toBe(before);
    const [evil] = await db.owner`select to_regclass('data.evil') as t`;
    expect(evil!.t).toBeNull();
  });

  it("gives Postgres' message and a position inside the user's SQL", async () => {
    const error = await refusal("select nope from data.orders");
    expect(error.message).toMatch(/column "nope" does not exist/);
    expect(error.details).toMatchObject({ reason: "undefined_object", sqlstate: "42703", position: 8 });
  });

  it("answers a word no statement begins with by Postgres' syntax error and its position, running nothing", async () => {
    const typo = await refusal("selec 1");
    expect(typo.message).toBe('syntax error at or near "selec"');
    expect(typo.details).toMatchObject({ reason: "syntax_error", sqlstate: "42601", position: 1 });
    const later = await refusal("-- a comment first\n  frobnicate data.orders");
    expect(later.details).toMatchObject({ reason: "syntax_error", position: 22 });
    // Control: a real write is still refused by name, before Postgres sees it.
    const write = await refusal("insert into data.orders (id) values (1)");
    expect(write.message).toMatch(/Only read queries may run here .* got INSERT/);
    // Nothing stays prepared on the (single) readonly connection.
    const [left] = await withRole("readonly", ({ sql }) => sql`select count(*)::int as n from pg_prepared_statements where from_sql`);
    expect(left!.n).toBe(0);
  });

  it("refuses a query the planner prices above SQL_MAX_COST, before running it", async () => {
    const error = await refusal("select count(*) from data.orders a, data.orders b, data.orders c");
    expect(error.details).toMatchObject({ reason: "too_expensive" });
    expect(error.message).toMatch(/cost/);
  });

  it("stops pg_sleep past the timeout, even when the query switches statement_timeout off", async () => {
    const started = Date.now();
    const error = await refusal("select pg_sleep(30)");
    expect(error.details).toMatchObject({ reason: "timeout" });
    const escape = await refusal(
      "select set_config('statement_timeout', '0', true), pg_sleep(case when g > 1 then 30 else 0 end) from generate_series(1, 3) g",
    );
    expect(escape.details).toMatchObject({ reason: "timeout" });
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it("cancels the backend query when the caller aborts", async () => {
    const controller = new AbortController();
    const pending = run("select pg_sleep(20) as slow_marker_query", { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    const active =
      await db.owner`select count(*)::int as n from pg_stat_activity where query like '%slow_marker_query%' and state = 'active' and pid <> pg_backend_pid()`;
    expect(active[0]!.n).toBe(1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).details).toMatchObject({ reason: "cancelled" });
    const after =
      await db.owner`select count(*)::int as n from pg_stat_activity where query like '%slow_marker_query%' and state = 'active' and pid <> pg_backend_pid()`;
    expect(after[0]!.n).toBe(0);
  });

  it("leaves no session state for the next unit of work", async () => {
    await run(
      "select set_config('search_path', 'evil', false), set_config('work_mem', '64kB', false), pg_advisory_lock(42), pg_advisory_lock_shared(43)",
    );
    const [state] = await withRole(
      "readonly",
      ({ sql }) => sql`
      select current_setting('search_path') as search_path,
             current_setting('work_mem') as work_mem,
             current_setting('transaction_read_only') as ro,
             (select count(*)::int from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks,
             (select count(*)::int from pg_prepared_statements where not from_sql) >= 0 as ok,
             (select count(*)::int from pg_cursors where name <> '') as cursors,
             pg_backend_pid() as pid`,
    );
    expect(state).toMatchObject({ locks: 0, cursors: 0, ro: "on" });
    expect(state!.search_path).not.toContain("evil");
    expect(state!.work_mem).not.toBe("64kB");
    // pg_locks is the whole cluster's: only this test database's advisory locks are the sandbox's to leave.
    const [owned] = await db.owner`
      select count(*)::int as n from pg_locks
      where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`;
    expect(owned!.n).toBe(0);
  });

  it("describes a statement without running it: the types Postgres infers for $n", async () => {
    const before = await orderCount();
    const types = await describeSql("select id from data.orders where ordered_at >= $1 and status = $2 limit $3", 3);
    expect(types.map((t) => t.type)).toEqual(["timestamp with time zone", "text", "bigint"]);
    expect(types[0]).toMatchObject({ oid: 1184, isArray: false });
    // A parameter nothing places is text, as it is bound; an array comparison says so.
    expect((await describeSql("select $1 is null, 1 = any($2)", 2)).map((t) => [t.type, t.isArray])).toEqual([
      ["text", false],
      ["integer[]", true],
    ]);
    // Describing a write runs nothing either, and is refused by name.
    await expect(describeSql("delete from data.orders", 0)).rejects.toThrow(/got DELETE/);
    expect(await orderCount()).toBe(before);
    const [left] = await withRole("readonly", ({ sql }) => sql`select count(*)::int as n from pg_prepared_statements where from_sql`);
    expect(left!.n).toBe(0);
  });

  it("a statement Postgres refuses to describe comes back with the position in the given text", async () => {
    const error = await describeSql("select id, nope from data.orders where id = $1", 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/column "nope" does not exist/);
    expect((error as ApiError).details).toMatchObject({ reason: "undefined_object", position: 12 });
    const typo = await describeSql("selec $1", 1).catch((e: unknown) => e);
    expect((typo as ApiError).details).toMatchObject({ reason: "syntax_error", position: 1 });
  });

  it("stops a huge generate_series at the row cap, or refuses it by cost, quickly", async () => {
    const started = Date.now();
    const result = await run("select generate_series(1, 2000000000) as g", { maxRows: 1000 }).catch((e: unknown) => e);
    if (result instanceof ApiError) expect(result.details).toMatchObject({ reason: "too_expensive" });
    else expect(result).toMatchObject({ rowCount: 1000, truncated: true });
    expect(Date.now() - started).toBeLessThan(1500);
    // Materialized in FROM, it cannot be stopped by the cap: the timeout stops it.
    const error = await refusal("select count(*) from generate_series(1, 300000000) g");
    expect(error.details).toMatchObject({ reason: "timeout" });
  });
});
