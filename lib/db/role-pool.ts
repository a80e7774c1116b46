import postgres, { type Sql } from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { ApiError } from "../api/errors";
import type { Logger } from "../log";
import { ConnectionTracker, type ConnectionCounters } from "./connection-tracker";
import { isConnectError, isConnectionLevelError } from "./connection-errors";
import { PoolGate, GateError, type GateStats } from "./pool-gate";
import { recordPoolWait } from "../request-context";
import type { Role } from "./roles";
import { redactUrl } from "./roles";

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
  mode: "pooled" | "direct";
  applicationName: string;
  log: Logger;
}

/** What a unit of work gets: one connection, held for the whole callback. */
export interface Unit {
  sql: Sql;
  db: PostgresJsDatabase;
  signal?: AbortSignal;
}

export type PoolHealth = "healthy" | "reconnecting" | "down";

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
  errors: number;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

export class RolePool {
  private readonly gate: PoolGate;
  private readonly tracker: ConnectionTracker;
  /**
   * Two postgres.js clients share the role's connections: `core` holds the
   * `min` connections that never idle out, `burst` the rest, which close after
   * `maxIdleS`. postgres.js cannot close one chosen connection, so the split is
   * what keeps exactly `min` warm.
   */
  private core: Sql | null = null;
  private burst: Sql | null = null;
  private coreInUse = 0;
  private target: "direct" | "pooler";
  private fallbackToDirect = false;
  private health: PoolHealth = "healthy";
  private unhealthySince: number | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private warmTimer: NodeJS.Timeout | null = null;
  private errors = 0;
  private closing = false;

  constructor(private readonly config: RolePoolConfig) {
    this.gate = new PoolGate({ size: config.size, maxWaiting: config.maxWaiting, acquireTimeoutMs: config.acquireTimeoutMs });
    this.tracker = new ConnectionTracker((error) => this.onConnectionLost(error));
    this.target = config.poolerUrl ? "pooler" : "direct";
    if (config.mode === "pooled" && config.min > 0) {
      // Keep `min` connections warm: touch them well before the idle timeout would close them.
      const everyMs = Math.max(200, Math.min(30_000, (config.maxIdleS * 1000) / 3));
      this.warmTimer = setInterval(() => void this.warm(), everyMs);
      this.warmTimer.unref();
      queueMicrotask(() => void this.warm());
    }
  }

  get role(): Role {
    return this.config.role;
  }

  /** Runs `fn` on one connection of this role, behind the gate. */
  async run<T>(fn: (unit: Unit) => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    this.assertHealthy();
    const permit = await this.gate.acquire(options.signal).catch((error: unknown) => {
      throw this.toApiError(error);
    });
    recordPoolWait(permit.waitedMs);
    try {
      return await this.withConnection(fn, options.signal);
    } finally {
      permit.release();
    }
  }

  /** BEGIN … COMMIT on one connection; ROLLBACK on any error. */
  transaction<T>(fn: (unit: Unit) => Promise<T>, options: { signal?: AbortSignal; readOnly?: boolean } = {}): Promise<T> {
    return this.run(async (unit) => {
      await unit.sql.unsafe(options.readOnly ? "begin read only" : "begin");
      try {
        const result = await fn(unit);
        await unit.sql.unsafe("commit");
        return result;
      } catch (error) {
        await unit.sql.unsafe("rollback").catch(() => {});
        throw error;
      }
    }, options);
  }

  stats(): RolePoolStats {
    return {
      ...this.gate.stats(),
      role: this.config.role,
      min: this.config.min,
      mode: this.config.mode,
      target: this.target,
      fallbackToDirect: this.fallbackToDirect,
      health: this.health,
      unhealthySince: this.unhealthySince ? new Date(this.unhealthySince).toISOString() : null,
      applicationName: this.config.applicationName,
      url: redactUrl(this.currentUrl()),
      connections: { ...this.tracker.counters },
      errors: this.errors,
    };
  }

  async close(timeoutS = 5): Promise<void> {
    this.closing = true;
    this.gate.close();
    if (this.warmTimer) clearInterval(this.warmTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    await Promise.all([this.core?.end({ timeout: timeoutS }), this.burst?.end({ timeout: timeoutS })]);
    this.core = this.burst = null;
  }

  private async withConnection<T>(fn: (unit: Unit) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.config.mode === "direct") return this.withDirectConnection(fn, signal);
    const { reserved, client, release } = await this.reserve();
    try {
      return await fn({ sql: reserved, db: unitDrizzle(reserved, client), signal });
    } catch (error) {
      throw this.classify(error);
    } finally {
      release();
    }
  }

  /** The pre-pool behaviour: a fresh connection for every unit of work. */
  private async withDirectConnection<T>(fn: (unit: Unit) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const client = this.createClient(1, 0);
    try {
      await client`select 1`.catch((error: unknown) => {
        throw this.classify(error);
      });
      return await fn({ sql: client, db: drizzle(client), signal });
    } catch (error) {
      throw this.classify(error);
    } finally {
      await client.end({ timeout: 1 }).catch(() => {});
    }
  }

  /** One connection, from the core set while it has room, else from the burst set. Caller holds a gate permit. */
  private async reserve(): Promise<{ reserved: postgres.ReservedSql; client: Sql; release: () => void }> {
    try {
      return await this.reserveOnce();
    } catch (error) {
      if (this.target === "pooler" && isConnectError(error)) {
        this.switchToDirect(error);
        try {
          return await this.reserveOnce();
        } catch (retryError) {
          throw this.classify(retryError);
        }
      }
      throw this.classify(error);
    }
  }

  private async reserveOnce(): Promise<{ reserved: postgres.ReservedSql; client: Sql; release: () => void }> {
    const fromCore = this.coreInUse < this.config.min;
    const client = fromCore ? (this.core ??= this.createClient(this.config.min, 0)) : this.burstClient();
    if (fromCore) this.coreInUse++;
    let reserved: postgres.ReservedSql;
    try {
      reserved = await client.reserve();
    } catch (error) {
      if (fromCore) this.coreInUse--;
      throw error;
    }
    let released = false;
    return {
      reserved,
      client,
      release: () => {
        if (released) return;
        released = true;
        if (fromCore) this.coreInUse--;
        reserved.release();
      },
    };
  }

  private burstClient(): Sql {
    this.burst ??= this.createClient(Math.max(1, this.config.size - this.config.min), this.config.maxIdleS);
    return this.burst;
  }

  private currentUrl(): string {
    return this.target === "pooler" && this.config.poolerUrl ? this.config.poolerUrl : this.config.directUrl;
  }

  private createClient(max: number, idleTimeoutS: number): Sql {
    const viaPooler = this.target === "pooler";
    return postgres(this.currentUrl(), {
      max,
      idle_timeout: idleTimeoutS || undefined,
      connect_timeout: this.config.connectTimeoutS,
      // Without this postgres.js queues a query behind a busy connection's slow one.
      max_pipeline: 0,
      // Transaction-mode poolers cannot keep named prepared statements across transactions.
      prepare: !viaPooler,
      connection: { application_name: this.config.applicationName },
      socket: this.tracker.socketFactory,
      onnotice: () => {},
    } as postgres.Options<Record<string, postgres.PostgresType>>);
  }

  private switchToDirect(error: unknown): void {
    this.config.log.warn(
      { role: this.config.role, pooler: redactUrl(this.config.poolerUrl ?? ""), err: errorMessage(error) },
      "connection pooler unreachable; falling back to direct connections",
    );
    const old = [this.core, this.burst];
    this.core = this.burst = null;
    this.target = "direct";
    this.fallbackToDirect = true;
    for (const client of old) void client?.end({ timeout: 0 }).catch(() => {});
  }

  private async warm(): Promise<void> {
    // Only an idle pool needs warming: connections in use are warm by definition.
    if (this.health !== "healthy" || this.closing || this.gate.stats().inUse > 0) return;
    const permits = [];
    for (let i = 0; i < this.config.min; i++) {
      const permit = this.gate.tryAcquire();
      if (!permit) break;
      permits.push(permit);
    }
    // Reserving them all at once makes postgres.js hand out distinct connections.
    await Promise.all(
      permits.map(async (permit) => {
        try {
          const { reserved, release } = await this.reserve();
          try {
            await reserved`select 1`;
          } finally {
            release();
          }
        } catch {
          // Health handling happens in classify(); warming is best effort.
        } finally {
          permit.release();
        }
      }),
    );
  }

  private assertHealthy(): void {
    if (this.closing) throw new ApiError("unavailable", "the server is shutting down", undefined, { "Retry-After": "1" });
    if (this.health === "healthy") return;
    throw new ApiError(
      "unavailable",
      `the database is unreachable for role ${this.config.role}; reconnecting`,
      { role: this.config.role, since: this.unhealthySince ? new Date(this.unhealthySince).toISOString() : null },
      { "Retry-After": "2" },
    );
  }

  /** Turns driver and gate errors into what the API answers; marks the pool unhealthy on connection loss. */
  private classify(error: unknown): unknown {
    if (error instanceof ApiError) return error;
    if (isConnectionLevelError(error)) {
      this.markUnhealthy(error);
      return new ApiError("unavailable", `the database connection failed for role ${this.config.role}`, undefined, { "Retry-After": "2" });
    }
    this.errors++;
    return error;
  }

  private toApiError(error: unknown): unknown {
    if (!(error instanceof GateError)) return error;
    const retry = { "Retry-After": "1" };
    switch (error.reason) {
      case "saturated":
        return new ApiError("pool_saturated", `too many concurrent requests for the ${this.config.role} pool; retry shortly`, undefined, retry);
      case "timeout":
        return new ApiError("pool_timeout", `no ${this.config.role} connection became free in time; retry shortly`, undefined, retry);
      case "closed":
        return new ApiError("unavailable", "the server is shutting down", undefined, retry);
      case "aborted":
        return new ApiError("bad_request", "the request was aborted");
    }
  }

  private onConnectionLost(error: Error): void {
    if (!this.closing) this.config.log.warn({ role: this.config.role, err: error.message }, "database connection lost");
  }

  private markUnhealthy(error: unknown): void {
    if (this.closing || this.health !== "healthy") return;
    this.health = "reconnecting";
    this.unhealthySince = Date.now();
    this.config.log.error({ role: this.config.role, err: errorMessage(error) }, "database unreachable; reconnecting with backoff");
    this.scheduleProbe(0);
  }

  /** Retries with exponential backoff; after the reconnect timeout health reports down, but probing goes on. */
  private scheduleProbe(delayMs: number): void {
    this.probeTimer = setTimeout(async () => {
      if (this.closing) return;
      try {
        const probe = this.createClient(1, 0);
        try {
          await probe`select 1`;
        } finally {
          await probe.end({ timeout: 0 }).catch(() => {});
        }
        this.config.log.info({ role: this.config.role, downMs: Date.now() - (this.unhealthySince ?? Date.now()) }, "database reachable again");
        this.health = "healthy";
        this.unhealthySince = null;
        void this.warm();
      } catch (error) {
        if (this.target === "pooler" && isConnectError(error)) this.switchToDirect(error);
        const downForS = (Date.now() - (this.unhealthySince ?? Date.now())) / 1000;
        if (downForS > this.config.reconnectTimeoutS && this.health !== "down") {
          this.health = "down";
          this.config.log.error({ role: this.config.role, downForS }, "database still unreachable after the reconnect timeout");
        }
        this.scheduleProbe(Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, delayMs * 2)));
      }
    }, delayMs);
    this.probeTimer.unref();
  }
}

/**
 * Drizzle over one reserved connection. Drizzle reads the pool's type parsers
 * from `options`, which a reserved handle lacks, so it borrows the pool's.
 */
function unitDrizzle(reserved: postgres.ReservedSql, pool: Sql): PostgresJsDatabase {
  return drizzle(Object.assign(reserved, { options: pool.options }) as unknown as Sql);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
