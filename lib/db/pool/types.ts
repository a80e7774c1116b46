import "server-only";
import type { Sql } from "postgres";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { Logger } from "pino";
import type { Role } from "@/lib/db/roles";
import type { ConnectionCounters } from "@/lib/db/pool/connection-tracker";
import type { GateStats } from "@/lib/db/pool/gate";
import type { RowByteLimit } from "@/lib/db/pool/slot";

export interface RolePoolConfig {
  role: Role;
  directUrl: string;
  /** PgBouncer / Supavisor in transaction mode; falls back to directUrl when unreachable. */
  poolerUrl?: string;
  size: number;
  min: number;
  maxWaiting: number;
  acquireTimeoutMs: number;
  maxIdleS: number;
  reconnectTimeoutS: number;
  connectTimeoutS: number;
  /** A connection older than this is closed when it comes back (default 30 min); 0 keeps it. */
  maxLifetimeS?: number;
  /** How long a destroyed connection may take to close before its socket is cut (default 2 s). */
  discardTimeoutS?: number;
  mode: "pooled" | "direct";
  applicationName: string;
  log: Pick<Logger, "info" | "warn" | "error" | "debug">;
}

/** What a unit of work gets: one connection, held for the whole callback. */
export interface Unit {
  sql: Sql;
  db: PostgresJsDatabase;
  signal?: AbortSignal;
  /**
   * Stops whatever this unit runs on its connection: a CancelRequest if a statement is in
   * flight. The connection is destroyed when the unit ends, never handed to another unit, so a
   * cancel that arrives late can only hit this unit's own work. Aborting `signal` does the same.
   */
  cancel(): void;
  /**
   * Bounds the row data (DataRow bytes) the server may send before the next `reset()`: past
   * `maxBytes` the connection is cut at once, the unit counts as cancelled and `exceeded` is
   * called; the statement then fails. Memory stays bounded whatever one row holds.
   */
  limitRowBytes(maxBytes: number, exceeded: () => void): RowByteLimit;
  /** Whether cancel() was called or the signal aborted: the connection will be destroyed, not reused. */
  readonly cancelled: boolean;
}

export type PoolHealth = "healthy" | "reconnecting" | "down";

/** Why connections left the pool instead of going back to it. */
export interface DiscardCounters {
  /** The unit was cancelled or its caller went away. */
  cancelled: number;
  /** The unit failed with its connection not verifiably idle (mid-result, open transaction, lost). */
  dirty: number;
  /** The connection was from before an outage or a switch of target. */
  stale: number;
  /** Idle past DB_POOL_MAX_IDLE_S above the warm minimum, or past its lifetime. */
  idle: number;
  /** Destroyed connections whose socket had to be cut after the discard timeout. */
  forced: number;
}

export interface RolePoolStats extends GateStats {
  role: Role;
  min: number;
  mode: "pooled" | "direct";
  target: "direct" | "pooler";
  fallbackToDirect: boolean;
  health: PoolHealth;
  unhealthySince: string | null;
  applicationName: string;
  url: string;
  connections: ConnectionCounters;
  /** Connections open right now, from the pool's slots (≤ size). */
  connected: number;
  /** Units whose connection went back verified idle. */
  returnedClean: number;
  discarded: DiscardCounters;
  errors: number;
}
