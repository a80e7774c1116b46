import "server-only";
/**
 * A fixed-capacity FIFO that overwrites its oldest entry. The dashboard keeps
 * 15 minutes of samples and a few dozen recent errors per process; a ring
 * keeps that memory flat however long the server runs.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.filled;
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
  }

  /** Oldest first. */
  toArray(): T[] {
    const start = (this.next - this.filled + this.capacity) % this.capacity;
    return Array.from({ length: this.filled }, (_, i) => this.items[(start + i) % this.capacity] as T);
  }

  /** The newest entry, or undefined when empty. */
  last(): T | undefined {
    return this.filled === 0 ? undefined : this.items[(this.next - 1 + this.capacity) % this.capacity];
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.filled = 0;
  }
}
