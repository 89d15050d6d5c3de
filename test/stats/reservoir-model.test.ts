// The reservoir settles updates lazily and cuts with a bucket histogram; this checks it against an
// eager model written for clarity: every update is offered at once, a cut sorts the whole buffer.
// Streams mix out-of-order and non-finite times, long gaps (priorities underflowing to 0), forced
// rescales, ties (repeated u), reads at random moments and restores from JSON state.
import { describe, expect, it } from 'vitest';
import { Prng, hashKey } from '../../src/stats/prng.js';
import { ForwardDecayReservoir, MAX_EXPONENT, type ReservoirState } from '../../src/stats/reservoir.js';

/** A Prng cycling through a short list of u values: equal priorities are frequent. */
class CycleU extends Prng {
  private i = 0;
  constructor(private readonly us: number[]) {
    super(0);
  }
  override next(): number {
    return this.us[this.i++ % this.us.length]!;
  }
}

class EagerModel {
  prio: number[] = [];
  vals: number[] = [];
  threshold = -Infinity;
  landmark = NaN;

  constructor(readonly size: number, readonly alpha: number, readonly rescaleSec: number, readonly prng: Prng) {}

  update(value: number, t: number): void {
    if (!Number.isFinite(t)) return;
    if (Number.isNaN(this.landmark)) this.landmark = t;
    const x = this.alpha * (t - this.landmark);
    let g: number;
    if (t - this.landmark >= this.rescaleSec || x > MAX_EXPONENT) {
      const factor = Math.exp(-this.alpha * (t - this.landmark));
      this.prio = this.prio.map((p) => p * factor);
      this.threshold *= factor;
      this.landmark = t;
      g = 1;
    } else {
      g = Math.exp(x);
    }
    const p = g / this.prng.next();
    if (p <= this.threshold) return;
    this.prio.push(p);
    this.vals.push(value);
    if (this.prio.length === 2 * this.size) this.cut();
  }

  /** Keeps the `size` highest priorities; among equal ones the earlier offered. */
  cut(): void {
    const n = this.prio.length;
    if (n <= this.size) return;
    const byRank = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.prio[a]! - this.prio[b]! || b - a);
    const dropped = new Set(byRank.slice(0, n - this.size));
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !dropped.has(i));
    this.prio = keep.map((i) => this.prio[i]!);
    this.vals = keep.map((i) => this.vals[i]!);
    this.threshold = Math.min(...this.prio);
  }

  /** What toState() gives (sorted entries; the threshold a full reservoir implies). */
  state(): ReservoirState {
    this.cut();
    const order = this.prio.map((_, i) => i).sort((a, b) => this.prio[a]! - this.prio[b]! || this.vals[a]! - this.vals[b]!);
    const priorities = order.map((i) => this.prio[i]!);
    if (priorities.length === this.size && priorities[0]! > this.threshold) this.threshold = priorities[0]!;
    return {
      size: this.size,
      alpha: this.alpha,
      rescaleThresholdSec: this.rescaleSec === Infinity ? null : this.rescaleSec,
      landmark: Number.isNaN(this.landmark) ? null : this.landmark,
      priorities,
      values: order.map((i) => this.vals[i]!),
      prng: this.prng.getState(),
      threshold: this.threshold === -Infinity ? null : this.threshold,
    };
  }

  static fromState(s: ReservoirState, prng: Prng): EagerModel {
    const m = new EagerModel(s.size, s.alpha, s.rescaleThresholdSec ?? Infinity, prng);
    m.landmark = s.landmark ?? NaN;
    m.prio = [...s.priorities];
    m.vals = [...s.values];
    if (typeof s.threshold === 'number') m.threshold = s.threshold;
    return m;
  }
}

interface Case {
  size: number;
  alpha: number;
  rescaleSec: number;
  readEvery: number; // mean updates between reads
  ties: boolean; // repeated u values and few distinct values
}

/** Log times: mostly rising with shared seconds, some far out of order, some gaps, some non-finite. */
function times(rng: Prng, count: number): number[] {
  const out: number[] = [];
  let t = 1_700_000_000;
  for (let i = 0; i < count; i++) {
    const d = rng.nextUint32() % 1000;
    if (d < 5) out.push(d < 2 ? Number.NaN : d < 4 ? Infinity : -Infinity);
    else if (d < 15) out.push(t - (rng.nextUint32() % 4000)); // out of order, up to an hour back
    else if (d < 17) out.push(t - 400 * 86400); // a year back: priority underflows to 0
    else {
      if (d < 19) t += 7 * 86400; // a week's gap: held priorities underflow to 0 at the rescale
      else if (d < 400) t += (rng.nextUint32() % 3) * (d < 200 ? 1 : 0.25);
      out.push(t);
    }
  }
  return out;
}

function run(c: Case, seed: number, updates: number): void {
  const rng = new Prng(seed);
  const us = Array.from({ length: 7 }, () => rng.next());
  const mkPrng = (k: string): Prng => (c.ties ? new CycleU(us) : new Prng(hashKey(k)));
  // Two reservoirs with different landmarks fed the same times: they must not share exp results.
  let rs = [0, 1].map((k) => new ForwardDecayReservoir(c.size, c.alpha, c.rescaleSec, mkPrng(`r${k}`)));
  let ms = [0, 1].map((k) => new EagerModel(c.size, c.alpha, c.rescaleSec, mkPrng(`r${k}`)));
  rs[1]!.update(0, 1_699_999_000.5);
  ms[1]!.update(0, 1_699_999_000.5);
  const ts = times(rng, updates);
  for (let i = 0; i < ts.length; i++) {
    const v = c.ties ? rng.nextUint32() % 3 : rng.nextUint32() % 100000;
    for (let k = 0; k < 2; k++) {
      rs[k]!.update(v, ts[i]!);
      ms[k]!.update(v, ts[i]!);
    }
    const roll = rng.nextUint32() % (c.readEvery * 20);
    if (roll < 20) {
      for (let k = 0; k < 2; k++) {
        const r = rs[k]!;
        const m = ms[k]!;
        if (roll < 10) {
          m.cut();
          expect(r.count).toBe(m.prio.length);
          expect(Array.from(r.buffer.subarray(0, 2 * r.count).filter((_, i) => i % 2 === 1)).sort((a, b) => a - b)).toEqual([...m.vals].sort((a, b) => a - b));
        } else {
          expect(r.landmark).toEqual(m.landmark);
          expect(r.toState()).toEqual(m.state());
        }
      }
    } else if (roll === 20 && !c.ties) {
      // restore both from the JSON checkpoint (CycleU's position cannot be restored)
      rs = rs.map((r) => ForwardDecayReservoir.fromState(JSON.parse(JSON.stringify(r.toState())) as ReservoirState));
      ms = ms.map((m) => {
        const s = JSON.parse(JSON.stringify(m.state())) as ReservoirState;
        return EagerModel.fromState(s, Prng.fromState(s.prng));
      });
    }
  }
  for (let k = 0; k < 2; k++) expect(rs[k]!.toState()).toEqual(ms[k]!.state());
}

describe('ForwardDecayReservoir against an eager model', () => {
  const cases: Case[] = [];
  for (const size of [1, 3, 64, 256]) {
    for (const alpha of [0, 0.15, 4]) {
      for (const rescaleSec of [60, Infinity]) {
        for (const readEvery of [2, 90, 2000]) cases.push({ size, alpha, rescaleSec, readEvery, ties: false });
        cases.push({ size, alpha, rescaleSec, readEvery: 40, ties: true });
      }
    }
  }
  it.each(cases)('size $size alpha $alpha rescale $rescaleSec read every ~$readEvery ties $ties', (c) => {
    for (const seed of [1, 2]) run(c, seed * 1000 + c.size, c.size >= 64 && c.readEvery > 2 ? 6000 : 1500);
  });

  it('among equal priorities at a cut keeps the earlier offered', () => {
    // all priorities 2 (alpha 0, u 0.5): no read until the buffer (2 * size) fills
    const r = new ForwardDecayReservoir(3, 0, 3600, new CycleU([0.5]));
    for (let i = 1; i <= 5; i++) r.update(i, 0);
    expect(Array.from(r.values()).sort()).toEqual([1, 2, 3]);
    r.update(6, 0); // fills the buffer: cut
    r.update(7, 0); // equal to the threshold: dropped
    expect(Array.from(r.values()).sort()).toEqual([1, 2, 3]);
  });
});
