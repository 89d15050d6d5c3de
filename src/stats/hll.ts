// HyperLogLog++ distinct-count sketch (behaviour spec section 4, "distinct").
//
// References: Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog" (AofA 2007); Heule, Nunkesser, Hall,
// "HyperLogLog in Practice" (EDBT 2013: a hash wider than 32 bits, so no large-range correction, and
// a sparse form for small counts); the estimate is Ertl 2017's improved estimator (hll-estimate.ts)
// in place of HLL++'s empirical bias tables.
//
// Hash: the top 53 bits of hash64() (so a hash is an exact JS number): the first p bits pick one of
// m = 2^p registers, the other q = 53 - p bits give rho = position of their first 1 bit (q+1 if none).
//
// Two forms:
// - sparse: the set of the distinct 53-bit hashes seen, in an open-addressing table of numbers. The
//   count is the size of that set: exact unless two values share a 53-bit hash (probability
//   n^2 / 2^54, below 10^-10 at the threshold). A handful of values costs a few hundred bytes.
// - dense: m 4-bit registers (hll-dense.ts), 8 KB at p = 14, relative standard error
//   1.04 / sqrt(m) (0.81% at p = 14).
// The sketch goes dense when the table would outgrow the registers (at p = 14: past 768 values). A
// sparse hash turns into exactly the register update a dense sketch would have made, so the
// registers, and every count after the switch, do not depend on the order values came in, nor on
// when the switch happened: a replay, a restart or a merge gives the same numbers. The plain-data
// state for checkpoints is hll-state.ts's.
import { DenseRegisters } from './hll-dense.js';
import { estimateCardinality } from './hll-estimate.js';
import { hash53 } from './hash64.js';
import { denseState, readHll, readState, sparseState, writeHll, type HllState, type ReadState } from './hll-state.js';
import type { ByteReader, ByteWriter } from '../core/bytes.js';

export type { HllState };

export const DEFAULT_PRECISION = 14;
export const MIN_PRECISION = 4;
export const MAX_PRECISION = 18;

const LO_BITS = 21;                  // bits of the low hash word kept (32 + 21 = 53)
const LO_SPAN = 2 ** LO_BITS;
const FIRST_CAP = 8;

export class Hll {
  declare readonly p: number;
  /** Sparse: table of (53-bit hash + 1), 0 = empty slot; null before the first value and once dense. */
  declare private tab: number[] | null;
  /** Sparse: hashes held. */
  declare private n: number;
  declare private dense: DenseRegisters | null;
  /** Cached dense count; -1 when a register changed since. */
  declare private est: number;

  constructor(p: number = DEFAULT_PRECISION) {
    if (!Number.isInteger(p) || p < MIN_PRECISION || p > MAX_PRECISION) {
      throw new RangeError(`HyperLogLog precision must be an integer in ${MIN_PRECISION}..${MAX_PRECISION}, got ${p}`);
    }
    this.p = p;
    this.tab = null;
    this.n = 0;
    this.dense = null;
    this.est = -1;
  }

  /** Largest sparse table: no bigger than the dense registers (m/2 bytes, 8 bytes a slot). */
  private get maxCap(): number {
    return Math.max(FIRST_CAP, 2 ** this.p / 16);
  }

  /** Values up to which the count is exact (the sparse form's capacity). */
  get sparseLimit(): number {
    return (this.maxCap * 3) / 4;
  }

  /** No value seen (a dense sketch holds hundreds). */
  get isEmpty(): boolean {
    return this.dense === null && this.n === 0;
  }

  get isSparse(): boolean {
    return this.dense === null;
  }

  add(value: string): void {
    this.addHash53(hash53(value));
  }

  /** Adds a value by its hash53() (the top 53 bits of its hash64(), as one number): hash once, add
   *  to several sketches. Handled here on local numbers for the common cases: a value passed on to
   *  another (not inlined) function would be boxed, an allocation per value. */
  addHash53(h: number): void {
    const hi = Math.floor(h / LO_SPAN);
    const lo = h - hi * LO_SPAN;
    const d = this.dense;
    if (d !== null) {
      if (d.raise(hi >>> (32 - this.p), rho(hi, lo, this.p))) this.est = -1;
      return;
    }
    const key = h + 1;
    const tab = this.tab;
    if (tab !== null && 4 * (this.n + 1) <= 3 * tab.length) {
      const mask = tab.length - 1;
      let slot = hi & mask;
      for (let k = tab[slot]!; k !== 0; k = tab[slot]!) {
        if (k === key) return;
        slot = (slot + 1) & mask;
      }
      tab[slot] = key;
      this.n++;
      return;
    }
    this.insertKey(key);
  }

  /** Distinct values seen: exact while sparse, the dense estimate after. */
  count(): number {
    const d = this.dense;
    if (d === null) return this.n;
    if (this.est < 0) this.est = Math.round(estimateCardinality(d.a, d.h, d.m, d.q));
    return this.est;
  }

  /** Adds every value `other` has seen (same precision). */
  merge(other: Hll): void {
    if (other.p !== this.p) throw new RangeError(`cannot merge HyperLogLog sketches of precision ${other.p} and ${this.p}`);
    if (other.dense === null) {
      for (const key of other.tab ?? []) if (key !== 0) this.insertKey(key);
      return;
    }
    this.toDense();
    for (let i = 0; i < other.dense.m; i++) {
      const v = other.dense.get(i);
      if (v > 0 && this.dense!.raise(i, v)) this.est = -1;
    }
  }

  /** Forgets every value (back to an empty sparse sketch). */
  clear(): void {
    this.tab = null;
    this.n = 0;
    this.dense = null;
    this.est = -1;
  }

  /** Heap bytes, approximately (object, table or registers; sizes measured on V8, and kept
   *  honest by test/stats/distinct-memory.test.ts). */
  bytes(): number {
    if (this.dense !== null) return 72 + this.dense.bytes();
    return 72 + (this.tab === null ? 0 : 48 + 8 * this.tab.length);
  }

  /** Adds the hash stored as `key` (53-bit hash + 1): any form, growing or going dense as needed. */
  private insertKey(key: number): void {
    const hash = key - 1;
    const hi = Math.floor(hash / LO_SPAN);
    const d = this.dense;
    if (d !== null) {
      if (d.raise(hi >>> (32 - this.p), rho(hi, hash - hi * LO_SPAN, this.p))) this.est = -1;
      return;
    }
    let tab = this.tab;
    if (tab === null) tab = this.tab = newTable(FIRST_CAP);
    let mask = tab.length - 1;
    let slot = hi & mask;
    for (let k = tab[slot]!; k !== 0; k = tab[slot]!) {
      if (k === key) return;
      slot = (slot + 1) & mask;
    }
    if (4 * (this.n + 1) > 3 * tab.length) {
      if (tab.length >= this.maxCap) {
        this.toDense();
        this.insertKey(key);
        return;
      }
      tab = this.tab = rehash(tab, tab.length * 2);
      mask = tab.length - 1;
      slot = hi & mask;
      while (tab[slot] !== 0) slot = (slot + 1) & mask;
    }
    tab[slot] = key;
    this.n++;
  }

  private toDense(): void {
    if (this.dense !== null) return;
    const d = new DenseRegisters(this.p);
    for (const key of this.tab ?? []) {
      if (key === 0) continue;
      const hash = key - 1;
      const hi = Math.floor(hash / LO_SPAN);
      d.raise(hi >>> (32 - this.p), rho(hi, hash - hi * LO_SPAN, this.p));
    }
    this.dense = d;
    this.tab = null;
    this.n = 0;
    this.est = -1;
  }

  toState(): HllState {
    return this.dense === null ? sparseState(this.p, this.tab ?? []) : denseState(this.p, this.dense);
  }

  /** The state in binary, for a checkpoint (hll-state.ts). */
  write(w: ByteWriter): void {
    writeHll(w, this.p, this.tab, this.dense);
  }

  static read(r: ByteReader): Hll {
    return Hll.of(readHll(r));
  }

  static fromState(state: HllState): Hll {
    return Hll.of(readState(state));
  }

  private static of(r: ReadState): Hll {
    const s = new Hll(r.p);
    if (r.keys !== undefined) for (const key of r.keys) s.insertKey(key);
    else s.dense = DenseRegisters.fromValues(r.p, r.values);
    return s;
  }
}

/** Position of the first 1 bit in the q = 53 - p hash bits after the index (q + 1 if none). */
function rho(hi: number, lo: number, p: number): number {
  const w = hi << p;
  if (w !== 0) return Math.clz32(w) + 1;
  return lo !== 0 ? 32 - p + Math.clz32(lo) - (32 - LO_BITS) + 1 : 54 - p;
}

function newTable(cap: number): number[] {
  return new Array<number>(cap).fill(0);
}

function rehash(old: number[], cap: number): number[] {
  const tab = newTable(cap);
  const mask = cap - 1;
  for (const key of old) {
    if (key === 0) continue;
    let slot = Math.floor((key - 1) / LO_SPAN) & mask;
    while (tab[slot] !== 0) slot = (slot + 1) & mask;
    tab[slot] = key;
  }
  return tab;
}
