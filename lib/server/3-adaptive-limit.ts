import "server-only";

/**
 * How many API requests an instance admits at once, moved by what its event loop shows. A
 * Node server is one thread: past the few requests that keep its CPU busy, every extra one in
 * flight only waits — each gets a slice of the thread in turn, so 20 admitted requests of 2.8 ms
 * of CPU each take ~56 ms apiece — and makes every other request wait, the refusals included
 * (measured with a fixed limit of 20: served requests 4.7× their unloaded p99, a 503 ~95 ms).
 * So, once per window: when the loop was busy nearly all the time (its utilisation) or fell
 * behind by more than the target while the limit was binding, the limit drops by a quarter
 * (never below `floor`); when it had room and kept up, the limit rises by one (never above
 * `max`, API_MAX_IN_FLIGHT). A slow query does not move it: waiting on Postgres costs the loop
 * nothing, and the pool's gate bounds those.
 * Pure: lib/server/3-admission.ts feeds it the loop's figures and the limit's state.
 */
export interface Window {
  /** The event loop's p99 delay in the window, ms. */
  lagMs: number;
  /** The share of the window the event loop was busy (performance.eventLoopUtilization), 0–1. */
  utilization: number;
  /** Whether the limit was reached in the window (else moving it changes nothing now). */
  limitReached: boolean;
}

/** Busy this share of a window: the thread is the bottleneck. Below ROOM it has room for more. */
const SATURATED = 0.95;
const ROOM = 0.85;

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
    const saturated = window.utilization >= SATURATED || window.lagMs > this.lagTargetMs;
    if (saturated && window.limitReached) {
      this.current = Math.max(Math.min(this.floor, this.max), Math.floor(this.current * 0.75));
    } else if (window.utilization < ROOM && window.lagMs <= this.lagTargetMs) {
      this.current = Math.min(this.max, this.current + 1);
    }
    return this.current;
  }
}
