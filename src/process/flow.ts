// Flow control of the processing stage, apart from the processing itself (engine.ts): batches in
// flight to the parse workers are applied strictly in the order they were handed in, whatever order
// the workers answer in; the number in flight is bounded (the tailer waits when it is full); applying
// stops while the sink is full; idle() and atCut() wait until everything handed in is applied.
// Single-threaded: "in flight" means waiting for a worker, or waiting behind one.

/** A promise and the function that resolves it, made when someone first waits. */
class Gate {
  private p: { promise: Promise<void>; open: () => void } | null = null;

  get waiting(): boolean {
    return this.p !== null;
  }

  wait(): Promise<void> {
    if (!this.p) {
      let open!: () => void;
      const promise = new Promise<void>((r) => { open = r; });
      this.p = { promise, open };
    }
    return this.p.promise;
  }

  open(): void {
    const p = this.p;
    this.p = null;
    p?.open();
  }
}

export interface Entry {
  /** Set once the entry can be applied (a worker's result arrived; at once for work done on this thread). */
  ready: boolean;
}

export class InOrder<E extends Entry> {
  private readonly queue: E[] = [];
  private sinkWait: Promise<void> | null = null;
  private readonly room = new Gate();
  private readonly idleGate = new Gate();
  private readonly hold = new Gate();
  private failure: Error | null = null;

  /**
   * @param apply applies one entry; a promise means the sink is full (applying resumes when it resolves)
   * @param capacity the most entries in flight before admit() asks the caller to wait
   * @param onBusy told when the queue turns non-empty (true) and empty again (false)
   */
  constructor(private readonly apply: (e: E) => void | Promise<void>, private readonly capacity: () => number,
    private readonly onBusy: (busy: boolean) => void = () => {}) {}

  /** Nothing in flight and no sink wait: a batch may be processed at once, in order. */
  get empty(): boolean {
    return this.queue.length === 0 && this.sinkWait === null;
  }

  /** Reading is held for a cut (atCut): the promise the tailer waits on, else undefined. */
  held(): Promise<void> | undefined {
    return this.hold.waiting ? this.hold.wait() : undefined;
  }

  /** Queues an entry (its result to come). Returns a promise when reading must wait. */
  admit(e: E): void | Promise<void> {
    if (this.failure) throw this.failure;
    if (this.queue.length === 0) this.onBusy(true);
    this.queue.push(e);
    if (e.ready) this.applyReady();
    const held = this.held();
    if (held) return held;
    if (this.queue.length >= this.capacity() || this.sinkWait) return this.room.wait();
  }

  /** The first entry in flight that `match` accepts (the head is tried first: results mostly come in order). */
  find(match: (e: E) => boolean): E | undefined {
    const q = this.queue;
    return q.length > 0 && match(q[0]!) ? q[0] : q.find(match);
  }

  /** An entry's result arrived: applies what can be applied. */
  ready(e: E): void {
    e.ready = true;
    this.applyReady();
  }

  /** Applies ready entries from the head of the queue, in order, until one is not ready or the sink is full. */
  private applyReady(): void {
    while (this.queue.length && this.queue[0]!.ready && !this.sinkWait) {
      const w = this.apply(this.queue.shift()!);
      if (w) this.sinkWait = w.then(() => { this.sinkWait = null; this.applyReady(); });
    }
    if (!this.sinkWait && this.queue.length < this.capacity()) this.room.open();
    if (this.empty) {
      this.onBusy(false);
      this.idleGate.open();
    }
  }

  /** Resolves once every entry admitted has been applied and its points handed to the sink. */
  idle(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.empty) return Promise.resolve();
    return this.idleGate.wait();
  }

  /**
   * Runs `fn` at a consistent cut (spec section 8): reading is held, every entry is applied, then fn
   * runs (it reads the tailer's positions and the pools), then reading resumes.
   */
  async atCut<T>(fn: () => T): Promise<T> {
    void this.hold.wait();
    try {
      await this.idle();
      return fn();
    } finally {
      this.hold.open();
    }
  }

  /** The sink will not drain (shutdown): stop waiting for it, apply what is left. */
  stopWaiting(): void {
    if (this.sinkWait) {
      this.sinkWait = null;
      this.applyReady();
    }
  }

  /** A worker failed: every waiter is woken, and later calls fail. */
  fail(e: Error): void {
    this.failure = e;
    this.room.open();
    this.idleGate.open();
  }

  get failed(): Error | null {
    return this.failure;
  }
}
