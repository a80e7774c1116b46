import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "postgres";
import { roleCredentials } from "@/lib/db/roles";
import { setupDatabase } from "@/db/setup";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/** Least privilege is the database's job: these run as the roles themselves, with no app code in between. */
let db: TestDatabase;
let readonly: Sql;
let app: Sql;
let admin: Sql;

beforeAll(async () => {
  db = await createTestDatabase("roles");
  readonly = db.as("readonly");
  app = db.as("app");
  admin = db.as("admin");
});
afterAll(() => db.drop());

async function expectDenied(sql: Sql, statement: string, pattern: RegExp = /permission denied|read-only transaction|must be|not allowed/i) {
  await expect(sql.unsafe(statement)).rejects.toThrow(pattern);
}

describe("readonly role", () => {
  it("reads the data schemas", async () => {
    const [row] = await readonly`select count(*)::int as n from data.orders`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it.each([
    "insert into data.customers (id, email, full_name, country, tier, signed_up_at, marketing_opt_in) values (-1, 'x', 'x', 'x', 'x', now(), false)",
    "update data.orders set total = 0 where id = 1",
    "delete from data.order_items where id = 1",
    "truncate data.events",
  ])("cannot write: %s", async (statement) => {
    await expectDenied(readonly, statement);
  });

  it("cannot write even after switching its transaction to read-write", async () => {
    await expect(readonly.begin("read write", (tx) => tx.unsafe("update data.orders set total = 0 where id = 1"))).rejects.toThrow(
      /permission denied/,
    );
    const session = await readonly.reserve();
    try {
      await session.unsafe("set default_transaction_read_only = off");
      await expect(session.unsafe("insert into data.products values (-1, 'x', 'x', 'x', 1, true, now())")).rejects.toThrow(/permission denied/);
    } finally {
      await session.unsafe("reset all");
      session.release();
    }
  });

  it.each([
    "create table data.nope (id int)",
    "create table public.nope (id int)",
    "create temp table nope (id int)",
    "create schema nope",
    "create view public.nope as select 1",
    "create function public.nope() returns int language sql as 'select 1'",
    "create index nope on data.orders (total)",
  ])("cannot create anything: %s", async (statement) => {
    await expectDenied(readonly, statement);
  });

  it("cannot read the app schema", async () => {
    await expectDenied(readonly, "select * from app.users");
    await expectDenied(readonly, "select * from app.__drizzle_migrations");
  });

  it.each(["app", "admin"] as const)("cannot SET ROLE to the %s role", async (role) => {
    const { user } = roleCredentials(db.env, role);
    await expectDenied(readonly, `set role "${user}"`);
    await expectDenied(readonly, `set session authorization "${user}"`);
  });

  it("cannot use server-side file and program functions", async () => {
    await expectDenied(readonly, "select pg_read_file('/etc/passwd')");
    await expectDenied(readonly, "copy (select 1) to program 'true'");
    await expectDenied(readonly, "select lo_import('/etc/passwd')");
  });

  it("cannot cancel or terminate other sessions of its own role", async () => {
    const other = db.as("readonly");
    const [{ pid }] = (await other`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
    await expectDenied(readonly, `select pg_cancel_backend(${pid})`);
    await expectDenied(readonly, `select pg_terminate_backend(${pid})`);
  });

  it("has the role-level safety settings", async () => {
    const [row] = await readonly`select current_setting('default_transaction_read_only') as ro, current_setting('statement_timeout') as timeout`;
    expect(row!.ro).toBe("on");
    expect(row!.timeout).not.toBe("0");
  });
});

describe("app role", () => {
  it("writes the app schema", async () => {
    const [user] = await app`insert into app.users (email, password_hash) values ('roles-test@example.com', 'x') returning id`;
    expect(user!.id).toBeTruthy();
    await app`delete from app.users where id = ${user!.id}`;
  });

  it.each([
    "insert into data.products values (-1, 'x', 'x', 'x', 1, true, now())",
    "update data.orders set total = 0 where id = 1",
    "delete from data.events where id = 1",
  ])("cannot write the data schema: %s", async (statement) => {
    await expectDenied(app, statement);
  });

  it("cannot change the app schema's structure", async () => {
    await expectDenied(app, "alter table app.users add column x int", /must be owner|permission denied/);
    await expectDenied(app, "drop table app.audit_events", /must be owner|permission denied/);
  });
});

describe("admin role", () => {
  it("sees other sessions in pg_stat_activity", async () => {
    await readonly`select 1`;
    const rows = await admin`select query from pg_stat_activity where usename = ${roleCredentials(db.env, "readonly").user}`;
    expect(rows.some((r) => r.query && !String(r.query).includes("insufficient privilege"))).toBe(true);
  });

  it("cannot write the data schema", async () => {
    await expectDenied(admin, "update data.orders set total = 0 where id = 1");
  });
});

describe("provisioning", () => {
  it("is idempotent and keeps working when the roles already exist", async () => {
    const lines: string[] = [];
    await setupDatabase(db.url, db.env, (line) => lines.push(line));
    expect(lines.filter((l) => /created role|set password/.test(l))).toEqual([]);
    const [row] = await readonly`select 1 as ok`;
    expect(row!.ok).toBe(1);
  });
});
