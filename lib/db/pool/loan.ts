import "server-only";
import type { Sql } from "postgres";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { RowByteLimit, Slot } from "@/lib/db/pool/slot";
import type { Unit } from "@/lib/db/pool/types";

/**
 * One borrowing of a slot: the Unit a callback gets (types.ts), and the abort listener of its
 * signal. Once the borrowing is over (`end()`), its cancel and its row-limit callback do
 * nothing, so that a late timer or listener can never reach the next unit on the same slot.
 * A class, with the closures only made when asked for: every unit of work makes one.
 */
export class Loan implements Unit {
  private lent = true;
  private boundCancel: (() => void) | null = null;
  private boundLimitRowBytes: ((maxBytes: number, exceeded: () => void) => RowByteLimit) | null = null;

  constructor(
    private readonly slot: Slot,
    readonly signal: AbortSignal | undefined,
  ) {}

  get sql(): Sql {
    return this.slot.sql;
  }

  get db(): PostgresJsDatabase {
    return this.slot.db;
  }

  get cancelled(): boolean {
    return this.slot.cancelled;
  }

  // `cancel` and `limitRowBytes` are functions of their own (callers pass `unit.cancel` around),
  // made on first use.
  get cancel(): () => void {
    return (this.boundCancel ??= () => this.handleEvent());
  }

  get limitRowBytes(): (maxBytes: number, exceeded: () => void) => RowByteLimit {
    return (this.boundLimitRowBytes ??= (maxBytes, exceeded) =>
      this.slot.limitRowBytes(maxBytes, () => {
        if (this.lent) exceeded();
      }));
  }

  /** The signal's abort (the loan is its listener object): cancels while still lent. */
  handleEvent(): void {
    if (this.lent) this.slot.cancel();
  }

  /** The unit is over: listens no more, and cancels nothing from now on. */
  end(): void {
    this.lent = false;
    this.signal?.removeEventListener("abort", this);
  }
}
