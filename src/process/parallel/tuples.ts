// Group-tag tuples seen by a parse worker. A batch result names each distinct tuple once (its
// strings) and each line by the tuple's index within the batch, so the engine resolves a tuple to
// its series set once a batch instead of cloning and hashing three strings a line.
import { TupleMap } from '../../core/tuplemap.js';

/** Distinct tuples remembered before the table starts afresh (bounds memory with high-cardinality tags). */
const MAX_TUPLES = 1 << 17;

export class TupleIndex {
  private readonly ids: TupleMap<number> | null;
  private next = 0;
  /** Per tuple id: the batch that last used it, and its index within that batch. */
  private usedIn = new Int32Array(1024);
  private local = new Int32Array(1024);
  private batch = 0;
  /** The current batch's tuples, `width` strings each ('' for a group that did not take part). */
  strings: string[] = [];
  count = 0;

  constructor(readonly width: number) {
    this.ids = width > 0 ? new TupleMap(width, () => this.next++) : null;
  }

  /** Starts a batch: indices restart at 0. */
  begin(): void {
    this.batch++;
    this.strings = [];
    this.count = 0;
    if (this.next >= MAX_TUPLES && this.ids) {
      this.ids.clear();
      this.next = 0;
    }
  }

  /** The batch-local index of a line's tag values (constants are undefined). */
  index(vals: ArrayLike<string | undefined>): number {
    const w = this.width;
    const id = this.ids === null ? 0 : this.ids.get(vals);
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
