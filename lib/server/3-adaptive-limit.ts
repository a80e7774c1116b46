import "server-only";

/**
 * How many API requests an instance admits at once, moved by what its event loop shows. A
 * Node server is one thread: past the few requests that keep its CPU busy, every extra one in
 * flight only waits in the event loop — and makes every other request wait, the refusals
 * included (measured: with 20 admitted, a 503 took 125–260 ms to go out and served requests 4×
 * their unloaded time). So, once per window: when the loop fell behind by more than the target
 * while the limit was binding, the limit drops by a quarter (never below `floor`); when the loop
 * kept up, it rises by one (never above `max`, API_MAX_IN_FLIGHT). A slow query does not move
 * it: waiting on Postgres costs the loop nothing, and the pool's gate bounds those.
 * Pure: lib/server/3-admission.ts feeds it the loop delay and the limit's state.
 */
export interface Window {
  /** The event loop's p99 delay in the window, ms. */
  lagMs: number;
  /** Whether the limit was reached in the window (else moving it changes nothing now). */
  limitReached: boolean;
}

export class AdaptiveLimit {
  private current: number;

  constructor(
    readonly max: number,
    readonly floor: number,
    readonly lagTargetMs: number,
  ) {
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }

  observe(window: Window): number {
    if (window.lagMs > this.lagTargetMs && window.limitReached) {
      this.current = Math.max(Math.min(this.floor, this.max), Math.floor(this.current * 0.75));
    } else if (window.lagMs <= this.lagTargetMs) {
      this.current = Math.min(this.max, this.current + 1);
    }
    return this.current;
  }
}
