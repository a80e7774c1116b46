import "server-only";

/**
 * Paces the refusals the admission limit answers. A refusal is cheap (tens of microseconds)
 * but a client that retries at once turns every refusal into another request: 256 such
 * clients made 9,500 refusals a second and took half the CPU from the requests being served.
 * Up to `perWindow` refusals per window go out at once; the rest are held (a timer, no work)
 * and answered in later windows, oldest first, so refusing costs at most perWindow × the
 * cost of one per window. At fixed arrival rates below the budget nothing is held. No refusal
 * is held longer than `maxWaitMs`: clients that arrive faster than the budget on their own (an
 * open-loop overload, not retries) still get their 503 promptly, at the cost of answering them.
 * `now` and the scheduling are injected so that the logic is tested without a clock.
 */
export interface PacerClock {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel. */
  later(ms: number, fn: () => void): () => void;
}

export class RefusalPacer<T> {
  private windowStart = 0;
  private sentInWindow = 0;
  private readonly held: Array<{ item: T; at: number }> = [];
  private cancelTimer: (() => void) | null = null;
  heldTotal = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly maxHeld: number,
    private readonly send: (item: T) => void,
    private readonly clock: PacerClock,
    private readonly maxWaitMs = Infinity,
  ) {}

  /** Refuses `item` now if the window's budget allows (or too many are held already), else later. */
  refuse(item: T): void {
    this.roll();
    if ((this.sentInWindow < this.perWindow && this.held.length === 0) || this.held.length >= this.maxHeld) {
      this.sentInWindow++;
      this.send(item);
      return;
    }
    this.held.push({ item, at: this.clock.now() });
    this.heldTotal++;
    this.schedule();
  }

  get backlog(): number {
    return this.held.length;
  }

  private roll(): void {
    const now = this.clock.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
  }

  private schedule(): void {
    if (this.cancelTimer || this.held.length === 0) return;
    const now = this.clock.now();
    const due = Math.min(this.windowStart + this.windowMs, this.held[0]!.at + this.maxWaitMs);
    this.cancelTimer = this.clock.later(Math.max(1, due - now), () => {
      this.cancelTimer = null;
      this.roll();
      while (this.held.length > 0 && this.sentInWindow < this.perWindow) {
        this.sentInWindow++;
        this.send(this.held.shift()!.item);
      }
      // Past the longest wait: answered now, over the budget.
      const overdue = this.clock.now() - this.maxWaitMs;
      while (this.held.length > 0 && this.held[0]!.at <= overdue) this.send(this.held.shift()!.item);
      this.schedule();
    });
  }
}
