import "server-only";
import { singleton } from "@/lib/core/singleton";
import type { Sql } from "postgres";
import { HISTORY_CAPACITY, newProblems, toSample, type Observation, type PoolSample } from "@/lib/fleet/pool-history";
import { recordRecentError } from "@/lib/fleet/recent-errors";
import { RingBuffer } from "@/lib/fleet/ring-buffer";
import { pool, withRole } from "@/lib/db/clients";
import { instanceId } from "@/lib/db/instance";
import type { RolePoolStats } from "@/lib/db/pool";
import { ROLES, type Role } from "@/lib/db/roles";

/**
 * The numbers behind the admin dashboard: each role pool's own view (gate and
 * connection counters) and the server's view from pg_stat_activity, plus a
 * 15-minute history sampled every few seconds.
 */
export interface PoolSnapshot extends RolePoolStats {
  max: number;
  /** Open connections not lent to a unit of work right now. */
  idle: number;
}

export interface ServerPoolView {
  applicationName: string;
  /** Parsed from `sluice:<role>:<instance>`; null for other clients of the database. */
  role: Role | null;
  instance: string | null;
  total: number;
  active: number;
  idle: number;
  idleInTransaction: number;
  longest: { durationMs: number; state: string; query: string } | null;
}

export interface ServerView {
  serverVersion: string;
  maxConnections: number;
  reservedConnections: number;
  /** Client connections to the whole server (what max_connections limits). */
  serverConnections: number;
  /** Client connections to this database. */
  databaseConnections: number;
  /**
   * Whether the admin role may read other roles' rows of pg_stat_activity in full (pg_monitor,
   * through pg_read_all_stats). Without it their state and query are null: the connection
   * counts stay right, the active/idle split and the longest statement of other roles do not.
   */
  seesAllActivity: boolean;
  applications: ServerPoolView[];
}

export interface PoolStatsReport {
  at: string;
  instance: string;
  local: Partial<Record<Role, PoolSnapshot>>;
  server: ServerView | null;
  serverError?: string;
}

export function poolSnapshot(role: Role): PoolSnapshot {
  const stats = pool(role).stats();
  return { ...stats, max: stats.size, idle: Math.max(0, stats.connected - stats.inUse) };
}

/** Every role's snapshot; a role whose pool cannot be created (no DATABASE_URL) is left out. */
export function localPoolSnapshots(): Partial<Record<Role, PoolSnapshot>> {
  const out: Partial<Record<Role, PoolSnapshot>> = {};
  for (const role of ROLES) {
    try {
      out[role] = poolSnapshot(role);
    } catch {
      // Reported by readiness; the dashboard simply has no panel for it.
    }
  }
  return out;
}

const QUERY_PREVIEW = 200;

export function parseApplicationName(name: string): { role: Role | null; instance: string | null } {
  const match = /^sluice:([a-z]+):(.+)$/.exec(name);
  const role = match && (ROLES as readonly string[]).includes(match[1]!) ? (match[1] as Role) : null;
  return { role, instance: role ? match![2]! : null };
}

/** Needs pg_monitor (the admin role) to see other roles' queries; without it they read as NULL. */
export async function readServerView(sql: Sql): Promise<ServerView> {
  const [settings] = await sql<
    {
      server_version: string;
      max_connections: number;
      reserved: number;
      server_connections: number;
      database_connections: number;
      sees_all_activity: boolean;
    }[]
  >`
    select current_setting('server_version') as server_version,
           pg_has_role(current_user, 'pg_read_all_stats', 'usage') as sees_all_activity,
           current_setting('max_connections')::int as max_connections,
           -- Postgres 16+ also keeps reserved_connections for pg_use_reserved_connections (null before 16).
           current_setting('superuser_reserved_connections')::int
             + coalesce(current_setting('reserved_connections', true)::int, 0) as reserved,
           (select count(*)::int from pg_stat_activity where backend_type = 'client backend') as server_connections,
           (select count(*)::int from pg_stat_activity where backend_type = 'client backend' and datname = current_database()) as database_connections`;
  const groups = await sql<{ application_name: string; total: number; active: number; idle: number; idle_in_transaction: number }[]>`
    select application_name,
           count(*)::int as total,
           (count(*) filter (where state = 'active'))::int as active,
           (count(*) filter (where state = 'idle'))::int as idle,
           (count(*) filter (where state like 'idle in transaction%'))::int as idle_in_transaction
      from pg_stat_activity
     where backend_type = 'client backend' and datname = current_database() and pid <> pg_backend_pid()
     group by application_name
     order by application_name
     limit 200`;
  // The oldest statement that is still running (or holding a transaction open) per application.
  const longest = await sql<{ application_name: string; duration_ms: number; state: string; query: string }[]>`
    select distinct on (application_name) application_name,
           (extract(epoch from (clock_timestamp() - query_start)) * 1000)::float8 as duration_ms,
           state, left(query, ${QUERY_PREVIEW}) as query
      from pg_stat_activity
     where backend_type = 'client backend' and datname = current_database() and pid <> pg_backend_pid()
       and state <> 'idle' and query_start is not null
     order by application_name, query_start`;
  const longestByApp = new Map(longest.map((row) => [row.application_name, row]));
  return {
    serverVersion: settings!.server_version,
    maxConnections: settings!.max_connections,
    reservedConnections: settings!.reserved,
    serverConnections: settings!.server_connections,
    databaseConnections: settings!.database_connections,
    seesAllActivity: settings!.sees_all_activity,
    applications: groups.map((group) => {
      const top = longestByApp.get(group.application_name);
      return {
        applicationName: group.application_name,
        ...parseApplicationName(group.application_name),
        total: group.total,
        active: group.active,
        idle: group.idle,
        idleInTransaction: group.idle_in_transaction,
        longest: top ? { durationMs: Math.round(top.duration_ms), state: top.state, query: top.query ?? "" } : null,
      };
    }),
  };
}

const SERVER_VIEW_TIMEOUT_MS = 2000;

/** Local snapshots and the server view; a failing server view is reported, not thrown. */
export async function collectPoolStats(): Promise<PoolStatsReport> {
  const local = localPoolSnapshots();
  let server: ServerView | null = null;
  let serverError: string | undefined;
  try {
    server = await withRole("admin", ({ sql }) => readServerView(sql), { signal: AbortSignal.timeout(SERVER_VIEW_TIMEOUT_MS) });
  } catch (error) {
    serverError = error instanceof Error ? error.message : String(error);
  }
  return { at: new Date().toISOString(), instance: instanceId(), local, server, ...(serverError ? { serverError } : {}) };
}

// A process singleton: the sampler runs from instrumentation, the API reads from a route — separate module instances.
function history(): { samples: RingBuffer<PoolSample>; last?: Observation } {
  return singleton("sluicePoolHistory", () => ({ samples: new RingBuffer<PoolSample>(HISTORY_CAPACITY) }));
}

/** One tick of the 15-minute history; new pool problems go to the recent-errors list. */
export function samplePools(now = Date.now()): Partial<Record<Role, PoolSnapshot>> {
  const local = localPoolSnapshots();
  const observation: Observation = { at: now, roles: local };
  const state = history();
  for (const problem of newProblems(state.last, observation)) recordRecentError(problem.source, problem.message, new Date(now));
  state.samples.push(toSample(state.last, observation));
  state.last = observation;
  return local;
}

/** Oldest first, at most 15 minutes. */
export function poolHistory(): PoolSample[] {
  return history().samples.toArray();
}
