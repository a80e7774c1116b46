import "server-only";
import { LatencyWindow } from "@/lib/db/pool/latency-window";

/**
 * A FIFO semaphore with one permit per database connection. postgres.js has
 * no queue limit, no acquire timeout and no statistics; this gate adds them
 * in front of it, so an overloaded pool sheds load quickly (503) instead of
 * letting requests pile up until every client times out.
 */
export type GateErrorReason = "saturated" | "timeout" | "aborted" | "closed";

export class GateError extends Error {
  constructor(
    readonly reason: GateErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "GateError";
  }
}

export interface GateOptions {
  size: number;
  maxWaiting: number;
  acquireTimeoutMs: number;
  now?: () => number;
}

export interface Permit {
  /** Idempotent: a second call does nothing, so `finally` blocks can always call it. */
  release(): void;
  readonly waitedMs: number;
}

export interface GateStats {
  size: number;
  inUse: number;
  available: number;
  waiting: number;
  maxWaiting: number;
  /** Permits handed out. */
  served: number;
  /** Requests that found no free permit and had to wait. */
  queued: number;
  /** Turned away at once because the queue was full. */
  rejected: number;
  timedOut: number;
  aborted: number;
  waitMsTotal: number;
  waitMsP50: number;
  waitMsP95: number;
  waitMsP99: number;
  waitMsMax: number;
  usageMsTotal: number;
}

interface Waiter {
  enqueuedAt: number;
  grant: (permit: Permit) => void;
  fail: (error: GateError) => void;
}

export class PoolGate {
  private inUse = 0;
  private closed = false;
  private readonly queue: Waiter[] = [];
  private readonly waits = new LatencyWindow();
  private readonly counters = { served: 0, queued: 0, rejected: 0, timedOut: 0, aborted: 0, waitMsTotal: 0, usageMsTotal: 0 };
  private readonly now: () => number;

  constructor(private readonly options: GateOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.options.size;
  }

  /** A permit now, or null; never waits. For background work that must not compete with requests. */
  tryAcquire(): Permit | null {
    if (this.closed || this.inUse >= this.options.size || this.queue.length > 0) return null;
    return this.grantNow(0);
  }

  acquire(signal?: AbortSignal): Promise<Permit> {
    if (this.closed) return Promise.reject(new GateError("closed", "the pool is closed"));
    if (signal?.aborted) return Promise.reject(new GateError("aborted", "the request was aborted"));
    if (this.inUse < this.options.size && this.queue.length === 0) return Promise.resolve(this.grantNow(0));
    if (this.queue.length >= this.options.maxWaiting) {
      this.counters.rejected++;
      return Promise.reject(new GateError("saturated", "all connections are busy and the wait queue is full"));
    }

    this.counters.queued++;
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        enqueuedAt: this.now(),
        grant: (permit) => {
          cleanup();
          resolve(permit);
        },
        fail: (error) => {
          cleanup();
          reject(error);
        },
      };
      const leave = (reason: "timeout" | "aborted") => {
        const index = this.queue.indexOf(waiter);
        if (index === -1) return;
        this.queue.splice(index, 1);
        if (reason === "timeout") {
          this.counters.timedOut++;
          waiter.fail(new GateError("timeout", `no connection became free within ${this.options.acquireTimeoutMs} ms`));
        } else {
          this.counters.aborted++;
          waiter.fail(new GateError("aborted", "the request was aborted while waiting for a connection"));
        }
      };
      const timer = setTimeout(() => leave("timeout"), this.options.acquireTimeoutMs);
      const onAbort = () => leave("aborted");
      signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      this.queue.push(waiter);
    });
  }

  /** Fails every waiter and refuses new requests; permits in use are still released normally. */
  close(): void {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) waiter.fail(new GateError("closed", "the pool is closing"));
  }

  stats(): GateStats {
    const waits = this.waits.summary();
    return {
      size: this.options.size,
      inUse: this.inUse,
      available: Math.max(0, this.options.size - this.inUse),
      waiting: this.queue.length,
      maxWaiting: this.options.maxWaiting,
      ...this.counters,
      waitMsP50: waits.p50,
      waitMsP95: waits.p95,
      waitMsP99: waits.p99,
      waitMsMax: waits.max,
    };
  }

  private grantNow(waitedMs: number): Permit {
    this.inUse++;
    this.counters.served++;
    this.counters.waitMsTotal += waitedMs;
    this.waits.record(waitedMs);
    const grantedAt = this.now();
    let released = false;
    return {
      waitedMs,
      release: () => {
        if (released) return;
        released = true;
        this.counters.usageMsTotal += this.now() - grantedAt;
        this.inUse--;
        this.handOver();
      },
    };
  }

  /** FIFO: the oldest waiter gets the freed permit; nobody can barge in ahead of it. */
  private handOver(): void {
    while (this.inUse < this.options.size && this.queue.length > 0) {
      const waiter = this.queue.shift()!;
      waiter.grant(this.grantNow(this.now() - waiter.enqueuedAt));
    }
  }
}
