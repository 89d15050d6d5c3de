// HyperLogLog++ sketch: exact below the sparse threshold, within its standard error above, the same
// registers whatever the order or the history (replays, restarts and merges agree), and small.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRECISION, Hll, MAX_PRECISION, MIN_PRECISION, type HllState } from '../../src/stats/hll.js';
import { standardError } from '../../src/stats/hll-estimate.js';
import { hash64 } from '../../src/stats/hash64.js';

const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const filled = (n: number, value: (i: number) => string = (i) => `v${i}`, p = DEFAULT_PRECISION): Hll => {
  const h = new Hll(p);
  for (let i = 0; i < n; i++) h.add(value(i));
  return h;
};
const roundTrip = (h: Hll): Hll => Hll.fromState(JSON.parse(JSON.stringify(h.toState())) as HllState);

describe('small sets: the sparse form counts exactly', () => {
  it('gives the exact number of distinct values up to its threshold (768 at p = 14), repeats ignored', () => {
    const h = new Hll();
    expect(h.sparseLimit).toBe(768);
    expect(h.count()).toBe(0);
    expect(h.isEmpty).toBe(true);
    for (let i = 0; i < 768; i++) {
      h.add(ip(i));
      h.add(ip(i >> 1)); // a repeat of an earlier value
      expect(h.count()).toBe(i + 1);
    }
    expect(h.isSparse).toBe(true);
    h.add(ip(768));
    expect(h.isSparse).toBe(false);
    expect(Math.abs(h.count() - 769)).toBeLessThan(769 * 2 * standardError(2 ** 14));
  });

  it('is exact for every precision below its own threshold, and on awkward values', () => {
    for (const p of [MIN_PRECISION, 8, 12, 16, MAX_PRECISION]) {
      const limit = new Hll(p).sparseLimit;
      const values = ['', ' ', 'é', '😀', '\ud83d', 'a'.repeat(5000), ...Array.from({ length: limit }, (_, i) => `user-${i}`)].slice(0, limit);
      const h = new Hll(p);
      for (const v of values) h.add(v);
      for (const v of values) h.add(v);
      expect(h.count(), `p=${p}`).toBe(values.length);
      expect(h.isSparse).toBe(true);
    }
    expect(new Hll(MIN_PRECISION).sparseLimit).toBe(6);
    expect(new Hll(MAX_PRECISION).sparseLimit).toBe(12288);
  });

  it('rejects a precision outside 4..18', () => {
    for (const p of [3, 19, 14.5, Number.NaN]) expect(() => new Hll(p)).toThrow(/precision must be an integer in 4\.\.18/);
  });
});

describe('large sets: the dense estimate', () => {
  it('is within 2% at 1M and 10M distinct values', () => {
    for (const n of [1_000_000, 10_000_000]) {
      const h = filled(n, (i) => `session-${i}`);
      const err = (h.count() - n) / n;
      console.log(`${n} distinct values: count ${h.count()}, error ${(err * 100).toFixed(3)}%`);
      expect(Math.abs(err)).toBeLessThan(0.02);
    }
  });

  it('over 100 seeds at 100k: 95% of the errors within 2 standard errors, no bias', () => {
    const n = 100_000;
    const se = standardError(2 ** 14);
    let within = 0;
    let sum = 0;
    for (let seed = 0; seed < 100; seed++) {
      const err = (filled(n, (i) => `${seed}:${i}`).count() - n) / n;
      if (Math.abs(err) <= 2 * se) within++;
      sum += err;
    }
    console.log(`100 seeds at 100k: ${within} within 2 SE (${(2 * se * 100).toFixed(2)}%), mean error ${(sum).toFixed(3)}%`);
    expect(within).toBeGreaterThanOrEqual(95);
    // The mean of 100 errors has a standard deviation of se / 10; 3 of those is a bias.
    expect(Math.abs(sum / 100)).toBeLessThan(3 * se / 10);
  });

  it('has no jump where the sparse form ends: just past it the error is that of linear counting', () => {
    // Few values in many registers: the standard deviation is sqrt(m (e^t - t - 1)), t = n/m
    // (Whang et al. 1990), 4.5 values at n = 800, m = 2^14.
    const m = 2 ** 14;
    const n = 800;
    const sd = Math.sqrt(m * (Math.exp(n / m) - n / m - 1));
    let sq = 0;
    for (let seed = 0; seed < 50; seed++) {
      const err = filled(n, (i) => `${seed}/${i}`).count() - n;
      expect(Math.abs(err)).toBeLessThan(4 * sd);
      sq += err * err;
    }
    expect(Math.sqrt(sq / 50)).toBeLessThan(1.5 * sd);
  });
});

describe('the 4-bit registers', () => {
  it('hold exactly the registers of a plain one-byte-per-register HyperLogLog', () => {
    // Reference: index = first p bits of the 53-bit hash, rho = first 1 bit of the other 39 (40 if none).
    const p = 14;
    const ref = new Uint8Array(2 ** p);
    const out = new Uint32Array(2);
    const h = new Hll(p);
    let checked = 0;
    for (let i = 0; i < 2_000_000; i++) {
      const v = `r${i}`;
      h.add(v);
      hash64(v, out);
      const hash = BigInt(out[0]!) << 21n | BigInt(out[1]! >>> 11);
      const idx = Number(hash >> 39n);
      const rest = hash & ((1n << 39n) - 1n);
      const rho = rest === 0n ? 40 : 39 - rest.toString(2).length + 1;
      if (rho > ref[idx]!) ref[idx] = rho;
      if (i === 1000 || i === 100_000 || i === 400_000 || i === 1_999_999) {
        expect(registersOf(h.toState()), `after ${i + 1} values`).toEqual(ref);
        checked++;
      }
    }
    expect(checked).toBe(4);
    const state = h.toState() as { min: number; aux: unknown[] };
    expect(state.min).toBeGreaterThan(2); // the minimum moved up: rebased several times
    expect(state.aux.length).toBeGreaterThan(0); // and some registers are 15 or more above it
  });
});

/** Register values from a dense state (nibble offsets from min, larger ones in aux). */
function registersOf(s: HllState): Uint8Array {
  const d = s as { p: number; dense: string; min: number; aux: Array<[number, number]> };
  const nib = Buffer.from(d.dense, 'base64');
  const out = new Uint8Array(2 ** d.p);
  for (let i = 0; i < out.length; i++) out[i] = d.min + ((nib[i >>> 1]! >>> ((i & 1) * 4)) & 15);
  for (const [i, v] of d.aux) out[i] = v;
  return out;
}

describe('the same values give the same sketch', () => {
  it('whatever the order they come in', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    const a = new Hll();
    const b = new Hll();
    for (const v of values) a.add(v);
    for (const v of [...values].reverse()) b.add(v);
    expect(b.toState()).toEqual(a.toState());
  });

  it('merge gives the sketch of the union, sparse or dense on either side', () => {
    for (const [na, nb] of [[10, 20], [10, 3000], [3000, 10], [3000, 40000], [500, 500]] as const) {
      const a = filled(na, (i) => `a${i}`);
      const b = filled(nb, (i) => `b${i}`);
      const union = new Hll();
      for (let i = 0; i < na; i++) union.add(`a${i}`);
      for (let i = 0; i < nb; i++) union.add(`b${i}`);
      a.merge(b);
      expect(a.toState(), `${na} + ${nb}`).toEqual(union.toState());
      expect(a.count()).toBe(union.count());
    }
    expect(() => new Hll(12).merge(new Hll(14))).toThrow(/precision 14 and 12/);
  });

  it('round-trips through its plain-data state, and goes on counting exactly as the original', () => {
    for (const n of [0, 1, 10, 768, 769, 5000, 300_000]) {
      const a = filled(n);
      const b = roundTrip(a);
      expect(b.count(), `n=${n}`).toBe(a.count());
      expect(b.toState()).toEqual(a.toState());
      for (let i = n; i < n + 2000; i++) {
        a.add(`v${i}`);
        b.add(`v${i}`);
      }
      expect(b.toState()).toEqual(a.toState());
      expect(b.count()).toBe(a.count());
    }
  });

  it('clear() starts over from an empty sparse sketch', () => {
    const h = filled(5000);
    h.clear();
    expect(h.isEmpty && h.isSparse).toBe(true);
    h.add('x');
    expect(h.count()).toBe(1);
  });
});

describe('state is compact and checked', () => {
  it('stores 7 bytes a value while sparse and 8 KB of registers when dense (p = 14)', () => {
    const sparse = filled(10).toState() as { sparse: string };
    expect(Buffer.from(sparse.sparse, 'base64')).toHaveLength(70);
    const dense = filled(100_000).toState() as { dense: string; aux: unknown[] };
    expect(Buffer.from(dense.dense, 'base64')).toHaveLength(8192);
    expect(dense.aux.length).toBeLessThan(50);
  });

  it('rejects damaged states', () => {
    const dense = filled(5000).toState() as { p: number; dense: string; min: number; aux: Array<[number, number]> };
    const bad: unknown[] = [
      null, { p: 14 }, { p: 3, sparse: '' }, { p: 14, sparse: 'AAAA' }, { p: 14, sparse: 7 },
      { p: 14, sparse: Buffer.from([0, 0, 0, 1, 0xff, 0xff, 0xff]).toString('base64') }, { p: '14', sparse: '' },
      { ...dense, dense: dense.dense.slice(8) }, { ...dense, min: -1 }, { ...dense, min: 41 },
      { ...dense, aux: [[0, 99]] }, { ...dense, aux: [[20000, 30]] }, { ...dense, aux: 'x' },
      { ...dense, dense: Buffer.alloc(8192, 0xff).toString('base64') },
    ];
    for (const s of bad) expect(() => Hll.fromState(s as HllState), JSON.stringify(s)?.slice(0, 60)).toThrow();
  });
});
