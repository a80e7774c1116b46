import postgres, { type Sql, type TransactionSql } from "postgres";
import type { Env } from "@/lib/env";
import { databaseName, roleCredentials, roleUrl, type Role } from "@/lib/db/roles";

/**
 * Role and grant provisioning, run by the owner (DATABASE_URL), idempotent.
 * Least privilege is enforced by Postgres itself: the app could be fully
 * compromised and the readonly role still could not write a byte.
 *
 * Roles are cluster-wide, grants are per database: rerunning for a second
 * database on the same server only adds that database's grants.
 *
 * The owner need not be a superuser: a managed service gives an owner with
 * CREATEROLE that owns the database. Setup therefore only states the role
 * attributes that differ from what it wants (a non-superuser may not even
 * restate NOSUPERUSER), checks those only a superuser may change, and runs in
 * one transaction, so a refusal half-way leaves no role without its password.
 */
export type SetupLog = (line: string) => void;

/** A refusal to report as one line: what the owner lacks and what to do; nothing was changed. */
export class SetupError extends Error {
  override name = "SetupError";
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

interface RoleSpec {
  role: Role;
  inherit: boolean;
  settings: Record<string, string>;
}

function roleSpecs(env: Env): RoleSpec[] {
  const common = { idle_in_transaction_session_timeout: "60000", lock_timeout: "5000" };
  return [
    {
      role: "readonly",
      inherit: false,
      settings: {
        ...common,
        default_transaction_read_only: "on",
        statement_timeout: String(env.DB_STATEMENT_TIMEOUT_MS),
        search_path: env.DATA_SCHEMAS.join(", "),
      },
    },
    { role: "app", inherit: false, settings: { ...common, statement_timeout: "30000", search_path: "app" } },
    // INHERIT so that membership in pg_monitor takes effect.
    { role: "admin", inherit: true, settings: { ...common, statement_timeout: "30000", search_path: "app" } },
  ];
}

interface RoleAttributes {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolinherit: boolean;
  rolcanlogin: boolean;
}

/** Only a superuser may change these (any Postgres version); a non-superuser owner checks them instead. */
const SUPERUSER_ONLY = [
  ["rolsuper", "SUPERUSER"],
  ["rolreplication", "REPLICATION"],
  ["rolbypassrls", "BYPASSRLS"],
] as const;

async function canLogIn(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}

const pgCode = (error: unknown) => (error as { code?: unknown } | null)?.code;

/** Runs one statement; a refusal becomes a SetupError naming what was being done and who lacks what. */
async function step(tx: TransactionSql, owner: string, what: string, statement: string): Promise<void> {
  try {
    await tx.unsafe(statement);
  } catch (error) {
    if (pgCode(error) === "42501") {
      throw new SetupError(`the owner ${owner} may not ${what}: ${(error as Error).message}; nothing was changed`);
    }
    throw error;
  }
}

interface OwnerInfo {
  name: string;
  superuser: boolean;
  createRole: boolean;
}

async function ownerInfo(sql: Sql | TransactionSql): Promise<OwnerInfo> {
  const [row] = await sql<{ name: string; superuser: boolean; create_role: boolean }[]>`
    select rolname as name, rolsuper as superuser, rolcreaterole as create_role from pg_roles where rolname = current_user`;
  return { name: row!.name, superuser: row!.superuser, createRole: row!.create_role };
}

/** What provisioning needs to know before its transaction: a probe logs in, which an uncommitted role could not. */
interface RolePlan {
  spec: RoleSpec;
  user: string;
  password: string | undefined;
  existing: RoleAttributes | undefined;
  passwordWorks: boolean;
}

async function planRoles(owner: Sql, ownerUrl: string, env: Env, me: OwnerInfo): Promise<RolePlan[]> {
  const plans: RolePlan[] = [];
  for (const spec of roleSpecs(env)) {
    const { user, password } = roleCredentials(env, spec.role);
    if (!password && env.NODE_ENV === "production")
      throw new SetupError(`no password configured for role ${user} (DB_${spec.role.toUpperCase()}_PASSWORD)`);
    const [existing] = await owner<RoleAttributes[]>`
      select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit, rolcanlogin from pg_roles where rolname = ${user}`;
    if (!existing && !me.superuser && !me.createRole) {
      throw new SetupError(
        `the owner ${me.name} lacks CREATEROLE, so it cannot create the role ${user}: grant it CREATEROLE (as a superuser: ALTER ROLE ${quoteIdent(me.name)} CREATEROLE) or create the roles beforehand; nothing was changed`,
      );
    }
    if (existing && !me.superuser) {
      const held = SUPERUSER_ONLY.filter(([column]) => existing[column]).map(([, keyword]) => keyword);
      if (held.length) {
        throw new SetupError(
          `role ${user} has ${held.join(", ")}, which only a superuser may remove (ALTER ROLE ${quoteIdent(user)} ${held.map((k) => `NO${k}`).join(" ")}); the owner ${me.name} is not one; nothing was changed`,
        );
      }
    }
    const passwordWorks = Boolean(existing && password && (await canLogIn(roleUrl(ownerUrl, { role: spec.role, user, password }))));
    plans.push({ spec, user, password, existing: existing ?? undefined, passwordWorks });
  }
  return plans;
}

async function provisionRoles(tx: TransactionSql, ownerUrl: string, plans: RolePlan[], me: OwnerInfo, log: SetupLog): Promise<void> {
  const database = databaseName(ownerUrl);
  for (const { spec, user, password, existing, passwordWorks } of plans) {
    const ident = quoteIdent(user);
    const passwordClause = password ? ` password ${quoteLiteral(password)}` : "";
    if (!existing) {
      // With its password in the same statement: a role never exists without one.
      await step(tx, me.name, `create the role ${user}`, `create role ${ident} login ${spec.inherit ? "inherit" : "noinherit"}${passwordClause}`);
      log(`created role ${user}`);
    } else {
      // Only what differs: restating an attribute the owner may not change is refused even when it is already so.
      const wanted: Array<[keyof RoleAttributes, boolean, string]> = [
        ["rolcanlogin", true, "login"],
        ["rolcreatedb", false, "createdb"],
        ["rolcreaterole", false, "createrole"],
        ["rolinherit", spec.inherit, "inherit"],
        ...(me.superuser
          ? SUPERUSER_ONLY.map(([column, keyword]) => [column, false, keyword.toLowerCase()] as [keyof RoleAttributes, boolean, string])
          : []),
      ];
      const clauses = wanted.filter(([column, value]) => existing[column] !== value).map(([, value, keyword]) => (value ? keyword : `no${keyword}`));
      if (clauses.length) await step(tx, me.name, `alter the role ${user} (${clauses.join(" ")})`, `alter role ${ident} ${clauses.join(" ")}`);
      if (password && !passwordWorks) {
        await step(tx, me.name, `set the password of the role ${user}`, `alter role ${ident}${passwordClause}`);
        log(`set password of role ${user}`);
      }
    }
    for (const [key, value] of Object.entries(spec.settings)) {
      await step(
        tx,
        me.name,
        `set ${key} for the role ${user}`,
        `alter role ${ident} in database ${quoteIdent(database)} set ${key} = ${quoteLiteral(value)}`,
      );
    }
  }
}

async function grantsIn(tx: TransactionSql, ownerUrl: string, env: Env, log: SetupLog): Promise<void> {
  const me = await ownerInfo(tx);
  const run = (what: string, statement: string) => step(tx, me.name, what, statement);
  const databaseText = databaseName(ownerUrl);
  const database = quoteIdent(databaseText);
  const name = (role: Role) => roleCredentials(env, role).user;
  const user = (role: Role) => quoteIdent(name(role));
  const [ro, app, admin] = [user("readonly"), user("app"), user("admin")];
  const onDatabase = `on the database ${databaseText} (it must own it)`;

  await run(`grant connect ${onDatabase}`, `grant connect on database ${database} to ${ro}, ${app}, ${admin}`);
  // No temp objects: they would outlive a unit of work on a pooled connection.
  await run(`revoke temporary ${onDatabase}`, `revoke temporary on database ${database} from public`);
  await run("revoke create on the schema public", `revoke create on schema public from public`);

  await run(`create the schema app ${onDatabase}`, `create schema if not exists app`);
  await run("revoke all on the schema app", `revoke all on schema app from public`);
  await run("grant usage on the schema app", `grant usage on schema app to ${app}, ${admin}`);
  await run("grant on the tables of the schema app", `grant select, insert, update, delete on all tables in schema app to ${app}, ${admin}`);
  await run("grant on the sequences of the schema app", `grant usage, select on all sequences in schema app to ${app}, ${admin}`);
  await run(
    "set default privileges in the schema app",
    `alter default privileges in schema app grant select, insert, update, delete on tables to ${app}, ${admin}`,
  );
  await run(
    "set default privileges in the schema app",
    `alter default privileges in schema app grant usage, select on sequences to ${app}, ${admin}`,
  );

  for (const schema of env.DATA_SCHEMAS) {
    const [exists] = await tx`select 1 from pg_namespace where nspname = ${schema}`;
    if (!exists) {
      log(`data schema ${schema} does not exist yet; its grants follow when it does`);
      continue;
    }
    const s = quoteIdent(schema);
    const what = `grant on the data schema ${schema} (it must own it)`;
    await run(what, `revoke create on schema ${s} from public`);
    await run(what, `grant usage on schema ${s} to ${ro}`);
    await run(what, `grant select on all tables in schema ${s} to ${ro}`);
    await run(what, `alter default privileges in schema ${s} grant select on tables to ${ro}`);
  }

  // Members of a role may signal its other backends: without this, one console user could
  // cancel or terminate another's queries (every console user is the readonly role).
  await tx.unsafe(`revoke execute on function pg_catalog.pg_cancel_backend(integer), pg_catalog.pg_terminate_backend(integer, bigint) from public`);
  // A non-owner's REVOKE is only a warning ("no privileges could be revoked"): check the effect.
  const [signals] = await tx<{ open: boolean }[]>`
    select has_function_privilege(${name("readonly")}, 'pg_catalog.pg_cancel_backend(integer)', 'execute') as open`;
  if (signals!.open) {
    log(
      `could not revoke pg_cancel_backend/pg_terminate_backend from PUBLIC (only their owner, a superuser, may); console users could cancel each other's statements until a superuser runs: REVOKE EXECUTE ON FUNCTION pg_catalog.pg_cancel_backend(integer), pg_catalog.pg_terminate_backend(integer, bigint) FROM PUBLIC`,
    );
  }

  await letAdminSignal(tx, me.name, name("admin"), log);
  await hideActivityFromReadonly(tx, name("readonly"), [admin], log);

  const [monitor] = await tx<{ member: boolean }[]>`select pg_has_role(${name("admin")}, 'pg_monitor', 'member') as member`;
  if (!monitor!.member) {
    try {
      // A savepoint: the refusal must not abort the transaction around it.
      await tx.savepoint((sp) => sp.unsafe(`grant pg_monitor to ${admin}`));
    } catch (error) {
      if (pgCode(error) !== "42501") throw error;
      log(
        `the owner ${me.name} may not grant pg_monitor to ${name("admin")} (it needs ADMIN OPTION on pg_monitor); the admin dashboard will not see the state and queries of other roles' connections until a superuser runs: GRANT pg_monitor TO ${admin}`,
      );
    }
  }
}

/**
 * The admins' running-queries view cancels and terminates the readonly and app roles' backends
 * through the admin role (lib/fleet/running-queries.ts): it needs EXECUTE on the two functions
 * (taken from PUBLIC above; a non-superuser owner could not take it, and then PUBLIC's grant
 * serves) and membership in pg_signal_backend, which only a holder of its ADMIN OPTION may
 * grant: otherwise one line says what to run, and the view answers the same in its message.
 */
async function letAdminSignal(tx: TransactionSql, owner: string, admin: string, log: SetupLog): Promise<void> {
  const ident = quoteIdent(admin);
  await tx
    .savepoint((sp) =>
      sp.unsafe(`grant execute on function pg_catalog.pg_cancel_backend(integer), pg_catalog.pg_terminate_backend(integer, bigint) to ${ident}`),
    )
    .catch((error: unknown) => {
      if (pgCode(error) !== "42501") throw error;
    });
  const [signal] = await tx<{ member: boolean }[]>`select pg_has_role(${admin}, 'pg_signal_backend', 'member') as member`;
  if (signal!.member) return;
  try {
    await tx.savepoint((sp) => sp.unsafe(`grant pg_signal_backend to ${ident}`));
  } catch (error) {
    if (pgCode(error) !== "42501") throw error;
    log(
      `the owner ${owner} may not grant pg_signal_backend to ${admin} (it needs ADMIN OPTION on pg_signal_backend); admins cannot cancel running queries from the admin area until a superuser runs: GRANT pg_signal_backend TO ${ident}`,
    );
  }
}

/**
 * Console users share the readonly role, and Postgres shows a session's query text to every
 * member of the session's role (`<insufficient privilege>` only for other roles' sessions): with
 * PUBLIC's default grants, `select query from pg_stat_activity` in the console showed every other
 * user's running SQL. So in this database the activity view and the functions that return a
 * session's query text are taken from PUBLIC and given back to the admin role (the
 * dashboard's server view); pg_stat_statements too, where it is installed. Views built on them
 * (pg_stat_ssl, pg_stat_replication…) run as their owner and show no query text. Only the
 * objects' owner (a superuser) may revoke: otherwise this is logged with the statement to run.
 */
async function hideActivityFromReadonly(tx: TransactionSql, readonly: string, keepers: string[], log: SetupLog): Promise<void> {
  const views = ["pg_catalog.pg_stat_activity"];
  const functions = ["pg_catalog.pg_stat_get_activity(integer)", "pg_catalog.pg_stat_get_backend_activity(integer)"];
  const statements = await tx<{ schema: string }[]>`
    select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_stat_statements'`;
  for (const { schema } of statements) {
    const s = quoteIdent(schema);
    views.push(`${s}.pg_stat_statements`);
    const [fn] = await tx<{ signature: string }[]>`
      select p.oid::regprocedure::text as signature from pg_proc p where p.proname = 'pg_stat_statements' and p.pronamespace = ${schema}::regnamespace limit 1`;
    if (fn) functions.push(fn.signature.includes(".") ? fn.signature : `${s}.${fn.signature}`);
  }
  const revoke = [
    `revoke select on ${views.join(", ")} from public`,
    `revoke execute on function ${functions.join(", ")} from public`,
    `grant select on ${views.join(", ")} to ${keepers.join(", ")}`,
    `grant execute on function ${functions.join(", ")} to ${keepers.join(", ")}`,
  ];
  for (const statement of revoke) {
    // A savepoint: a refusal must not abort the transaction around it.
    await tx
      .savepoint((sp) => sp.unsafe(statement))
      .catch((error: unknown) => {
        if (pgCode(error) !== "42501") throw error;
      });
  }
  const [open] = await tx<{ open: boolean }[]>`
    select has_table_privilege(${readonly}, 'pg_catalog.pg_stat_activity', 'select')
        or has_function_privilege(${readonly}, 'pg_catalog.pg_stat_get_activity(integer)', 'execute') as open`;
  if (open!.open) {
    log(
      `could not take pg_stat_activity from PUBLIC (only its owner, a superuser, may); console users can read each other's running SQL until a superuser runs: ${revoke.join("; ")}`,
    );
  }
}

/** Grants on the database, the app schema and the data schemas, in one transaction; safe to run after every migration and seed. */
export async function applyGrants(owner: Sql, ownerUrl: string, env: Env, log: SetupLog): Promise<void> {
  await owner.begin((tx) => grantsIn(tx, ownerUrl, env, log));
}

/** `npm run db:setup`: roles, then grants, in one transaction. */
export async function setupDatabase(ownerUrl: string, env: Env, log: SetupLog = () => {}): Promise<void> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    const me = await ownerInfo(owner);
    const plans = await planRoles(owner, ownerUrl, env, me);
    await owner.begin(async (tx) => {
      await provisionRoles(tx, ownerUrl, plans, me, log);
      await grantsIn(tx, ownerUrl, env, log);
    });
  } catch (error) {
    // Another setup created the same role between our plan and our transaction: the rerun repairs.
    if (pgCode(error) === "42710") return setupDatabase(ownerUrl, env, log);
    throw error;
  } finally {
    await owner.end({ timeout: 5 });
  }
}
