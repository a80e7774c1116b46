import "server-only";

/**
 * Paces the refusals the admission limit answers. A refusal is cheap (tens of microseconds)
 * but a client that retries at once turns every refusal into another request: 256 such
 * clients made 9,500 refusals a second and took half the CPU from the requests being served.
 * Up to `perWindow` refusals per window go out at once; the rest are held (a timer, no work)
 * and answered in later windows, oldest first, so refusing costs at most perWindow × the
 * cost of one per window. At fixed arrival rates below the budget nothing is held.
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
  private readonly held: T[] = [];
  private cancelTimer: (() => void) | null = null;
  heldTotal = 0;

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly maxHeld: number,
    private readonly send: (item: T) => void,
    private readonly clock: PacerClock,
  ) {}

  /** Refuses `item` now if the window's budget allows (or too many are held already), else later. */
  refuse(item: T): void {
    this.roll();
    if ((this.sentInWindow < this.perWindow && this.held.length === 0) || this.held.length >= this.maxHeld) {
      this.sentInWindow++;
      this.send(item);
      return;
    }
    this.held.push(item);
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
    if (this.cancelTimer) return;
    const wait = Math.max(1, this.windowStart + this.windowMs - this.clock.now());
    this.cancelTimer = this.clock.later(wait, () => {
      this.cancelTimer = null;
      this.roll();
      while (this.held.length > 0 && this.sentInWindow < this.perWindow) {
        this.sentInWindow++;
        this.send(this.held.shift()!);
      }
      if (this.held.length > 0) this.schedule();
    });
  }
}
