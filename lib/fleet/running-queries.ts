import "server-only";
import type { Sql } from "postgres";
import { ApiError } from "@/lib/core/errors";
import { withRole } from "@/lib/db/clients";
import { audit } from "@/lib/db/queries/audit";
import { ROLES, roleCredentials, type Role } from "@/lib/db/roles";
import { env } from "@/lib/env";
import { parseApplicationName } from "@/lib/fleet/pool-stats";
import { markSignalled, readRunTags, type RunTag } from "@/lib/fleet/run-tags";

/**
 * The admins' running-queries view: every backend of Sluice's Postgres roles that is not idle,
 * read from pg_stat_activity through the admin role (pg_monitor lets it read other roles' state
 * and SQL), named with the run tags the sandbox leaves (lib/fleet/run-tags.ts); and cancel or
 * terminate of one of them, through the admin role too (pg_signal_backend, db/setup.ts).
 *
 * Only backends of the readonly and app roles in this database may be signalled: not the admin
 * role's own (this view's, the dashboard's), and never another client of the server (a
 * superuser's psql, another application). The check and the signal are one statement, so a pid
 * that changed hands in between is not hit.
 */
export const SIGNALLABLE_ROLES = ["readonly", "app"] as const satisfies readonly Role[];
export type BackendSignal = "cancel" | "terminate";

export interface RunningQuery {
  pid: number;
  role: Role;
  /** The Postgres role name (with DB_ROLE_PREFIX). */
  databaseUser: string;
  /** active, idle in transaction, …; null when the admin role may not read it (no pg_monitor). */
  state: string | null;
  /** Since the statement started (active) or since it went idle (idle in transaction). */
  durationMs: number | null;
  transactionMs: number | null;
  waitEvent: string | null;
  query: string | null;
  /** The Sluice instance, from `sluice:<role>:<instance>`. */
  instance: string | null;
  /** Who ran it, for user SQL; null for Sluice's own statements (or an untagged run). */
  runBy: RunTag | null;
  signallable: boolean;
}

export interface RunningQueriesReport {
  at: string;
  /** Without pg_read_all_stats (pg_monitor) other roles' state and SQL read as null. */
  seesAllActivity: boolean;
  /** Whether the admin role may signal other roles' backends (pg_signal_backend). */
  canSignal: boolean;
  queries: RunningQuery[];
}

const QUERY_TEXT = 4000;
const MAX_ROWS = 500;
const TIMEOUT_MS = 3000;

function databaseUsers(): Map<string, Role> {
  const config = env();
  return new Map(ROLES.map((role) => [roleCredentials(config, role).user, role]));
}

const signallableUsers = () => SIGNALLABLE_ROLES.map((role) => roleCredentials(env(), role).user);

interface ActivityRow {
  pid: number;
  usename: string;
  application_name: string;
  state: string | null;
  duration_ms: number | null;
  transaction_ms: number | null;
  wait_event: string | null;
  query: string | null;
  xact_start_us: string | null;
}

async function readActivity(sql: Sql, users: string[]): Promise<ActivityRow[]> {
  return sql<ActivityRow[]>`
    select pid, usename, application_name, state,
           (extract(epoch from clock_timestamp() - case when state = 'active' then query_start else state_change end) * 1000)::float8 as duration_ms,
           (extract(epoch from clock_timestamp() - xact_start) * 1000)::float8 as transaction_ms,
           nullif(concat_ws(': ', wait_event_type, wait_event), '') as wait_event,
           left(query, ${QUERY_TEXT}) as query,
           (extract(epoch from xact_start) * 1000000)::bigint::text as xact_start_us
      from pg_stat_activity
     where backend_type = 'client backend' and datname = current_database() and pid <> pg_backend_pid()
       and usename in ${sql(users)} and state is distinct from 'idle'
     order by coalesce(xact_start, query_start, backend_start)
     limit ${MAX_ROWS}`;
}

export async function listRunningQueries(): Promise<RunningQueriesReport> {
  const users = databaseUsers();
  const { rows, privileges } = await withRole(
    "admin",
    async ({ sql }) => {
      const [privileges] = await sql<{ sees_all: boolean; can_signal: boolean }[]>`
        select pg_has_role(current_user, 'pg_read_all_stats', 'usage') as sees_all,
               pg_has_role(current_user, 'pg_signal_backend', 'usage') as can_signal`;
      return { rows: await readActivity(sql, [...users.keys()]), privileges: privileges! };
    },
    { signal: AbortSignal.timeout(TIMEOUT_MS) },
  );
  const tags = await readRunTags(rows.flatMap((row) => (row.xact_start_us ? [{ pid: row.pid, xactStartUs: row.xact_start_us }] : []))).catch(
    () => new Map<number, RunTag>(),
  );
  const signallable = new Set<string>(signallableUsers());
  return {
    at: new Date().toISOString(),
    seesAllActivity: privileges.sees_all,
    canSignal: privileges.can_signal,
    queries: rows.map((row) => ({
      pid: row.pid,
      role: users.get(row.usename)!,
      databaseUser: row.usename,
      state: row.state,
      durationMs: row.duration_ms === null ? null : Math.max(0, Math.round(row.duration_ms)),
      transactionMs: row.transaction_ms === null ? null : Math.max(0, Math.round(row.transaction_ms)),
      waitEvent: row.wait_event,
      query: row.query,
      instance: parseApplicationName(row.application_name).instance,
      runBy: tags.get(row.pid) ?? null,
      signallable: signallable.has(row.usename),
    })),
  };
}

export interface SignalActor {
  userId: string;
  email: string;
  ip: string | null;
}

export interface SignalResult {
  pid: number;
  signal: BackendSignal;
  role: Role;
  runBy: RunTag | null;
}

const PERMISSION_DENIED = "42501";

/**
 * Cancels the statement of, or terminates, one backend of the readonly or app role. A pid that
 * is not one of them (ended, another client's, the admin role's own) is a 404, audited as denied.
 */
export async function signalBackend(actor: SignalActor, pid: number, signal: BackendSignal): Promise<SignalResult> {
  const users = signallableUsers();
  const outcome = await withRole(
    "admin",
    async ({ sql }) => {
      const [target] = await readActivity(sql, users).then((rows) => rows.filter((row) => row.pid === pid));
      if (!target) return null;
      const tags = target.xact_start_us ? await readRunTags([{ pid, xactStartUs: target.xact_start_us }]).catch(() => null) : null;
      const runBy = tags?.get(pid) ?? null;
      // Before the signal: the run reads the mark once its connection is cut (sandbox.ts).
      if (runBy && target.xact_start_us) await markSignalled({ pid, xactStartUs: target.xact_start_us }, signal).catch(() => undefined);
      try {
        const [sent] = await sql<{ sent: boolean }[]>`
          select case when ${signal} = 'terminate' then pg_terminate_backend(pid) else pg_cancel_backend(pid) end as sent
            from pg_stat_activity
           where pid = ${pid} and backend_type = 'client backend' and datname = current_database() and pid <> pg_backend_pid()
             and usename in ${sql(users)}`;
        return { target, runBy, sent: sent?.sent === true };
      } catch (error) {
        if ((error as { code?: unknown }).code !== PERMISSION_DENIED) throw error;
        return { target, runBy, sent: false, refused: (error as Error).message };
      }
    },
    { signal: AbortSignal.timeout(TIMEOUT_MS) },
  );
  const role = outcome ? databaseUsers().get(outcome.target.usename)! : null;
  const details = {
    pid,
    signal,
    ...(outcome
      ? {
          role,
          state: outcome.target.state,
          query: outcome.target.query?.slice(0, 500) ?? null,
          ...(outcome.runBy
            ? { runBy: outcome.runBy.email, runVia: outcome.runBy.via, tokenId: outcome.runBy.tokenId, tokenName: outcome.runBy.tokenName }
            : {}),
        }
      : {}),
  };
  const record = (result: "ok" | "denied" | "failed", extra: Record<string, unknown> = {}) =>
    audit({
      action: `query.${signal}`,
      via: "session",
      actorUserId: actor.userId,
      ip: actor.ip,
      target: outcome?.runBy?.userId ?? null,
      outcome: result,
      details: { ...details, ...extra },
    });
  if (!outcome || (!outcome.sent && !("refused" in outcome))) {
    await record("denied", { reason: outcome ? "ended" : "not a running backend of Sluice's readonly or app role" });
    throw new ApiError(
      "not_found",
      `no running query of Sluice's readonly or app role has the backend pid ${pid} (it has ended, or it is not Sluice's)`,
      {
        pid,
      },
    );
  }
  if ("refused" in outcome) {
    await record("failed", { reason: outcome.refused });
    throw new ApiError(
      "forbidden",
      `the admin database role may not signal other roles' backends: a superuser must run GRANT pg_signal_backend TO "${roleCredentials(env(), "admin").user}" (see docs/deploy.md)`,
      { reason: "database_privilege", pid },
    );
  }
  await record("ok");
  return { pid, signal, role: role!, runBy: outcome.runBy };
}
