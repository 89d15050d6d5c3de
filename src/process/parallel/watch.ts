// The watchdog's view of one parse worker. The worker writes, in a shared Int32Array, the batch it is
// extracting, the line it is on and whether that batch's group has runaway regexes (parse/runaway.ts);
// the engine's thread samples them. A guarded batch seen on the same line for `limitMs` is stuck: the
// worker is replaced, that line dropped (Outcome.Timeout) and the rest resent (workers.ts). Lines of
// other groups are never cut off, so -j N gives the output -j 1 gives.

/** Indices into the progress array. */
export const SLOT = { line: 0, seq: 1, guarded: 2 } as const;
export const SLOTS = 3;

export interface Stuck {
  seq: number;
  line: number;
}

export class Watch {
  readonly progress = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private seq = -1;
  private line = -1;
  private since = 0;

  /** Called every few hundred ms with the wall clock (ms): the batch and line the worker is stuck on, or null. */
  stuck(now: number, limitMs: number): Stuck | null {
    const p = this.progress;
    const seq = Atomics.load(p, SLOT.seq);
    const line = Atomics.load(p, SLOT.line);
    if (Atomics.load(p, SLOT.guarded) === 0 || line < 0) {
      this.seq = -1;
      return null;
    }
    if (seq !== this.seq || line !== this.line) {
      this.seq = seq;
      this.line = line;
      this.since = now;
      return null;
    }
    return now - this.since >= limitMs ? { seq, line } : null;
  }
}
