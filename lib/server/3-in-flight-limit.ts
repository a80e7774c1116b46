import "server-only";
/**
 * Counts requests in flight and refuses the ones above a limit. Pure state,
 * no I/O: lib/server/3-admission.ts wires it to the HTTP server.
 */
export class InFlightLimit {
  private current = 0;
  private refusedTotal = 0;
  private admittedTotal = 0;

  constructor(readonly limit: number) {}

  /** True when the caller may go on; it must then call leave() exactly once. */
  tryEnter(): boolean {
    if (this.current >= this.limit) {
      this.refusedTotal++;
      return false;
    }
    this.current++;
    this.admittedTotal++;
    return true;
  }

  leave(): void {
    if (this.current > 0) this.current--;
  }

  stats(): { limit: number; inFlight: number; admitted: number; refused: number } {
    return { limit: this.limit, inFlight: this.current, admitted: this.admittedTotal, refused: this.refusedTotal };
  }
}
