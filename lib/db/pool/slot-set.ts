import "server-only";
import type { ConnectionTracker } from "@/lib/db/pool/connection-tracker";
import type { Permit } from "@/lib/db/pool/gate";
import { Slot, type ClientSettings, type Verdict } from "@/lib/db/pool/slot";
import type { DiscardCounters } from "@/lib/db/pool/types";

/**
 * The pool's slots and the return contract's bookkeeping (the contract itself is written at the
 * top of role-pool.ts): which slots are free, the generation a connection must belong to, how a
 * slot is made fit for a unit, and how it comes back — clean, or destroyed first. The caller
 * always holds a gate permit for a slot it has taken, and gets it released here.
 */

/** How a unit ended, for the return verdict (Slot.verdict()). */
export type Ending = "ok" | "server-error" | "failed";

export interface SlotSetOptions {
  size: number;
  direct: boolean;
  maxLifetimeS: number;
  discardTimeoutS: number;
  /** Where and how a new connection connects (it changes when the pooler is given up). */
  settings: () => ClientSettings;
  /** A new connection could not connect: returns true when it switched target, so one retry is worth it. */
  onConnectFailure: (error: unknown) => boolean;
  onReturnFailure: (error: unknown) => void;
}

export class SlotSet {
  readonly all: Slot[];
  /** Slots not lent out; the most recently returned last, so the least used ones can idle out. */
  private readonly free: Slot[];
  /** Bumped on recovery and on a switch of target: connections of an older generation are stale. */
  generation = 0;
  returnedClean = 0;
  readonly discarded: DiscardCounters = { cancelled: 0, dirty: 0, stale: 0, idle: 0, forced: 0 };

  constructor(
    tracker: ConnectionTracker,
    private readonly options: SlotSetOptions,
  ) {
    this.all = Array.from({ length: options.size }, () => new Slot(tracker));
    this.free = [...this.all];
  }

  get connected(): number {
    return this.all.filter((slot) => slot.connected).length;
  }

  get allFree(): boolean {
    return this.free.length === this.all.length;
  }

  /** Free slots, for upkeep to look at (take one with `takeThis`). */
  freeSlots(): readonly Slot[] {
    return [...this.free];
  }

  isStale(slot: Slot): boolean {
    return slot.hasClient && slot.generation !== this.generation;
  }

  /**
   * A free slot, connected ones first (most recently returned) — or, for warming, one without a
   * connection. The caller holds a permit.
   */
  take(options: { unconnected?: boolean } = {}): Slot {
    let index = -1;
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.connected !== Boolean(options.unconnected)) {
        index = i;
        break;
      }
    }
    if (index === -1) index = this.free.length - 1;
    // The gate hands out at most `size` permits and every permit holds at most one slot.
    if (index === -1) throw new Error("a pool permit without a free slot");
    // Mostly the last one (the most recently returned): taken without splice's new array.
    return index === this.free.length - 1 ? this.free.pop()! : this.free.splice(index, 1)[0]!;
  }

  /** That free slot, or false when a unit took it meanwhile. */
  takeThis(slot: Slot): boolean {
    const index = this.free.indexOf(slot);
    if (index === -1) return false;
    this.free.splice(index, 1);
    return true;
  }

  /** Whether the slot's connection is fit for a unit as it is (prepare() would do nothing). */
  isReady(slot: Slot): boolean {
    return slot.hasClient && slot.generation === this.generation && !(slot.connectedAt > 0 && !slot.connected);
  }

  /**
   * Makes the slot's connection fit for a unit: a stale or closed one is destroyed, a missing
   * one opened — eagerly, so that a connect failure happens before the unit's own work (and a
   * dead pooler can be swapped for the direct host without the unit noticing).
   */
  async prepare(slot: Slot): Promise<void> {
    if (slot.hasClient && !this.isReady(slot)) {
      if (this.isStale(slot)) this.discarded.stale++;
      await slot.discard(this.options.discardTimeoutS);
    }
    if (slot.hasClient) return;
    slot.open(this.options.settings(), this.generation);
    try {
      await slot.sql`select 1`;
    } catch (error) {
      if (!this.options.onConnectFailure(error)) throw error;
      await slot.discard(0);
      slot.open(this.options.settings(), this.generation);
      await slot.sql`select 1`;
    }
  }

  /**
   * The return contract: back to the free slots clean, or destroyed first; then the permit is
   * free. Synchronous when the connection goes back clean at once (the common case: no promise,
   * no turn); otherwise the promise of the rest.
   */
  giveBack(slot: Slot, permit: Permit, ended: Ending): Promise<void> | undefined {
    // Synchronously, in the turn the unit ended: the wire as the unit left it.
    slot.endOfUnit();
    // postgres.js writes its buffer on the next turn of the event loop. A statement the unit
    // started without awaiting it (or queued behind its last one) has been staged there by
    // now — the driver stages it a microtask after the start, and the unit's own promise
    // settled after that — and the slot knows when anything is staged: then let postgres.js
    // write it, so that it shows up as bytes on the wire. Otherwise the wire is the whole
    // story, and the connection goes back without being held a turn longer.
    if (slot.driverMayHoldBytes) return this.settleNextTurn(slot, permit, ended);
    return this.settle(slot, permit, ended);
  }

  private async settleNextTurn(slot: Slot, permit: Permit, ended: Ending): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.settle(slot, permit, ended);
  }

  /** The verdict, then the slot back to the free ones — after closing its connection unless clean. */
  private settle(slot: Slot, permit: Permit, ended: Ending): Promise<void> | undefined {
    let verdict: Verdict;
    try {
      verdict = slot.verdict(ended, this.generation, this.options.maxLifetimeS, this.options.direct);
    } catch (error) {
      this.options.onReturnFailure(error);
      this.free.push(slot);
      permit.release();
      return undefined;
    }
    if (verdict !== "clean") return this.destroyAndFree(slot, permit, verdict);
    this.returnedClean++;
    slot.idleSince = Date.now();
    this.free.push(slot);
    permit.release();
    return undefined;
  }

  private async destroyAndFree(slot: Slot, permit: Permit, verdict: Verdict): Promise<void> {
    try {
      if (verdict !== "direct" && verdict !== "clean") this.discarded[verdict]++;
      await this.destroy(slot);
    } catch (error) {
      this.options.onReturnFailure(error);
    } finally {
      this.free.push(slot);
      permit.release();
    }
  }

  /** Closes a taken slot's connection (counted by the caller) and frees the slot and its permit. */
  async retire(slot: Slot, permit: Permit, reason: "stale" | "idle"): Promise<void> {
    this.discarded[reason]++;
    try {
      await this.destroy(slot);
    } finally {
      this.free.push(slot);
      permit.release();
    }
  }

  /** Every connection closed at once (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all(this.all.map((slot) => slot.discard(0)));
  }

  private async destroy(slot: Slot): Promise<void> {
    if (await slot.discard(this.options.discardTimeoutS)) this.discarded.forced++;
  }
}
