import postgres, { type Sql } from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { ApiError } from "@/lib/core/errors";
import type { Logger } from "@/lib/core/log";
import { ConnectionTracker, type ConnectionCounters } from "@/lib/db/connection-tracker";
import { isConnectError, isConnectionLevelError } from "@/lib/db/connection-errors";
import { PoolGate, GateError, type GateStats } from "@/lib/db/pool-gate";
import { recordPoolWait } from "@/lib/core/request-context";
import type { Role } from "@/lib/db/roles";
import { redactUrl } from "@/lib/db/roles";

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
  /**
   * After an outage the pool starts over with fresh clients; units still on the old
   * ones get this long to finish before their connections are destroyed. Default 60.
   */
  retiredGraceS?: number;
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
/** postgres.js's own reconnect delay, in seconds, after `attempt` failed connects of a client (its default grows to 20 s). */
const DRIVER_BACKOFF_S = (attempt: number) => Math.min(0.05 * 2 ** attempt, 1);
/** How much longer than the connect timeout a unit may wait for postgres.js to hand it a connection. */
const RESERVE_MARGIN_MS = 2000;

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
  /** Units holding a connection, per client: how a retired client knows when it can be ended. */
  private readonly holders = new Map<Sql, number>();
  /** Clients replaced after an outage, with the deadline timer for the units still on them. */
  private readonly retired = new Map<Sql, NodeJS.Timeout>();
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
    const retired = [...this.retired.keys()];
    for (const timer of this.retired.values()) clearTimeout(timer);
    this.retired.clear();
    await Promise.all([this.core?.end({ timeout: timeoutS }), this.burst?.end({ timeout: timeoutS }), ...retired.map((c) => c.end({ timeout: timeoutS }))]);
    this.core = this.burst = null;
  }

  private async withConnection<T>(fn: (unit: Unit) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.config.mode === "direct") return this.withDirectConnection(fn, signal);
    const { reserved, client, release } = await this.reserve();
    try {
      return await fn({ sql: reserved, db: unitDrizzle(reserved, client), signal });
    } catch (error) {
      throw this.classify(error, client);
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
    this.hold(client, 1);
    // Counted against the core set only while that client is the current one (see retireClients()).
    const done = () => {
      if (fromCore && client === this.core) this.coreInUse--;
      this.hold(client, -1);
    };
    let reserved: postgres.ReservedSql;
    try {
      reserved = await this.reserveWithin(client);
    } catch (error) {
      done();
      // A client replaced meanwhile says nothing about the server now: no health change.
      if (!this.isCurrent(client)) throw this.unavailable();
      throw error;
    }
    let released = false;
    return {
      reserved,
      client,
      release: () => {
        if (released) return;
        released = true;
        reserved.release();
        done();
      },
    };
  }

  /**
   * client.reserve(), but never an endless wait: the gate keeps units within the
   * pool's size, so a unit only waits for a connection to be opened, which takes
   * at most the connect timeout. Past that the client cannot produce one (and
   * postgres.js has no timeout of its own): the unit fails as a connection error
   * and frees its permit; a connection that arrives later is given straight back.
   */
  private reserveWithin(client: Sql): Promise<postgres.ReservedSql> {
    const limitMs = this.config.connectTimeoutS * 1000 + RESERVE_MARGIN_MS;
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(Object.assign(new Error(`no ${this.config.role} connection within ${limitMs} ms`), { code: "CONNECT_TIMEOUT" }));
      }, limitMs);
      client.reserve().then(
        (reserved) => {
          clearTimeout(timer);
          if (timedOut) reserved.release();
          else resolve(reserved);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private hold(client: Sql, delta: 1 | -1): void {
    const count = (this.holders.get(client) ?? 0) + delta;
    if (count > 0) {
      this.holders.set(client, count);
      return;
    }
    this.holders.delete(client);
    if (this.retired.has(client)) this.endRetired(client);
  }

  /** False once a client was replaced (after an outage, or by the fallback to direct connections). */
  private isCurrent(client: Sql): boolean {
    return client === this.core || client === this.burst;
  }

  /**
   * Starts the pool over with fresh clients once the server is back after an
   * outage. The old ones went through the outage: connections that died or are
   * half reconnected, postgres.js's reconnect backoff, possibly state no patch
   * foresaw. None of that may follow the pool into recovery, nor hold a unit's
   * permit forever: each old client is ended when its last unit finishes, or
   * after retiredGraceS, whichever comes first.
   */
  private retireClients(): void {
    const old = [this.core, this.burst];
    this.core = this.burst = null;
    this.coreInUse = 0;
    for (const client of old) {
      if (!client) continue;
      if (!this.holders.has(client)) {
        void client.end({ timeout: 0 }).catch(() => {});
        continue;
      }
      const timer = setTimeout(() => this.endRetired(client), (this.config.retiredGraceS ?? 60) * 1000);
      timer.unref();
      this.retired.set(client, timer);
    }
  }

  private endRetired(client: Sql): void {
    clearTimeout(this.retired.get(client));
    this.retired.delete(client);
    void client.end({ timeout: 0 }).catch(() => {});
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
      // The pool's health probe is the outage backoff; the driver's own only delays recovery.
      backoff: DRIVER_BACKOFF_S,
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
    // Units still on the old core client no longer count against the new one (see reserveOnce()).
    this.coreInUse = 0;
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

  /**
   * Turns driver and gate errors into what the API answers; marks the pool
   * unhealthy on connection loss, unless the connection belonged to a client
   * already replaced (the outage it reports is over, or being handled).
   */
  private classify(error: unknown, client?: Sql): unknown {
    if (error instanceof ApiError) return error;
    if (isConnectionLevelError(error)) {
      if (!client || this.isCurrent(client)) this.markUnhealthy(error);
      return this.unavailable();
    }
    this.errors++;
    return error;
  }

  private unavailable(): ApiError {
    return new ApiError("unavailable", `the database connection failed for role ${this.config.role}`, undefined, { "Retry-After": "2" });
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
        this.retireClients();
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
