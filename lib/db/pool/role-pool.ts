import "server-only";
import { ApiError } from "@/lib/core/errors";
import { recordPoolWait } from "@/lib/core/request-context";
import { redactUrl, type Role } from "@/lib/db/roles";
import { isConnectError, isConnectionLevelError, isServerError, isStatementFault } from "@/lib/db/pool/connection-errors";
import { ConnectionTracker } from "@/lib/db/pool/connection-tracker";
import { assertSupportedDriver } from "@/lib/db/pool/driver-check";
import { gateErrorToPoolError, isPoolError, PoolError } from "@/lib/db/pool/errors";
import { PoolGate, type Permit } from "@/lib/db/pool/gate";
import { PoolHealthState } from "@/lib/db/pool/health";
import { Loan } from "@/lib/db/pool/loan";
import type { Slot } from "@/lib/db/pool/slot";
import { PoolTarget } from "@/lib/db/pool/target";
import { SlotSet, type Ending } from "@/lib/db/pool/slot-set";
import type { RolePoolConfig, RolePoolStats, Unit } from "@/lib/db/pool/types";

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

export class RolePool {
  private readonly gate: PoolGate;
  private readonly tracker: ConnectionTracker;
  private readonly slots: SlotSet;
  private readonly health: PoolHealthState;
  private readonly target: PoolTarget;
  private upkeepTimer: NodeJS.Timeout | null = null;
  private errors = 0;
  private closing = false;

  constructor(private readonly config: RolePoolConfig) {
    assertSupportedDriver();
    this.gate = new PoolGate({ size: config.size, maxWaiting: config.maxWaiting, acquireTimeoutMs: config.acquireTimeoutMs });
    this.tracker = new ConnectionTracker((error) => {
      if (!this.closing) config.log.warn({ role: config.role, err: error.message }, "database connection lost");
    });
    this.target = new PoolTarget(config);
    this.slots = new SlotSet(this.tracker, {
      size: config.size,
      direct: config.mode === "direct",
      maxLifetimeS: config.maxLifetimeS ?? 1800,
      discardTimeoutS: config.discardTimeoutS ?? 2,
      settings: () => this.target.settings(),
      onConnectFailure: (error) => {
        if (this.target.current !== "pooler" || !isConnectError(error)) return false;
        this.switchToDirect(error);
        return true;
      },
      onReturnFailure: (error) => config.log.error({ role: config.role, err: errorMessage(error) }, "could not return a connection to the pool"),
    });
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
  async run<T>(fn: (unit: Unit) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T> {
    this.assertHealthy();
    const signal = options?.signal;
    // A free permit is taken without waiting (and without a promise): the common case.
    const permit = (!signal?.aborted && this.gate.tryAcquire()) || (await this.waitForPermit(signal));
    recordPoolWait(permit.waitedMs);
    const slot = this.slots.take();
    const loan = new Loan(slot, signal);
    let ended: Ending = "failed";
    try {
      if (signal?.aborted) throw new PoolError("aborted", "the request was aborted");
      if (this.target.claimRetry()) void this.retryPooler();
      if (!this.slots.isReady(slot)) await this.slots.prepare(slot);
      signal?.addEventListener("abort", loan, { once: true });
      const result = await fn(loan);
      ended = "ok";
      return result;
    } catch (error) {
      // The server refused the statement, or our code refused deliberately (an ApiError): the
      // session is as it was, and the wire says whether the protocol is too.
      if (isServerError(error) || error instanceof ApiError) ended = "server-error";
      if (isPoolError(error, "aborted")) ended = "ok";
      throw this.classify(error, slot);
    } finally {
      loan.end();
      // The permit is free once the connection is back (or closed): a caller that sees its
      // unit finish sees the pool's stats already settled.
      const returning = this.slots.giveBack(slot, permit, ended);
      if (returning) await returning;
    }
  }

  private async waitForPermit(signal: AbortSignal | undefined): Promise<Permit> {
    try {
      return await this.gate.acquire(signal);
    } catch (error) {
      throw gateErrorToPoolError(error, this.config.role);
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
      target: this.target.current,
      fallbackToDirect: this.target.fallbackToDirect,
      health: this.health.current,
      unhealthySince: since ? new Date(since).toISOString() : null,
      applicationName: this.config.applicationName,
      url: redactUrl(this.target.url),
      connections: { ...this.tracker.counters },
      connected: this.slots.connected,
      returnedClean: this.slots.returnedClean,
      discarded: { ...this.slots.discarded },
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
    while (!this.slots.allFree && Date.now() < deadline) await sleep(20);
    await this.slots.closeAll();
  }

  /** Background work: never competes with requests for a permit (tryAcquire only). */
  private async upkeep(): Promise<void> {
    if (this.closing || this.health.current !== "healthy" || this.config.mode !== "pooled") return;
    const now = Date.now();
    let connected = this.slots.connected;
    for (const slot of this.slots.freeSlots()) {
      const stale = this.slots.isStale(slot);
      const idleTooLong = slot.connected && connected > this.config.min && now - slot.idleSince > this.config.maxIdleS * 1000;
      if (!stale && !idleTooLong) continue;
      const permit = this.gate.tryAcquire();
      if (!permit) return;
      if (!this.slots.takeThis(slot)) {
        permit.release();
        continue;
      }
      if (slot.connected) connected--;
      await this.slots.retire(slot, permit, stale ? "stale" : "idle");
    }
    // Warm up to `min` connections, all at once so that each lands on its own slot.
    const missing = Math.max(0, this.config.min - this.slots.connected);
    const loans: Array<{ slot: Slot; permit: Permit }> = [];
    for (let i = 0; i < missing; i++) {
      const permit = this.gate.tryAcquire();
      if (!permit) break;
      loans.push({ slot: this.slots.take({ unconnected: true }), permit });
    }
    await Promise.all(loans.map(({ slot, permit }) => this.openAndReturn(slot, permit).catch((error: unknown) => this.classify(error, slot))));
  }

  /** Connects a taken slot (if it needs it) and gives it back: warming and probing. */
  private async openAndReturn(slot: Slot, permit: Permit): Promise<void> {
    let ended: Ending = "failed";
    try {
      await this.slots.prepare(slot);
      ended = "ok";
    } finally {
      await this.slots.giveBack(slot, permit, ended);
    }
  }

  /**
   * One recovery probe, on a slot of the pool's own (so a probe is never a connection above
   * the pool's size). A success starts a new generation: every connection from before the
   * outage is stale and is destroyed rather than reused.
   */
  private async probe(): Promise<void> {
    const permit = this.gate.tryAcquire();
    if (!permit) throw new Error("no free slot to probe with");
    this.slots.generation++;
    try {
      await this.openAndReturn(this.slots.take(), permit);
    } catch (error) {
      if (this.target.current === "pooler" && isConnectError(error)) this.switchToDirect(error);
      throw error;
    }
  }

  /**
   * After a fallback, one free slot tries the pooler (under a permit: never a connection above
   * the pool's size); when it answers, a new generation moves every connection back to it as it
   * is next used.
   */
  private async retryPooler(): Promise<void> {
    if (this.closing || this.health.current !== "healthy") return;
    const permit = this.gate.tryAcquire();
    if (!permit) return;
    const slot = this.slots.take();
    let ended: Ending = "failed";
    try {
      if (slot.hasClient) await slot.discard(this.config.discardTimeoutS ?? 2);
      const generation = this.slots.generation + 1;
      slot.open(this.target.settings("pooler"), generation);
      await slot.sql`select 1`;
      if (!this.target.fallbackToDirect || this.closing) return;
      this.target.backToPooler();
      this.slots.generation = generation;
      ended = "ok";
      this.config.log.info(
        { role: this.config.role, pooler: redactUrl(this.config.poolerUrl ?? "") },
        "connection pooler reachable again; back to it",
      );
    } catch {
      // Still unreachable: stay direct, try again later.
    } finally {
      await this.slots.giveBack(slot, permit, ended);
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
      if (slot.generation === this.slots.generation && this.health.markUnhealthy()) {
        this.config.log.error({ role: this.config.role, err: errorMessage(error) }, "database unreachable; reconnecting with backoff");
      }
      return new PoolError("unavailable", `the database connection failed for role ${this.config.role}`, 2);
    }
    // The caller's own statement errors (syntax, bad values, its timeout) are not pool errors.
    if (!slot.cancelled && !isStatementFault(error)) this.errors++;
    return error;
  }

  private switchToDirect(error: unknown): void {
    if (!this.target.fallBack()) return;
    this.config.log.warn(
      { role: this.config.role, pooler: redactUrl(this.config.poolerUrl ?? ""), err: errorMessage(error) },
      "connection pooler unreachable; falling back to direct connections",
    );
    this.slots.generation++;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
