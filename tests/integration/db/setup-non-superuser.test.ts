import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/db/embedded";
import { startAppServer } from "@/tests/support/app-server";
import { databaseUrl } from "@/tests/support/services";

/**
 * Issue 16 item 1: the owner a managed Postgres gives you — LOGIN CREATEROLE, owns the database,
 * not a superuser — runs setup, migrate, seed, create-admin and a token as a user would (the
 * real scripts, child processes, NODE_ENV=production), then the production server serves a
 * table through the API with that token.
 *
 * Twice: on the shared Postgres 15, where CREATEROLE may still grant pg_monitor (but not
 * revoke a superuser's function privileges), and on the embedded Postgres 17, where CREATEROLE
 * may grant only roles it holds with ADMIN OPTION — there pg_monitor degrades to one line and
 * the dashboard says what it cannot see. Controls on the shared server: an owner without
 * CREATEROLE and an owner that does not own its database fail with one `[sluice]` line and
 * leave no role behind; the proper owner's run afterwards, with the same role names, succeeds.
 *
 * Roles are cluster-wide: a prefix of this run's own, dropped at the end.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const exec = promisify(execFile);
const SLOW = { timeout: 240_000 };

const run = randomBytes(3).toString("hex");
const PREFIX = `sluice_own_${run}_`;
const secret = () => `pw-${randomBytes(12).toString("base64url")}`;
const PASSWORDS = { readonly: secret(), app: secret(), admin: secret() };
const AUTH_SECRET = `auth-${randomBytes(24).toString("base64url")}`;
const ADMIN_EMAIL = `owner-admin-${run}@example.test`;
const ADMIN_PASSWORD = `admin-${randomBytes(12).toString("base64url")}`;

const PG_CANCEL_LINE = /^\[sluice\] could not revoke pg_cancel_backend\/pg_terminate_backend from PUBLIC .*$/m;
const PG_MONITOR_LINE = /^\[sluice\] the owner \S+ may not grant pg_monitor to \S+ \(it needs ADMIN OPTION on pg_monitor\).*$/m;
const PG_SIGNAL_LINE = /^\[sluice\] the owner \S+ may not grant pg_signal_backend to \S+ \(it needs ADMIN OPTION on pg_signal_backend\).*$/m;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment an operator gives the scripts and the server: production, the owner's URL, the three passwords. */
function productionEnv(ownerUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: ownerUrl,
    REDIS_URL: inject("redisUrl"),
    DB_ROLE_PREFIX: PREFIX,
    DB_READONLY_PASSWORD: PASSWORDS.readonly,
    DB_APP_PASSWORD: PASSWORDS.app,
    DB_ADMIN_PASSWORD: PASSWORDS.admin,
    AUTH_SECRET,
    SEED_SCALE: "0.02",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

async function script(name: string, vars: Record<string, string>, args: string[] = []): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(path.join(ROOT, "node_modules/.bin/tsx"), ["--conditions=react-server", `scripts/${name}.ts`, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...vars } as unknown as NodeJS.ProcessEnv,
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function expectNoStackTrace(outcome: Outcome) {
  const text = outcome.stdout + outcome.stderr;
  expect(text, "a stack trace").not.toMatch(/^\s+at \S.*[:(]\d+/m);
  expect(text).not.toMatch(/\n\s*(Error|PostgresError|DrizzleQueryError):/);
}

/** A failed command: exit 1 and exactly one `[sluice] error:` line on stderr. */
function expectOneLineRefusal(outcome: Outcome, pattern: RegExp) {
  expect(outcome.code, outcome.stdout + outcome.stderr).toBe(1);
  expectNoStackTrace(outcome);
  const lines = outcome.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^\[sluice\] error: /);
  expect(lines[0]).toMatch(pattern);
}

interface Server {
  label: string;
  superuserUrl: string;
  superuser: Sql;
  stop(): Promise<void>;
}

async function prefixRoles(superuser: Sql) {
  return superuser<{ rolname: string; has_password: boolean }[]>`
    select rolname, rolpassword is not null as has_password from pg_authid where rolname like ${PREFIX + "%"} order by rolname`;
}

/** An owner like a managed service gives, and a database it owns (unless `ownsDatabase` is false). */
async function createOwner(server: Server, label: string, options: { createRole: boolean; ownsDatabase: boolean }) {
  const owner = `${PREFIX}owner_${label}`;
  const database = `${PREFIX}db_${label}`;
  const password = secret();
  await server.superuser.unsafe(`create role "${owner}" login ${options.createRole ? "createrole" : ""} password '${password}'`);
  await server.superuser.unsafe(`create database "${database}" owner "${options.ownsDatabase ? owner : "postgres"}"`);
  const url = new URL(databaseUrl(server.superuserUrl, database));
  url.username = owner;
  url.password = password;
  return { owner, database, url: url.toString() };
}

async function cleanUp(server: Server) {
  const databases = await server.superuser<{ datname: string }[]>`select datname from pg_database where datname like ${PREFIX + "%"}`;
  for (const { datname } of databases) await server.superuser.unsafe(`drop database if exists "${datname}" with (force)`);
  // Owners last: the roles they created may be theirs to administer.
  for (const { rolname } of (await prefixRoles(server.superuser)).sort(
    (a, b) => Number(a.rolname.includes("_owner_")) - Number(b.rolname.includes("_owner_")),
  )) {
    await server.superuser.unsafe(`drop role if exists "${rolname}"`).catch(() => undefined);
  }
}

const shared: Server = {
  label: "shared Postgres",
  superuserUrl: "",
  superuser: null as unknown as Sql,
  stop: async () => undefined,
};
let sharedOwnerUrl = "";
let pg17: EmbeddedPostgresHandle | null = null;
const pg17Dir = path.join(ROOT, ".data", `owner-pg-${run}`);
const embedded: Server = { label: "embedded Postgres", superuserUrl: "", superuser: null as unknown as Sql, stop: async () => undefined };

beforeAll(async () => {
  shared.superuserUrl = inject("database").serverUrl;
  shared.superuser = postgres(shared.superuserUrl, { max: 1, onnotice: () => {} });
  pg17 = await startEmbeddedPostgres({ dataDir: pg17Dir, port: await freePort(), password: secret(), durable: false });
  embedded.superuserUrl = pg17.url;
  embedded.superuser = postgres(pg17.url, { max: 1, onnotice: () => {} });
}, 120_000);

afterAll(async () => {
  for (const server of [shared, embedded]) {
    if (!server.superuser) continue;
    await cleanUp(server).catch((error) => console.error(`[owner] clean-up of ${server.label} failed`, error));
    await server.superuser.end({ timeout: 2 });
  }
  await pg17?.stop();
  await rm(pg17Dir, { recursive: true, force: true });
});

/** setup, migrate, seed, create-admin, token, then the server: the newcomer's path, as the owner. */
async function endToEnd(server: Server, label: string) {
  const { url } = await createOwner(server, label, { createRole: true, ownsDatabase: true });
  const vars = productionEnv(url);
  const outputs: Record<string, Outcome> = {};
  for (const [name, args, extra] of [
    ["db-setup", [], {}],
    ["db-migrate", [], {}],
    ["db-seed", [], {}],
    ["create-admin", ["--email", ADMIN_EMAIL], { ADMIN_PASSWORD }],
    ["token", ["create", "--email", ADMIN_EMAIL, "--name", "owner test", "--scopes", "tables:read,admin"], {}],
  ] as const) {
    const outcome = await script(name, { ...vars, ...extra }, [...args]);
    outputs[name] = outcome;
    expect(outcome.code, `${name}: ${outcome.stdout}${outcome.stderr}`).toBe(0);
    expectNoStackTrace(outcome);
  }
  const roles = await prefixRoles(server.superuser);
  for (const role of ["readonly", "app", "admin"]) {
    expect(roles.find((r) => r.rolname === `${PREFIX}${role}_user`)?.has_password, `${role} role with a password`).toBe(true);
  }
  const token = outputs.token!.stdout.trim().split("\n").at(-1)!;
  expect(token).toMatch(/^slc_/);

  const app = await startAppServer(vars);
  try {
    const headers = { authorization: `Bearer ${token}` };
    const table = await fetch(`${app.url}/api/v1/tables/data.customers?select=id,email&order=id&limit=3`, { headers });
    expect(table.status, await table.clone().text()).toBe(200);
    expect((await table.json()).map((r: { id: unknown }) => String(r.id))).toEqual(["1", "2", "3"]);
    const stats = await fetch(`${app.url}/api/admin/stats`, { headers });
    expect(stats.status).toBe(200);
    const body = await stats.json();
    // The running-queries view works as such an owner left it, and says whether it may signal.
    const queries = await fetch(`${app.url}/api/admin/queries`, { headers });
    expect(queries.status, await queries.clone().text()).toBe(200);
    const running = (await queries.json()) as { canSignal: boolean; seesAllActivity: boolean };
    return {
      url,
      outputs,
      server: body.pools.server as { seesAllActivity: boolean; applications: unknown[] } | null,
      running,
      appOutput: app.output(),
    };
  } finally {
    await app.stop();
  }
}

describe("a non-superuser owner (CREATEROLE, owns the database) on the shared Postgres", SLOW, () => {
  it("CONTROL: an owner without CREATEROLE is refused in one line naming CREATEROLE, and no role is made", async () => {
    const { url, owner } = await createOwner(shared, "nocreaterole", { createRole: false, ownsDatabase: true });
    const outcome = await script("db-setup", productionEnv(url));
    expectOneLineRefusal(
      outcome,
      new RegExp(`the owner ${owner} lacks CREATEROLE, so it cannot create the role ${PREFIX}readonly_user.*nothing was changed`),
    );
    expect((await prefixRoles(shared.superuser)).filter((r) => !r.rolname.includes("_owner_"))).toEqual([]);
  });

  it("CONTROL: an owner that does not own its database fails at the grants in one line, and the roles it had created are gone", async () => {
    const { url, owner } = await createOwner(shared, "notowner", { createRole: true, ownsDatabase: false });
    const outcome = await script("db-migrate", productionEnv(url));
    expectOneLineRefusal(
      outcome,
      new RegExp(
        `the owner ${owner} may not [a-z ]+ on the database ${PREFIX}db_notowner \\(it must own it\\): permission denied.*nothing was changed$`,
      ),
    );
    // Setup is one transaction: the three roles created before the refusal were rolled back with it.
    expect((await prefixRoles(shared.superuser)).filter((r) => !r.rolname.includes("_owner_"))).toEqual([]);
  });

  it("runs setup, migrate, seed, create-admin and the server; pg_cancel_backend degrades to one line", async () => {
    const { outputs, server, running, url } = await endToEnd(shared, "ok");
    sharedOwnerUrl = url;
    const setup = outputs["db-setup"]!.stdout;
    expect(setup).toContain(`[sluice] created role ${PREFIX}readonly_user`);
    expect(setup.match(new RegExp(PG_CANCEL_LINE.source, "gm"))).toHaveLength(1);
    // Postgres 15's CREATEROLE may grant pg_monitor or not (it has varied between runs here):
    // whatever the server decided, setup says so in exactly one line, or not at all.
    const [row] = await shared.superuser<{ member: boolean }[]>`select pg_has_role(${`${PREFIX}admin_user`}, 'pg_monitor', 'member') as member`;
    const member = row?.member ?? false;
    expect(setup.match(new RegExp(PG_MONITOR_LINE.source, "gm")) ?? []).toHaveLength(member ? 0 : 1);
    // Setup and the grants after the migration: the same degradation, said once.
    expect(outputs["db-migrate"]!.stdout.match(new RegExp(PG_CANCEL_LINE.source, "gm"))).toHaveLength(1);
    expect(outputs["db-migrate"]!.stdout).toContain("[sluice] migrations applied");
    expect(outputs["create-admin"]!.stdout).toContain(`created admin ${ADMIN_EMAIL}`);
    expect(server?.seesAllActivity).toBe(member);
    expect(running.seesAllActivity).toBe(member);
    // pg_signal_backend likewise: granted, or one line and a view that says Cancel will be refused.
    const [signal] = await shared.superuser<
      { member: boolean }[]
    >`select pg_has_role(${`${PREFIX}admin_user`}, 'pg_signal_backend', 'member') as member`;
    expect(setup.match(new RegExp(PG_SIGNAL_LINE.source, "gm")) ?? []).toHaveLength(signal?.member ? 0 : 1);
    expect(running.canSignal).toBe(signal?.member ?? false);
  });

  it("reruns setup idempotently as the owner (the repair path after a failure)", async () => {
    expect(sharedOwnerUrl).toBeTruthy();
    const again = await script("db-setup", productionEnv(sharedOwnerUrl));
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/created role|set password/);
    expect(again.stdout).toContain("[sluice] roles and grants are in place");
  });
});

describe("a non-superuser owner on the embedded Postgres 17 (CREATEROLE grants only what it administers)", SLOW, () => {
  it("runs end to end; pg_monitor degrades to one line and the dashboard says what it cannot see", async () => {
    const { outputs, server, running } = await endToEnd(embedded, "ok");
    const setup = outputs["db-setup"]!.stdout;
    expect(setup.match(new RegExp(PG_MONITOR_LINE.source, "gm"))).toHaveLength(1);
    expect(setup.match(new RegExp(PG_SIGNAL_LINE.source, "gm"))).toHaveLength(1);
    expect(running).toMatchObject({ seesAllActivity: false, canSignal: false });
    expect(outputs["db-migrate"]!.stdout.match(new RegExp(PG_MONITOR_LINE.source, "gm"))).toHaveLength(1);
    expect(server?.seesAllActivity).toBe(false);
    expect(server?.applications.length).toBeGreaterThan(0);
  });
});
