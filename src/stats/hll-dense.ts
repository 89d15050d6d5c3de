// The dense registers of a HyperLogLog sketch, 4 bits each (m/2 bytes: 8 KB at p = 14).
//
// A register holds 0..q+1 (q = 53 - p, up to 6 bits), but in a filled sketch nearly all registers lie
// within a few steps of one another, so each is stored as a 4-bit offset from the smallest one
// (`curMin`), and the rare register 15 or more above it is kept exactly in a side map (nibble 15
// marks it). The layout of Apache DataSketches' HLL_4 (datasketches.apache.org, "HLL Sketch"): no
// register value is ever lost, so the estimate is that of 8-bit registers at half their memory.
//
// One Int32Array holds both the nibbles (8 per word) and the histogram of register values that the
// estimator needs (hll-estimate.ts), kept current on every change so a count costs O(q), not O(m).

const AUX = 15;

export class DenseRegisters {
  /** Nibbles in words [0, m/8), then hist[k] at words m/8 + k for k = 0..q+1. */
  readonly a: Int32Array;
  readonly m: number;
  readonly q: number;
  /** Word index of hist[0]. */
  readonly h: number;
  /** Smallest register value; every nibble is an offset from it. */
  curMin: number;
  /** Registers whose value is curMin + 15 or more: index -> value. */
  aux: Map<number, number> | null;

  constructor(p: number) {
    this.m = 2 ** p;
    this.q = 53 - p;
    this.h = this.m >>> 3;
    this.a = new Int32Array(this.h + this.q + 2);
    this.a[this.h] = this.m; // all registers hold 0
    this.curMin = 0;
    this.aux = null;
  }

  /** Value of register i. */
  get(i: number): number {
    const nib = (this.a[i >>> 3]! >>> ((i & 7) << 2)) & 15;
    return nib === AUX ? this.aux!.get(i)! : this.curMin + nib;
  }

  /** The registers of `values` (one byte each, 0..q+1). */
  static fromValues(p: number, values: Uint8Array): DenseRegisters {
    const d = new DenseRegisters(p);
    const a = d.a;
    a[d.h] = 0;
    let min = d.q + 1;
    for (let i = 0; i < d.m; i++) {
      const v = values[i]!;
      a[d.h + v]!++;
      if (v < min) min = v;
    }
    d.curMin = min;
    for (let i = 0; i < d.m; i++) d.put(i, values[i]!);
    return d;
  }

  /** Raises register i to v if v is above its value; returns whether it did. */
  raise(i: number, v: number): boolean {
    const nib = (this.a[i >>> 3]! >>> ((i & 7) << 2)) & 15;
    if (nib !== AUX && v <= this.curMin + nib) return false;
    const old = nib === AUX ? this.aux!.get(i)! : this.curMin + nib;
    if (v <= old) return false;
    this.put(i, v);
    const a = this.a;
    a[this.h + old]!--;
    a[this.h + v]!++;
    if (old === this.curMin && a[this.h + old] === 0) this.rebase();
    return true;
  }

  /** Writes v into register i's nibble (or the side map); the histogram is the caller's. */
  private put(i: number, v: number): void {
    const off = v - this.curMin;
    let nib = off;
    if (off >= AUX) {
      nib = AUX;
      (this.aux ??= new Map()).set(i, v);
    } else if (this.aux !== null && this.aux.delete(i) && this.aux.size === 0) {
      this.aux = null;
    }
    const w = i >>> 3;
    const sh = (i & 7) << 2;
    this.a[w] = (this.a[w]! & ~(15 << sh)) | (nib << sh);
  }

  /** The smallest register went up: re-express every register from the new minimum. O(m), and
   *  it happens about log2(n/m) times in a sketch's life. */
  private rebase(): void {
    const a = this.a;
    let min = this.curMin;
    while (a[this.h + min] === 0) min++;
    const values = new Uint8Array(this.m);
    for (let i = 0; i < this.m; i++) values[i] = this.get(i);
    this.curMin = min;
    this.aux = null;
    for (let i = 0; i < this.m; i++) this.put(i, values[i]!);
  }

  /** Estimate input: the histogram lives in `a` from word `h`. */
  get histogramAt(): number {
    return this.h;
  }

  /** Register values as bytes (for serialising and merging). */
  values(): Uint8Array {
    const out = new Uint8Array(this.m);
    for (let i = 0; i < this.m; i++) out[i] = this.get(i);
    return out;
  }

  /** Heap bytes, approximately: this object, the array with its buffer, and the side map. */
  bytes(): number {
    return this.a.byteLength + 260 + (this.aux === null ? 0 : 80 + 24 * this.aux.size);
  }
}
