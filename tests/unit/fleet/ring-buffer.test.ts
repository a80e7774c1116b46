import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RingBuffer } from "@/lib/fleet/ring-buffer";

describe("RingBuffer", () => {
  it("keeps items oldest first until full", () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    expect(ring.last()).toBe(2);
  });

  it("overwrites the oldest once full", () => {
    const ring = new RingBuffer<number>(3);
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(5);
  });

  it("always holds exactly the last `capacity` items, in order (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 100 }), (capacity, items) => {
        const ring = new RingBuffer<number>(capacity);
        for (const item of items) ring.push(item);
        expect(ring.toArray()).toEqual(items.slice(-capacity));
      }),
    );
  });

  it("clears", () => {
    const ring = new RingBuffer<string>(2);
    ring.push("a");
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    expect(ring.size).toBe(0);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});
