// Group-tag tuples seen by a parse worker. A batch result names each distinct tuple once (its
// strings) and each line by the tuple's index within the batch, so the engine resolves a tuple to
// its series set once a batch instead of cloning and hashing three strings a line.
import { own } from '../datapool/own.js';

/** Distinct tuples remembered before the table starts afresh (bounds memory with high-cardinality tags). */
const MAX_TUPLES = 1 << 17;

export class TupleIndex {
  private root = new Map<string, unknown>();
  private ids = 0;
  /** Per tuple id: the batch that last used it, and its index within that batch. */
  private usedIn = new Int32Array(1024);
  private local = new Int32Array(1024);
  private batch = 0;
  /** The current batch's tuples, `width` strings each ('' for a group that did not take part). */
  strings: string[] = [];
  count = 0;

  constructor(readonly width: number) {}

  /** Starts a batch: indices restart at 0. */
  begin(): void {
    this.batch++;
    this.strings = [];
    this.count = 0;
    if (this.ids >= MAX_TUPLES) {
      this.root = new Map();
      this.ids = 0;
    }
  }

  /** The batch-local index of a line's tag values (constants are undefined). */
  index(vals: ArrayLike<string | undefined>): number {
    const w = this.width;
    let id: number;
    if (w === 0) {
      id = 0;
      if (this.ids === 0) this.ids = 1;
    } else {
      let m = this.root;
      for (let i = 0; i < w - 1; i++) {
        const v = vals[i] ?? '';
        let next = m.get(v) as Map<string, unknown> | undefined;
        if (next === undefined) {
          next = new Map();
          m.set(own(v), next);
        }
        m = next;
      }
      const last = vals[w - 1] ?? '';
      let found = m.get(last) as number | undefined;
      if (found === undefined) {
        found = this.ids++;
        m.set(own(last), found);
      }
      id = found;
    }
    if (id >= this.usedIn.length) this.grow(id);
    if (this.usedIn[id] === this.batch) return this.local[id]!;
    this.usedIn[id] = this.batch;
    const k = this.count++;
    this.local[id] = k;
    for (let i = 0; i < w; i++) this.strings.push(vals[i] ?? '');
    return k;
  }

  private grow(id: number): void {
    let cap = this.usedIn.length;
    while (cap <= id) cap *= 2;
    const u = new Int32Array(cap);
    u.set(this.usedIn);
    const l = new Int32Array(cap);
    l.set(this.local);
    this.usedIn = u;
    this.local = l;
  }
}
