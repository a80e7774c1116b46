import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GateError, PoolGate } from "@/lib/db/pool/gate";

const gate = (size: number, maxWaiting = 10, acquireTimeoutMs = 1000) => new PoolGate({ size, maxWaiting, acquireTimeoutMs });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("PoolGate", () => {
  it("grants up to size permits at once", async () => {
    const g = gate(2);
    await g.acquire();
    await g.acquire();
    expect(g.stats()).toMatchObject({ inUse: 2, available: 0, waiting: 0, served: 2 });
  });

  it("hands freed permits to waiters in FIFO order", async () => {
    const g = gate(1, 10);
    const first = await g.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3, 4].map((n) => g.acquire().then((p) => (order.push(n), p)));
    expect(g.stats().waiting).toBe(4);
    first.release();
    for (const w of waiters) (await w).release();
    expect(order).toEqual([1, 2, 3, 4]);
    expect(g.stats()).toMatchObject({ inUse: 0, queued: 4, served: 5 });
  });

  it("does not let a newcomer barge ahead of a waiter", async () => {
    const g = gate(1);
    const held = await g.acquire();
    const waiting = g.acquire();
    held.release();
    expect(g.tryAcquire()).toBeNull();
    (await waiting).release();
  });

  it("rejects at once when the wait queue is full", async () => {
    const g = gate(1, 2);
    await g.acquire();
    const queued = [g.acquire(), g.acquire()];
    const started = performance.now();
    await expect(g.acquire()).rejects.toMatchObject({ reason: "saturated" });
    expect(performance.now() - started).toBeLessThan(20);
    expect(g.stats()).toMatchObject({ rejected: 1, waiting: 2 });
    g.close();
    await Promise.allSettled(queued);
  });

  it("rejects at once with maxWaiting 0", async () => {
    const g = gate(1, 0);
    await g.acquire();
    await expect(g.acquire()).rejects.toBeInstanceOf(GateError);
  });

  it("times out a waiter after the acquire timeout and forgets it", async () => {
    const g = gate(1, 5, 50);
    const held = await g.acquire();
    const started = performance.now();
    await expect(g.acquire()).rejects.toMatchObject({ reason: "timeout" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(g.stats()).toMatchObject({ timedOut: 1, waiting: 0 });
    held.release();
    expect(g.stats().inUse).toBe(0);
  });

  it("removes an aborted waiter and never grants it", async () => {
    const g = gate(1);
    const held = await g.acquire();
    const controller = new AbortController();
    const aborted = g.acquire(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ reason: "aborted" });
    held.release();
    expect(g.stats()).toMatchObject({ inUse: 0, waiting: 0, aborted: 1 });
  });

  it("refuses an already aborted signal", async () => {
    const g = gate(1);
    await expect(g.acquire(AbortSignal.abort())).rejects.toMatchObject({ reason: "aborted" });
    expect(g.stats().inUse).toBe(0);
  });

  it("release is idempotent", async () => {
    const g = gate(2);
    const p = await g.acquire();
    p.release();
    p.release();
    expect(g.stats().inUse).toBe(0);
  });

  it("releases the permit when the work throws (try/finally pattern)", async () => {
    const g = gate(1);
    const work = async () => {
      const permit = await g.acquire();
      try {
        throw new Error("query failed");
      } finally {
        permit.release();
      }
    };
    await expect(work()).rejects.toThrow("query failed");
    expect(g.stats().inUse).toBe(0);
    await expect(g.acquire()).resolves.toBeDefined();
  });

  it("records wait time percentiles", async () => {
    const g = gate(1);
    const held = await g.acquire();
    const waiting = g.acquire();
    await new Promise((r) => setTimeout(r, 30));
    held.release();
    (await waiting).release();
    const stats = g.stats();
    expect(stats.waitMsMax).toBeGreaterThanOrEqual(25);
    expect(stats.waitMsTotal).toBeGreaterThanOrEqual(25);
  });

  it("close fails every waiter and refuses new requests", async () => {
    const g = gate(1);
    await g.acquire();
    const waiting = g.acquire();
    g.close();
    await expect(waiting).rejects.toMatchObject({ reason: "closed" });
    await expect(g.acquire()).rejects.toMatchObject({ reason: "closed" });
  });

  it("never exceeds size and never loses a permit, whatever the interleaving", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.record({ holdTicks: fc.integer({ min: 0, max: 3 }), abort: fc.boolean() }), { maxLength: 25 }),
        async (size, maxWaiting, jobs) => {
          const g = gate(size, maxWaiting, 10_000);
          let concurrent = 0;
          let peak = 0;
          await Promise.allSettled(
            jobs.map(async (job) => {
              const controller = new AbortController();
              if (job.abort) queueMicrotask(() => controller.abort());
              const permit = await g.acquire(controller.signal);
              concurrent++;
              peak = Math.max(peak, concurrent);
              try {
                for (let i = 0; i < job.holdTicks; i++) await tick();
              } finally {
                concurrent--;
                permit.release();
              }
            }),
          );
          const s = g.stats();
          expect(peak).toBeLessThanOrEqual(size);
          expect(s.inUse).toBe(0);
          expect(s.waiting).toBe(0);
          expect(s.served + s.rejected + s.aborted + s.timedOut).toBe(jobs.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
