import "server-only";
import { recordPoolWait } from "@/lib/core/request-context";
import { redactUrl, type Role } from "@/lib/db/roles";
import { isConnectError, isConnectionLevelError, isServerError, isStatementFault } from "@/lib/db/pool/connection-errors";
import { ConnectionTracker } from "@/lib/db/pool/connection-tracker";
import { assertSupportedDriver } from "@/lib/db/pool/driver-check";
import { isPoolError, PoolError } from "@/lib/db/pool/errors";
import { GateError, PoolGate, type Permit } from "@/lib/db/pool/gate";
import { PoolHealthState } from "@/lib/db/pool/health";
import { Slot, type ClientSettings } from "@/lib/db/pool/slot";
import type { DiscardCounters, RolePoolConfig, RolePoolStats, Unit } from "@/lib/db/pool/types";

/*
 * THE RETURN CONTRACT. A unit of work borrows one connection for its whole callback and gives
 * it back in one of two ways, never a third:
 *
 *  - clean: the unit ended and the connection is verifiably idle — the last message from the
 *    server was ReadyForQuery with status 'I' (outside any transaction) and nothing was sent
 *    since (wire-state.ts), no cancel was ever sent for it, it is of the pool's current
 *    generation (not from before an outage or a switch of target) and younger than its
 *    lifetime. Such a connection serves the next unit as it is.
 *  - destroyed: anything else — the caller went away, the unit was cancelled or timed out, it
 *    failed mid-result or with a cursor open, left a transaction open, its connection broke, or
 *    its state cannot be read (TLS, and the unit failed). A statement still running is
 *    cancelled (the cancel can only hit this connection's own work: nothing else will ever run
 *    on it), the backend is told to exit, and the slot's permit is held until the socket has
 *    closed. Only then may the slot open a new connection: a role never has more connections
 *    than its pool has slots.
 *
 * What a rollback keeps (session advisory locks, session settings) is the caller's to undo on
 * the clean path — the SQL sandbox scrubs its connection — or the unit must fail, so that its
 * connection is destroyed. Units that cancel call unit.cancel(); nobody else sends cancels.
 */

/** After a fallback to the direct host, how often the pooler is tried again. */
const POOLER_RETRY_MS = 5000;

/** How a unit ended, for the return verdict (Slot.verdict()). */
type Ending = "ok" | "server-error" | "failed";

/** A unit the pool is lending, with what it needs to take the connection back. */
interface Loan {
  slot: Slot;
  permit: Permit;
}

export class RolePool {
  private readonly gate: PoolGate;
  private readonly tracker: ConnectionTracker;
  private readonly slots: Slot[];
  /** Slots not lent out; the most recently returned last, so the least used ones can idle out. */
  private readonly free: Slot[];
  private readonly health: PoolHealthState;
  /** Bumped on recovery and on a switch of target: connections of an older generation are stale. */
  private generation = 0;
  private target: "direct" | "pooler";
  private fallbackToDirect = false;
  /** After a fallback to the direct host: when to try the pooler again (retryPooler()). */
  private poolerRetryAt = 0;
  private upkeepTimer: NodeJS.Timeout | null = null;
  private errors = 0;
  private returnedClean = 0;
  private readonly discarded: DiscardCounters = { cancelled: 0, dirty: 0, stale: 0, idle: 0, forced: 0 };
  private closing = false;

  constructor(private readonly config: RolePoolConfig) {
    assertSupportedDriver();
    this.gate = new PoolGate({ size: config.size, maxWaiting: config.maxWaiting, acquireTimeoutMs: config.acquireTimeoutMs });
    this.tracker = new ConnectionTracker((error) => {
      if (!this.closing) config.log.warn({ role: config.role, err: error.message }, "database connection lost");
    });
    this.slots = Array.from({ length: config.size }, () => new Slot(this.tracker));
    this.free = [...this.slots];
    this.target = config.poolerUrl ? "pooler" : "direct";
    this.health = new PoolHealthState({
      reconnectTimeoutS: config.reconnectTimeoutS,
      probe: () => this.probe(),
      onDown: (downForS) => config.log.error({ role: config.role, downForS }, "database still unreachable after the reconnect timeout"),
      onRecovered: (downMs) => {
        config.log.info({ role: config.role, downMs }, "database reachable again");
        void this.upkeep();
      },
    });
    if (config.mode === "pooled") {
      // Keeps `min` connections warm and closes the ones idle past maxIdleS.
      const everyMs = Math.max(200, Math.min(30_000, (config.maxIdleS * 1000) / 3));
      this.upkeepTimer = setInterval(() => void this.upkeep(), everyMs);
      this.upkeepTimer.unref();
      queueMicrotask(() => void this.upkeep());
    }
  }

  get role(): Role {
    return this.config.role;
  }

  /** Runs `fn` on one connection of this role, behind the gate. */
  async run<T>(fn: (unit: Unit) => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    this.assertHealthy();
    const { signal } = options;
    const permit = await this.gate.acquire(signal).catch((error: unknown) => {
      throw toPoolError(error, this.config.role);
    });
    recordPoolWait(permit.waitedMs);
    const loan = { slot: this.takeSlot(), permit };
    const { slot } = loan;
    const onAbort = () => slot.cancel();
    let ended: Ending = "failed";
    try {
      if (signal?.aborted) throw new PoolError("aborted", "the request was aborted");
      await this.prepare(slot);
      signal?.addEventListener("abort", onAbort, { once: true });
      const result = await fn({
        sql: slot.sql,
        db: slot.db,
        signal,
        cancel: () => slot.cancel(),
        get cancelled() {
          return slot.cancelled;
        },
      });
      ended = "ok";
      return result;
    } catch (error) {
      if (isServerError(error)) ended = "server-error";
      throw this.classify(error, slot);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // The permit is free once the connection is back (or closed): a caller that sees its
      // unit finish sees the pool's stats already settled.
      await this.giveBack(loan, ended);
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
        // If this fails too, the connection is left in a transaction and is destroyed.
        await unit.sql.unsafe("rollback").catch(() => {});
        throw error;
      }
    }, options);
  }

  stats(): RolePoolStats {
    const since = this.health.unhealthySince;
    return {
      ...this.gate.stats(),
      role: this.config.role,
      min: this.config.min,
      mode: this.config.mode,
      target: this.target,
      fallbackToDirect: this.fallbackToDirect,
      health: this.health.current,
      unhealthySince: since ? new Date(since).toISOString() : null,
      applicationName: this.config.applicationName,
      url: redactUrl(this.currentUrl()),
      connections: { ...this.tracker.counters },
      connected: this.slots.filter((s) => s.connected).length,
      returnedClean: this.returnedClean,
      discarded: { ...this.discarded },
      errors: this.errors,
    };
  }

  /** Refuses new units, waits up to `timeoutS` for the lent ones, then closes every connection. */
  async close(timeoutS = 5): Promise<void> {
    this.closing = true;
    this.gate.close();
    this.health.stop();
    if (this.upkeepTimer) clearInterval(this.upkeepTimer);
    const deadline = Date.now() + timeoutS * 1000;
    while (this.free.length < this.slots.length && Date.now() < deadline) await sleep(20);
    await Promise.all(this.slots.map((slot) => slot.discard(0)));
  }

  /** A free slot, connected ones first (most recently returned). The caller holds a permit. */
  private takeSlot(): Slot {
    let index = -1;
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.connected) {
        index = i;
        break;
      }
    }
    if (index === -1) index = this.free.length - 1;
    const [slot] = this.free.splice(index, 1);
    // The gate hands out at most `size` permits and every permit holds at most one slot.
    if (!slot) throw new Error(`${this.config.role} pool: a permit without a free slot`);
    return slot;
  }

  /**
   * Makes the slot's connection fit for a unit: a stale or closed one is destroyed, a missing
   * one opened — eagerly, so that a connect failure happens before the unit's own work (and a
   * dead pooler can be swapped for the direct host without the unit noticing).
   */
  private async prepare(slot: Slot): Promise<void> {
    if (this.fallbackToDirect && Date.now() >= this.poolerRetryAt) void this.retryPooler();
    if (slot.hasClient && (slot.generation !== this.generation || (slot.connectedAt > 0 && !slot.connected))) {
      if (slot.generation !== this.generation) this.discarded.stale++;
      await slot.discard(this.discardTimeoutS());
    }
    if (slot.hasClient) return;
    slot.open(this.clientSettings(), this.generation);
    try {
      await slot.sql`select 1`;
    } catch (error) {
      if (this.target !== "pooler" || !isConnectError(error)) throw error;
      this.switchToDirect(error);
      await slot.discard(0);
      slot.open(this.clientSettings(), this.generation);
      await slot.sql`select 1`;
    }
  }

  /** The return contract (top of this file): back to the free slots clean, or destroyed first. */
  private async giveBack({ slot, permit }: Loan, ended: Ending): Promise<void> {
    try {
      // postgres.js flushes its writes on the next turn of the event loop: let it, so that a
      // query the unit started but did not await shows up as bytes on the wire.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const verdict = slot.verdict(ended, {
        currentGeneration: this.generation,
        maxLifetimeS: this.config.maxLifetimeS ?? 1800,
        direct: this.config.mode === "direct",
      });
      if (verdict === "clean") {
        this.returnedClean++;
        slot.idleSince = Date.now();
        return;
      }
      if (verdict !== "direct") this.discarded[verdict]++;
      if (await slot.discard(this.discardTimeoutS())) this.discarded.forced++;
    } catch (error) {
      this.config.log.error({ role: this.config.role, err: errorMessage(error) }, "could not return a connection to the pool");
    } finally {
      this.free.push(slot);
      permit.release();
    }
  }

  /** Background work: never competes with requests for a permit (tryAcquire only). */
  private async upkeep(): Promise<void> {
    if (this.closing || this.health.current !== "healthy" || this.config.mode !== "pooled") return;
    const now = Date.now();
    let connected = this.slots.filter((s) => s.connected).length;
    for (const slot of [...this.free]) {
      const stale = slot.hasClient && slot.generation !== this.generation;
      const idleTooLong = slot.connected && connected > this.config.min && now - slot.idleSince > this.config.maxIdleS * 1000;
      if (!stale && !idleTooLong) continue;
      const permit = this.gate.tryAcquire();
      if (!permit) return;
      const index = this.free.indexOf(slot);
      if (index === -1) {
        permit.release();
        continue;
      }
      this.free.splice(index, 1);
      if (slot.connected) connected--;
      this.discarded[stale ? "stale" : "idle"]++;
      try {
        if (await slot.discard(this.discardTimeoutS())) this.discarded.forced++;
      } finally {
        this.free.push(slot);
        permit.release();
      }
    }
    // Warm up to `min` connections, all at once so that each lands on its own slot.
    const missing = Math.max(0, this.config.min - this.slots.filter((s) => s.connected).length);
    const loans: Loan[] = [];
    for (let i = 0; i < missing; i++) {
      const permit = this.gate.tryAcquire();
      if (!permit) break;
      loans.push({ slot: this.takeSlot(), permit });
    }
    await Promise.all(
      loans.map(async (loan) => {
        let ended: Ending = "failed";
        try {
          await this.prepare(loan.slot);
          ended = "ok";
        } catch (error) {
          this.classify(error, loan.slot);
        } finally {
          await this.giveBack(loan, ended);
        }
      }),
    );
  }

  /**
   * One recovery probe, on a slot of the pool's own (so a probe is never a connection above
   * the pool's size). A success starts a new generation: every connection from before the
   * outage is stale and is destroyed rather than reused.
   */
  private async probe(): Promise<void> {
    const permit = this.gate.tryAcquire();
    if (!permit) throw new Error("no free slot to probe with");
    const loan = { slot: this.takeSlot(), permit };
    this.generation++;
    let ended: Ending = "failed";
    try {
      await this.prepare(loan.slot);
      ended = "ok";
    } catch (error) {
      if (this.target === "pooler" && isConnectError(error)) this.switchToDirect(error);
      throw error;
    } finally {
      await this.giveBack(loan, ended);
    }
  }

  private assertHealthy(): void {
    if (this.closing) throw new PoolError("closed", "the server is shutting down", 1);
    if (this.health.current === "healthy") return;
    const since = this.health.unhealthySince;
    throw new PoolError("unavailable", `the database is unreachable for role ${this.config.role}; reconnecting`, 2, {
      role: this.config.role,
      since: since ? new Date(since).toISOString() : null,
    });
  }

  /**
   * Turns what a unit threw into what the pool reports: a connection failure, whatever wraps it,
   * is "unavailable" and starts the health probe — unless the connection was of an older
   * generation (the outage it reports is over, or being handled). A cancelled unit's error is
   * the caller's doing, not a pool error.
   */
  private classify(error: unknown, slot: Slot): unknown {
    if (isPoolError(error)) return error;
    if (isConnectionLevelError(error) && !slot.cancelled) {
      if (slot.generation === this.generation && this.health.markUnhealthy()) {
        this.config.log.error({ role: this.config.role, err: errorMessage(error) }, "database unreachable; reconnecting with backoff");
      }
      return new PoolError("unavailable", `the database connection failed for role ${this.config.role}`, 2);
    }
    // The caller's own statement errors (syntax, bad values, its timeout) are not pool errors.
    if (!slot.cancelled && !isStatementFault(error)) this.errors++;
    return error;
  }

  private switchToDirect(error: unknown): void {
    if (this.target === "direct") return;
    this.config.log.warn(
      { role: this.config.role, pooler: redactUrl(this.config.poolerUrl ?? ""), err: errorMessage(error) },
      "connection pooler unreachable; falling back to direct connections",
    );
    this.target = "direct";
    this.fallbackToDirect = true;
    this.poolerRetryAt = Date.now() + POOLER_RETRY_MS;
    this.generation++;
  }

  /**
   * A pooler that was unreachable for a moment (a PgBouncer restart) must not leave the role on
   * the direct host for the rest of the process's life, bypassing the pooler the deployment
   * sized its connections for. Every POOLER_RETRY_MS while units run, one free slot tries the
   * pooler; when it answers, a new generation moves every connection back to it as it is next
   * used. The try holds a permit, so it is never a connection above the pool's size.
   */
  private async retryPooler(): Promise<void> {
    this.poolerRetryAt = Date.now() + POOLER_RETRY_MS;
    if (this.closing || !this.config.poolerUrl || this.health.current !== "healthy") return;
    const permit = this.gate.tryAcquire();
    if (!permit) return;
    const loan = { slot: this.takeSlot(), permit };
    let ended: Ending = "failed";
    try {
      if (loan.slot.hasClient) await loan.slot.discard(this.discardTimeoutS());
      const generation = this.generation + 1;
      loan.slot.open(
        { url: this.config.poolerUrl, connectTimeoutS: this.config.connectTimeoutS, prepare: false, applicationName: this.config.applicationName },
        generation,
      );
      await loan.slot.sql`select 1`;
      if (!this.fallbackToDirect || this.closing) return;
      this.target = "pooler";
      this.fallbackToDirect = false;
      this.generation = generation;
      ended = "ok";
      this.config.log.info({ role: this.config.role, pooler: redactUrl(this.config.poolerUrl) }, "connection pooler reachable again; back to it");
    } catch {
      // Still unreachable: stay direct, try again later.
    } finally {
      await this.giveBack(loan, ended);
    }
  }

  private clientSettings(): ClientSettings {
    const viaPooler = this.target === "pooler";
    return {
      url: this.currentUrl(),
      connectTimeoutS: this.config.connectTimeoutS,
      // Transaction-mode poolers cannot keep named prepared statements across transactions.
      prepare: !viaPooler,
      applicationName: this.config.applicationName,
    };
  }

  private currentUrl(): string {
    return this.target === "pooler" && this.config.poolerUrl ? this.config.poolerUrl : this.config.directUrl;
  }

  private discardTimeoutS(): number {
    return this.config.discardTimeoutS ?? 2;
  }
}

function toPoolError(error: unknown, role: Role): unknown {
  if (!(error instanceof GateError)) return error;
  switch (error.reason) {
    case "saturated":
      return new PoolError("saturated", `too many concurrent requests for the ${role} pool; retry shortly`, 1);
    case "timeout":
      return new PoolError("timeout", `no ${role} connection became free in time; retry shortly`, 1);
    case "closed":
      return new PoolError("closed", "the server is shutting down", 1);
    case "aborted":
      return new PoolError("aborted", "the request was aborted");
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
