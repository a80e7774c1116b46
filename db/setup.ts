import postgres, { type Sql } from "postgres";
import type { Env } from "@/lib/env";
import { databaseName, roleCredentials, roleUrl, type Role } from "@/lib/db/roles";

/**
 * Role and grant provisioning, run by the owner (DATABASE_URL), idempotent.
 * Least privilege is enforced by Postgres itself: the app could be fully
 * compromised and the readonly role still could not write a byte.
 *
 * Roles are cluster-wide, grants are per database: rerunning for a second
 * database on the same server only adds that database's grants.
 */
export type SetupLog = (line: string) => void;

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

export async function provisionRoles(owner: Sql, ownerUrl: string, env: Env, log: SetupLog): Promise<void> {
  const database = databaseName(ownerUrl);
  for (const spec of roleSpecs(env)) {
    const { user, password } = roleCredentials(env, spec.role);
    if (!password && env.NODE_ENV === "production") throw new Error(`no password configured for role ${user}`);
    const ident = quoteIdent(user);
    const [existing] = await owner`select 1 from pg_roles where rolname = ${user}`;
    if (!existing) {
      try {
        await owner.unsafe(`create role ${ident} login`);
        log(`created role ${user}`);
      } catch (error) {
        // Another setup on the same server may have won the race; that is fine.
        if ((error as { code?: string }).code !== "42710") throw error;
      }
    }
    await owner.unsafe(
      `alter role ${ident} login nosuperuser nocreatedb nocreaterole noreplication nobypassrls ${spec.inherit ? "inherit" : "noinherit"}`,
    );
    if (password && !(await canLogIn(roleUrl(ownerUrl, { role: spec.role, user, password })))) {
      await owner.unsafe(`alter role ${ident} password ${quoteLiteral(password)}`);
      log(`set password of role ${user}`);
    }
    for (const [key, value] of Object.entries(spec.settings)) {
      await owner.unsafe(`alter role ${ident} in database ${quoteIdent(database)} set ${key} = ${quoteLiteral(value)}`);
    }
  }
}

/** Grants on the database, the app schema and the data schemas; safe to run after every migration and seed. */
export async function applyGrants(owner: Sql, ownerUrl: string, env: Env, log: SetupLog): Promise<void> {
  const database = quoteIdent(databaseName(ownerUrl));
  const user = (role: Role) => quoteIdent(roleCredentials(env, role).user);
  const [ro, app, admin] = [user("readonly"), user("app"), user("admin")];

  await owner.unsafe(`grant connect on database ${database} to ${ro}, ${app}, ${admin}`);
  // No temp objects: they would outlive a unit of work on a pooled connection.
  await owner.unsafe(`revoke temporary on database ${database} from public`);
  await owner.unsafe(`revoke create on schema public from public`);

  await owner.unsafe(`create schema if not exists app`);
  await owner.unsafe(`revoke all on schema app from public`);
  await owner.unsafe(`grant usage on schema app to ${app}, ${admin}`);
  await owner.unsafe(`grant select, insert, update, delete on all tables in schema app to ${app}, ${admin}`);
  await owner.unsafe(`grant usage, select on all sequences in schema app to ${app}, ${admin}`);
  await owner.unsafe(`alter default privileges in schema app grant select, insert, update, delete on tables to ${app}, ${admin}`);
  await owner.unsafe(`alter default privileges in schema app grant usage, select on sequences to ${app}, ${admin}`);

  for (const schema of env.DATA_SCHEMAS) {
    const [exists] = await owner`select 1 from pg_namespace where nspname = ${schema}`;
    if (!exists) {
      log(`data schema ${schema} does not exist yet; its grants follow when it does`);
      continue;
    }
    const s = quoteIdent(schema);
    await owner.unsafe(`revoke create on schema ${s} from public`);
    await owner.unsafe(`grant usage on schema ${s} to ${ro}`);
    await owner.unsafe(`grant select on all tables in schema ${s} to ${ro}`);
    await owner.unsafe(`alter default privileges in schema ${s} grant select on tables to ${ro}`);
  }

  // Members of a role may signal its other backends: without this, one console user could
  // cancel or terminate another's queries (every console user is the readonly role).
  await owner.unsafe(
    `revoke execute on function pg_catalog.pg_cancel_backend(integer), pg_catalog.pg_terminate_backend(integer, bigint) from public`,
  );

  try {
    await owner.unsafe(`grant pg_monitor to ${admin}`);
  } catch (error) {
    log(`could not grant pg_monitor to the admin role (${(error as Error).message}); the dashboard's server view will be partial`);
  }
}

/** `npm run db:setup`: roles, then grants. */
export async function setupDatabase(ownerUrl: string, env: Env, log: SetupLog = () => {}): Promise<void> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    await provisionRoles(owner, ownerUrl, env, log);
    await applyGrants(owner, ownerUrl, env, log);
  } finally {
    await owner.end({ timeout: 5 });
  }
}
