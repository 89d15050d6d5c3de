// Values keyed by a tuple of tag values as they came out of the regex, as nested maps (one level per
// tag). Looking each substring up as it is avoids building and hashing a joined string per line,
// which cost more than the regex itself. Used by the datapool (tuple -> series set) and by the parse
// workers (tuple -> tuple id).
import { own } from './own.js';

export class TupleMap<V> {
  private root = new Map<string, unknown>();

  /** `width` >= 1 tag values per tuple; `make` builds the value of a tuple seen for the first time. */
  constructor(readonly width: number, private readonly make: (vals: ArrayLike<string | undefined>) => V) {}

  /** The value of a tuple (undefined entries count as ''), made on first sight. */
  get(vals: ArrayLike<string | undefined>): V {
    let found = this.find(vals);
    if (found === undefined) {
      found = this.make(vals);
      this.put(vals, found);
    }
    return found;
  }

  /** The value of a tuple, if one was made or put. */
  find(vals: ArrayLike<string | undefined>): V | undefined {
    const w = this.width;
    let m = this.root;
    for (let i = 0; i < w - 1; i++) {
      const next = m.get(vals[i] ?? '') as Map<string, unknown> | undefined;
      if (next === undefined) return undefined;
      m = next;
    }
    return m.get(vals[w - 1] ?? '') as V | undefined;
  }

  /** Sets the value of a tuple (made or replaced). */
  put(vals: ArrayLike<string | undefined>, value: V): void {
    const w = this.width;
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
    m.set(own(vals[w - 1] ?? ''), value);
  }

  /** Forgets a tuple (and the levels it leaves empty). */
  delete(path: readonly string[]): void {
    const maps: Array<Map<string, unknown>> = [this.root];
    for (let i = 0; i < path.length - 1; i++) {
      const next = maps[i]!.get(path[i]!) as Map<string, unknown> | undefined;
      if (!next) return;
      maps.push(next);
    }
    maps[maps.length - 1]!.delete(path[path.length - 1]!);
    for (let i = maps.length - 1; i > 0; i--) if (maps[i]!.size === 0) maps[i - 1]!.delete(path[i - 1]!);
  }

  clear(): void {
    this.root = new Map();
  }
}
