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

export class PoolGate {
  private inUse = 0;
  private closed = false;
  private readonly queue: Waiter[] = [];
  /**
   * One timer for the whole queue, set for the oldest waiter: the timeout is the same for every
   * waiter and the queue is FIFO, so the oldest is always the next to time out — no timer to
   * make and clear for each wait. Unreferenced while nobody waits.
   */
  private expiry: NodeJS.Timeout | null = null;
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
      const waiter = new Waiter(this, this.now(), signal, resolve, reject);
      signal?.addEventListener("abort", waiter, { once: true });
      this.queue.push(waiter);
      if (this.expiry) this.expiry.ref();
      else this.armExpiry();
    });
  }

  /** A waiter's signal aborted: it leaves the queue (if it is still in it) with an error. */
  abandon(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index === -1) return;
    this.queue.splice(index, 1);
    if (this.queue.length === 0) this.expiry?.unref();
    this.counters.aborted++;
    waiter.fail(new GateError("aborted", "the request was aborted while waiting for a connection"));
  }

  /** Fails every waiter and refuses new requests; permits in use are still released normally. */
  close(): void {
    this.closed = true;
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = null;
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
    return new GatePermit(this, waitedMs, this.now());
  }

  /** A permit granted at `grantedAt` is back (GatePermit.release(), once). */
  returned(grantedAt: number): void {
    this.counters.usageMsTotal += this.now() - grantedAt;
    this.inUse--;
    this.handOver();
  }

  /** FIFO: the oldest waiter gets the freed permit; nobody can barge in ahead of it. */
  private handOver(): void {
    while (this.inUse < this.options.size && this.queue.length > 0) {
      const waiter = this.queue.shift()!;
      if (this.queue.length === 0) this.expiry?.unref();
      waiter.grant(this.grantNow(this.now() - waiter.enqueuedAt));
    }
  }

  private armExpiry(): void {
    const oldest = this.queue[0];
    if (!oldest) return;
    const dueInMs = oldest.enqueuedAt + this.options.acquireTimeoutMs - this.now();
    this.expiry = setTimeout(() => this.expire(), Math.max(1, dueInMs));
  }

  /** Fails the waiters whose time is up (the oldest ones), then waits for the next oldest. */
  private expire(): void {
    this.expiry = null;
    const now = this.now();
    while (this.queue.length > 0 && now - this.queue[0]!.enqueuedAt >= this.options.acquireTimeoutMs) {
      this.counters.timedOut++;
      this.queue.shift()!.fail(new GateError("timeout", `no connection became free within ${this.options.acquireTimeoutMs} ms`));
    }
    this.armExpiry();
  }
}

/** A request waiting for a permit; it is also its signal's abort listener (no closures per wait). */
class Waiter {
  constructor(
    private readonly gate: PoolGate,
    readonly enqueuedAt: number,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (permit: Permit) => void,
    private readonly reject: (error: GateError) => void,
  ) {}

  grant(permit: Permit): void {
    this.signal?.removeEventListener("abort", this);
    this.resolve(permit);
  }

  fail(error: GateError): void {
    this.signal?.removeEventListener("abort", this);
    this.reject(error);
  }

  handleEvent(): void {
    this.gate.abandon(this);
  }
}

/** One permit: a class rather than a closure per grant, as every unit of work takes one. */
class GatePermit implements Permit {
  private released = false;

  constructor(
    private readonly gate: PoolGate,
    readonly waitedMs: number,
    private readonly grantedAt: number,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.gate.returned(this.grantedAt);
  }
}
