// The bounded queue between the datapools and the pushers (spec section 1: every arrow applies
// backpressure). Writers are told to wait (push() returns false, waitDrain() resolves when there is
// room again) but nothing is ever refused or dropped. Every point gets a sequence number so flush()
// can wait for exactly "everything written so far", even when several pushers finish out of order.
import type { Point } from '../../core/types.js';

/** Points handed to one pusher; `remaining` shrinks as they are sent or rejected. */
export interface Batch {
  readonly first: number;     // sequence number of points[0]
  readonly points: Point[];
  remaining: Point[];
}

interface Taker { max: number; resolve: (b: Batch | null) => void }
interface Flusher { target: number; resolve: () => void }

export class PointQueue {
  private items: Point[] = [];
  private head = 0;             // items[head..] are queued
  private headSeq = 0;          // sequence number of items[head]
  private inflight = new Set<Batch>();
  private takers: Taker[] = [];
  private drainers: Array<() => void> = [];
  private flushers: Flusher[] = [];
  private closed = false;

  constructor(readonly capacity: number, private onDepth: (depth: number) => void = () => {}) {}

  depth(): number { return this.items.length - this.head; }

  /** Queues every point; false when the queue is now at or over capacity (the caller should wait). */
  push(points: Point[]): boolean {
    if (this.closed) throw new Error('point queue is closed');
    for (const p of points) this.items.push(p);
    this.serveTakers();
    this.onDepth(this.depth());
    return this.depth() < this.capacity;
  }

  waitDrain(): Promise<void> {
    if (this.closed || this.depth() < this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  /** Resolves once every point pushed before this call has been completed (or the queue closed). */
  waitFlushed(): Promise<void> {
    const target = this.headSeq + this.depth();
    if (this.closed || this.watermark() >= target) return Promise.resolve();
    return new Promise((resolve) => this.flushers.push({ target, resolve }));
  }

  /** Up to `max` points, as soon as there is at least one; null once the queue is closed. */
  take(max: number): Promise<Batch | null> {
    if (this.closed) return Promise.resolve(null);
    if (this.depth() > 0) return Promise.resolve(this.cut(max));
    return new Promise((resolve) => this.takers.push({ max, resolve }));
  }

  /** The pusher is done with the batch: every point in it was sent or rejected. */
  complete(b: Batch): void {
    b.remaining = [];
    this.inflight.delete(b);
    this.settle();
  }

  /** Points not yet sent or rejected, in the order they were written. */
  pending(): Point[] {
    const out: Point[] = [];
    for (const b of [...this.inflight].sort((x, y) => x.first - y.first)) out.push(...b.remaining);
    for (let i = this.head; i < this.items.length; i++) out.push(this.items[i]!);
    return out;
  }

  inflightCount(): number {
    let n = 0;
    for (const b of this.inflight) n += b.remaining.length;
    return n;
  }

  /** Wakes every waiter: takers get null, drain and flush waiters resolve. */
  close(): void {
    this.closed = true;
    for (const t of this.takers.splice(0)) t.resolve(null);
    for (const d of this.drainers.splice(0)) d();
    for (const f of this.flushers.splice(0)) f.resolve();
  }

  private cut(max: number): Batch {
    const n = Math.min(max, this.depth());
    const points = this.items.slice(this.head, this.head + n);
    const b: Batch = { first: this.headSeq, points, remaining: points };
    this.head += n;
    this.headSeq += n;
    if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.inflight.add(b);
    this.onDepth(this.depth());
    if (this.depth() < this.capacity) for (const d of this.drainers.splice(0)) d();
    return b;
  }

  private serveTakers(): void {
    while (this.takers.length > 0 && this.depth() > 0) {
      const t = this.takers.shift()!;
      t.resolve(this.cut(t.max));
    }
  }

  private watermark(): number {
    let w = this.headSeq;
    for (const b of this.inflight) if (b.first < w) w = b.first;
    return w;
  }

  private settle(): void {
    if (this.flushers.length === 0) return;
    const w = this.watermark();
    this.flushers = this.flushers.filter((f) => {
      if (w < f.target) return true;
      f.resolve();
      return false;
    });
  }
}
