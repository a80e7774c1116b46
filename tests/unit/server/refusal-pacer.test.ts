import { describe, expect, it } from "vitest";
import { RefusalPacer, type PacerClock } from "@/lib/server/3-refusal-pacer";

/** A hand-driven clock: timers fire only when advance() passes them. */
function manualClock(): PacerClock & { advance(ms: number): void } {
  let now = 1000;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    later(ms, fn) {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => (timers = timers.filter((t) => t !== timer));
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = until;
    },
  };
}

describe("RefusalPacer", () => {
  it("answers refusals at once within the window's budget", () => {
    const sent: number[] = [];
    const pacer = new RefusalPacer<number>(3, 10, 100, (n) => sent.push(n), manualClock());
    [1, 2, 3].forEach((n) => pacer.refuse(n));
    expect(sent).toEqual([1, 2, 3]);
    expect(pacer.backlog).toBe(0);
  });

  it("holds the ones above the budget and answers them, oldest first, in later windows", () => {
    const clock = manualClock();
    const sent: number[] = [];
    const pacer = new RefusalPacer<number>(2, 10, 100, (n) => sent.push(n), clock);
    [1, 2, 3, 4, 5].forEach((n) => pacer.refuse(n));
    expect(sent).toEqual([1, 2]);
    expect(pacer.backlog).toBe(3);
    clock.advance(10);
    expect(sent).toEqual([1, 2, 3, 4]);
    // A new refusal while some are held waits behind them.
    pacer.refuse(6);
    clock.advance(10);
    expect(sent).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pacer.heldTotal).toBe(4);
  });

  it("answers at once past the held maximum rather than holding without bound", () => {
    const sent: number[] = [];
    const pacer = new RefusalPacer<number>(1, 10, 2, (n) => sent.push(n), manualClock());
    [1, 2, 3, 4].forEach((n) => pacer.refuse(n));
    expect(sent).toEqual([1, 4]);
    expect(pacer.backlog).toBe(2);
  });

  it("a new window's budget is available again once the held ones are out", () => {
    const clock = manualClock();
    const sent: number[] = [];
    const pacer = new RefusalPacer<number>(2, 10, 100, (n) => sent.push(n), clock);
    [1, 2, 3].forEach((n) => pacer.refuse(n));
    clock.advance(50);
    expect(sent).toEqual([1, 2, 3]);
    [4, 5].forEach((n) => pacer.refuse(n));
    expect(sent).toEqual([1, 2, 3, 4, 5]);
  });

  it("holds none longer than its longest wait: an arrival rate above the budget is answered over it", () => {
    const clock = manualClock();
    const sent: number[] = [];
    const pacer = new RefusalPacer<number>(1, 10, 100, (n) => sent.push(n), clock, 25);
    // 3 refusals a window against a budget of 1: the backlog would grow without the longest wait.
    let next = 1;
    for (let window = 0; window < 6; window++) {
      for (let i = 0; i < 3; i++) pacer.refuse(next++);
      clock.advance(10);
    }
    clock.advance(25);
    expect(sent).toEqual(Array.from({ length: 18 }, (_, i) => i + 1)); // all answered, oldest first
    expect(pacer.backlog).toBe(0);
  });

  it("control: without a longest wait the same arrivals pile up", () => {
    const clock = manualClock();
    const sent: number[] = [];
    const pacer = new RefusalPacer<number>(1, 10, 100, (n) => sent.push(n), clock);
    let next = 1;
    for (let window = 0; window < 6; window++) {
      for (let i = 0; i < 3; i++) pacer.refuse(next++);
      clock.advance(10);
    }
    clock.advance(25);
    expect(pacer.backlog).toBeGreaterThan(6);
  });
});
