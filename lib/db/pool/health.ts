import "server-only";
import type { PoolHealth } from "@/lib/db/pool/types";

/**
 * A pool's view of its database: healthy, or reconnecting (a connection failed; requests fail
 * fast with 503 while a probe retries with backoff), or down (still failing after the reconnect
 * timeout; probing goes on). The probe itself is the pool's (it needs a slot); this only keeps
 * the state and the schedule.
 */
const BACKOFF_MIN_MS = 100;
// A probe is one connect attempt: cheap enough once a second, and it bounds how long a pool stays
// unavailable after the database is back.
const BACKOFF_MAX_MS = 1000;

export interface HealthOptions {
  reconnectTimeoutS: number;
  /** One probe attempt: resolves when the database answered, rejects when it did not. */
  probe: () => Promise<void>;
  onDown: (downForS: number) => void;
  onRecovered: (downMs: number) => void;
}

export class PoolHealthState {
  private state: PoolHealth = "healthy";
  private since: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: HealthOptions) {}

  get current(): PoolHealth {
    return this.state;
  }

  get unhealthySince(): number | null {
    return this.since;
  }

  /** Returns false when the pool was already unhealthy (the outage is being handled). */
  markUnhealthy(): boolean {
    if (this.stopped || this.state !== "healthy") return false;
    this.state = "reconnecting";
    this.since = Date.now();
    this.schedule(0);
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.attempt(delayMs), delayMs);
    this.timer.unref();
  }

  private async attempt(delayMs: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.options.probe();
      const downMs = Date.now() - (this.since ?? Date.now());
      this.state = "healthy";
      this.since = null;
      this.options.onRecovered(downMs);
    } catch {
      const downForS = (Date.now() - (this.since ?? Date.now())) / 1000;
      if (downForS > this.options.reconnectTimeoutS && this.state !== "down") {
        this.state = "down";
        this.options.onDown(downForS);
      }
      this.schedule(Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, delayMs * 2)));
    }
  }
}
