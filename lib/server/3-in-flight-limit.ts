import "server-only";
/**
 * Counts requests in flight and refuses the ones above a limit. Pure state,
 * no I/O: lib/server/3-admission.ts wires it to the HTTP server. The limit
 * can be moved (lib/server/3-adaptive-limit.ts) between `floor` and `max`;
 * `reachedSinceLastWindow()` tells the controller whether it was binding.
 */
export class InFlightLimit {
  private current = 0;
  private refusedTotal = 0;
  private admittedTotal = 0;
  private reached = false;

  constructor(
    private limitNow: number,
    readonly max = limitNow,
  ) {}

  get limit(): number {
    return this.limitNow;
  }

  /** True when the caller may go on; it must then call leave() exactly once. */
  tryEnter(): boolean {
    if (this.current >= this.limitNow) {
      this.refusedTotal++;
      this.reached = true;
      return false;
    }
    this.current++;
    this.admittedTotal++;
    if (this.current >= this.limitNow) this.reached = true;
    return true;
  }

  leave(): void {
    if (this.current > 0) this.current--;
  }

  /** Moves the limit (requests already in flight stay; new ones wait for the count to fall under it). */
  setLimit(limit: number): void {
    this.limitNow = Math.max(1, Math.min(this.max, Math.round(limit)));
  }

  /** Whether the limit was reached since the last call: only then does moving it change anything. */
  reachedSinceLastWindow(): boolean {
    const reached = this.reached || this.current >= this.limitNow;
    this.reached = false;
    return reached;
  }

  stats(): { limit: number; inFlight: number; admitted: number; refused: number } {
    return { limit: this.limitNow, inFlight: this.current, admitted: this.admittedTotal, refused: this.refusedTotal };
  }
}
