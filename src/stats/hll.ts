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
// when the switch happened: a replay, a restart or a merge gives the same numbers.
import { DenseRegisters } from './hll-dense.js';
import { estimateCardinality } from './hll-estimate.js';
import { hash64 } from './hash64.js';

export const DEFAULT_PRECISION = 14;
export const MIN_PRECISION = 4;
export const MAX_PRECISION = 18;

const LO_BITS = 21;                  // bits of the low hash word kept (32 + 21 = 53)
const LO_SPAN = 2 ** LO_BITS;
const FIRST_CAP = 8;

/** Plain-data state: `sparse` (7 bytes per hash, big-endian, ascending, base64), or `dense`
 *  (register i's offset from `min` in nibble i, low nibble first, base64; offsets of 15 or more as
 *  [index, value] pairs in `aux`, ascending). */
export type HllState =
  | { p: number; sparse: string }
  | { p: number; dense: string; min: number; aux: Array<[number, number]> };

/** Scratch for hash64(): one per process, so hashing a value allocates nothing. */
const H = new Uint32Array(2);

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
    hash64(value, H);
    this.addHash(H);
  }

  /** Adds a value by its hash64() (h[0] high word, h[1] low word): hash once, add to several sketches.
   *  The common cases are handled here, on local numbers: a hash word above 2^30 passed to another
   *  (not inlined) function would be boxed, an allocation per value. */
  addHash(h: Uint32Array): void {
    const hi = h[0]!;
    const lo = h[1]! >>> (32 - LO_BITS);
    const d = this.dense;
    if (d !== null) {
      if (d.raise(hi >>> (32 - this.p), rho(hi, lo, this.p))) this.est = -1;
      return;
    }
    const key = hi * LO_SPAN + lo + 1;
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
    const d = this.dense;
    if (d === null) return { p: this.p, sparse: encodeHashes(this.tab) };
    const nibbles = new Uint8Array(d.m >>> 1);
    const aux: Array<[number, number]> = [];
    for (let i = 0; i < d.m; i++) {
      const v = d.get(i);
      let off = v - d.curMin;
      if (off >= 15) {
        off = 15;
        aux.push([i, v]);
      }
      nibbles[i >>> 1]! |= off << ((i & 1) << 2);
    }
    return { p: this.p, dense: Buffer.from(nibbles.buffer).toString('base64'), min: d.curMin, aux };
  }

  static fromState(state: HllState): Hll {
    if (state === null || typeof state !== 'object') throw new Error('invalid HyperLogLog state');
    const s = new Hll(state.p);
    if ('sparse' in state) {
      for (const key of decodeHashes(state.sparse)) s.insertKey(key);
      return s;
    }
    s.dense = DenseRegisters.fromValues(s.p, decodeDense(state, s.p));
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

function encodeHashes(tab: number[] | null): string {
  const keys = (tab ?? []).filter((k) => k !== 0).sort((a, b) => a - b);
  const buf = Buffer.alloc(keys.length * 7);
  keys.forEach((key, j) => {
    const hash = key - 1;
    const hi = Math.floor(hash / LO_SPAN);
    buf.writeUInt32BE(hi, j * 7);
    buf.writeUIntBE(hash - hi * LO_SPAN, j * 7 + 4, 3);
  });
  return buf.toString('base64');
}

function decodeHashes(text: unknown): number[] {
  if (typeof text !== 'string') throw new Error('invalid HyperLogLog state: sparse');
  const buf = Buffer.from(text, 'base64');
  if (buf.length % 7 !== 0) throw new Error('invalid HyperLogLog state: sparse length');
  const keys: number[] = [];
  for (let j = 0; j < buf.length; j += 7) {
    const lo = buf.readUIntBE(j + 4, 3);
    if (lo >= LO_SPAN) throw new Error('invalid HyperLogLog state: sparse hash');
    keys.push(buf.readUInt32BE(j) * LO_SPAN + lo + 1);
  }
  return keys;
}

function decodeDense(state: { dense: unknown; min: unknown; aux: unknown }, p: number): Uint8Array {
  const m = 2 ** p;
  const top = 54 - p;
  const bad = (what: string): Error => new Error(`invalid HyperLogLog state: ${what}`);
  if (typeof state.dense !== 'string') throw bad('dense');
  const nibbles = Buffer.from(state.dense, 'base64');
  if (nibbles.length !== m >>> 1) throw bad('dense length');
  const min = state.min;
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 0 || min > top) throw bad('min');
  const values = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const off = (nibbles[i >>> 1]! >>> ((i & 1) << 2)) & 15;
    if (off < 15 && min + off > top) throw bad('register');
    values[i] = off === 15 ? 0 : min + off;
  }
  if (!Array.isArray(state.aux)) throw bad('aux');
  for (const e of state.aux as unknown[]) {
    if (!Array.isArray(e) || e.length !== 2) throw bad('aux entry');
    const [i, v] = e as unknown[];
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= m) throw bad('aux index');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min + 15 || v > top) throw bad('aux value');
    if (((nibbles[i >>> 1]! >>> ((i & 1) << 2)) & 15) !== 15) throw bad('aux index');
    values[i] = v;
  }
  for (let i = 0; i < m; i++) if (values[i] === 0 && ((nibbles[i >>> 1]! >>> ((i & 1) << 2)) & 15) === 15) throw bad('aux missing');
  return values;
}
