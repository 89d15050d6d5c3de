// The fair scheduler: one loop reads every file, one turn at a time. Files are queued round-robin
// (a file with more to read goes to the back), and the loop yields to I/O and timers between turns,
// so one busy file cannot starve the others. When the sink returns a promise, nothing more is read
// from any file until it settles (backpressure).
import type { FileIdentity, LineBatch } from '../core/types.js';
import type { Scheduler } from '../core/scheduler.js';
import type { Slot } from './slot.js';
import type { TailSink } from './types.js';

export class SinkError extends Error {
  constructor(readonly inner: unknown) {
    super(`sink failed: ${inner instanceof Error ? inner.message : String(inner)}`);
  }
}

export class Pump {
  /** A sink promise is pending: reading is held back. */
  blocked = false;
  private queue: Slot[] = [];
  private head = 0;
  private queued = new Set<Slot>();
  private wake: (() => void) | null = null;
  private stopped = false;
  private busy = false;
  private settledWaiters: Array<() => void> = [];

  constructor(
    private readonly sched: Scheduler,
    private readonly sink: TailSink,
    private readonly turn: (s: Slot) => Promise<void>,
    /** Called when the queue runs empty (the --once end check). */
    private readonly onEmpty: () => void,
  ) {}

  get length(): number { return this.queue.length - this.head; }

  isQueued(s: Slot): boolean { return this.queued.has(s); }

  enqueue(s: Slot): void {
    if (this.queued.has(s) || s.state === 'closed' || this.stopped) return;
    this.queued.add(s);
    this.queue.push(s);
    if (this.wake) { const w = this.wake; this.wake = null; w(); }
  }

  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    this.queued.clear();
    if (this.wake) { const w = this.wake; this.wake = null; w(); }
    this.releaseSettled();
  }

  /** Resolves once nothing is queued and no turn is running (tests: reading has caught up). */
  settled(): Promise<void> {
    if (!this.busy && this.length === 0) return Promise.resolve();
    return new Promise((r) => this.settledWaiters.push(r));
  }

  /** The loop. Rejects when the sink fails (a SinkError) or a turn throws something unexpected. */
  async run(): Promise<void> {
    while (!this.stopped) {
      const s = this.next();
      if (!s) {
        this.busy = false;
        this.onEmpty();
        if (this.length > 0 || this.stopped) continue;
        this.releaseSettled();
        await new Promise<void>((res) => { this.wake = res; });
        continue;
      }
      this.busy = true;
      this.queued.delete(s);
      if (s.state === 'closed') continue;
      await this.turn(s);
      await this.sched.yieldIO(); // let events, timers and I/O run
    }
  }

  /** Hands a batch to the sink; waits (holding all reading) while the sink asks to. */
  async emit(group: string, batch: LineBatch, identity: FileIdentity): Promise<void> {
    let p: void | Promise<void>;
    try {
      p = this.sink(group, batch, identity);
    } catch (e) {
      throw new SinkError(e);
    }
    if (p && typeof (p as Promise<void>).then === 'function') {
      this.blocked = true;
      try { await p; } catch (e) { throw new SinkError(e); } finally { this.blocked = false; }
    }
  }

  private next(): Slot | undefined {
    if (this.head >= this.queue.length) {
      if (this.queue.length) { this.queue = []; this.head = 0; }
      return undefined;
    }
    const s = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
    return s;
  }

  private releaseSettled(): void {
    const w = this.settledWaiters;
    this.settledWaiters = [];
    for (const r of w) r();
  }
}
