import { describe, expect, it } from 'vitest';
import { Summary, percentile, summarize } from '../../src/stats/snapshot.js';

describe('summarize', () => {
  it('matches the Go original on 15, 22, 37, 52', () => {
    const values = Float64Array.of(52, 15, 37, 22);
    const s = summarize(values, 4, new Summary());
    expect(s.min).toBe(15);
    expect(s.max).toBe(52);
    expect(s.mean).toBe(31.5);
    expect(s.stddev.toFixed(6)).toBe('14.256577');
    expect(s.p50).toBe(29.5);
    expect(s.p75).toBe(48.25);
    expect(s.p95).toBe(52);
    expect(s.p99).toBe(52);
    expect(s.p999).toBe(52);
    expect(s.size).toBe(4);
    // the caller's storage is not reordered
    expect(Array.from(values)).toEqual([52, 15, 37, 22]);
  });

  it('the mean is the compensated mean, whether the plain integer sum or the compensated one is taken', () => {
    // Neumaier's sum written out, as summarize used it for every sample before integers took the plain sum.
    const neumaier = (a: number[]): number => {
      let sum = 0;
      let c = 0;
      for (const v of a) {
        const t = sum + v;
        c += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
        sum = t;
      }
      return sum + c;
    };
    let seed = 3;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    const samples: number[][] = [
      [1e16, 1, -1e16, 1], [2 ** 31 - 1, 2 ** 31 - 1, -(2 ** 31), 7], [0.1, 0.2, 0.3], [2 ** 40, 1, 1, 1], [-0, 0, -5, 5],
    ];
    for (let k = 0; k < 300; k++) {
      const n = 1 + Math.floor(rnd() * 300);
      const scale = 10 ** Math.floor(rnd() * 12);
      const ints = k % 2 === 0;
      samples.push(Array.from({ length: n }, () => (ints ? Math.floor((rnd() - 0.4) * scale) : (rnd() - 0.4) * scale)));
    }
    for (const a of samples) {
      const s = summarize(Float64Array.from(a), a.length, new Summary());
      expect(s.mean, a.slice(0, 4).join(',')).toBe(neumaier(a) / a.length);
    }
  });

  it('uses only the first n values and reuses `out`', () => {
    const out = new Summary();
    const values = Float64Array.of(3, 1, 2, 1000, -1000);
    expect(summarize(values, 3, out)).toBe(out);
    expect(out.min).toBe(1);
    expect(out.max).toBe(3);
    expect(out.mean).toBe(2);
    expect(out.stddev).toBeCloseTo(Math.sqrt(2 / 3), 15);
    expect(out.p50).toBe(2); // pos 2
    expect(out.p75).toBe(3); // pos 3 >= n
    expect(out.size).toBe(3);
  });

  it('interpolates at p * (n + 1) over 1..100', () => {
    const v = new Float64Array(100);
    for (let i = 0; i < 100; i++) v[99 - i] = i + 1;
    const s = summarize(v, 100, new Summary());
    expect(s.p50).toBeCloseTo(50.5, 12); // pos 50.5
    expect(s.p75).toBeCloseTo(75.75, 12); // pos 75.75
    expect(s.p95).toBeCloseTo(95.95, 12);
    expect(s.p99).toBeCloseTo(99.99, 12);
    expect(s.p999).toBe(100); // pos 100.899 >= 100
    expect(s.mean).toBe(50.5);
    expect(s.stddev).toBeCloseTo(28.86607004772212, 12); // sqrt((100^2 - 1) / 12)
  });

  it('one value: everything is that value, std-dev 0', () => {
    const s = summarize(Float64Array.of(7.25), 1, new Summary());
    expect([s.min, s.max, s.mean, s.stddev, s.p50, s.p75, s.p95, s.p99, s.p999, s.size]).toEqual([
      7.25, 7.25, 7.25, 0, 7.25, 7.25, 7.25, 7.25, 7.25, 1,
    ]);
  });

  it('n = 0 gives zeros', () => {
    const out = summarize(Float64Array.of(5), 1, new Summary());
    summarize(new Float64Array(0), 0, out);
    expect([out.min, out.max, out.mean, out.stddev, out.p50, out.p999, out.size]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('grows its scratch buffer beyond 256 and sorts numerically', () => {
    const n = 1000;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = ((i * 7919) % n) + 0.5; // a permutation of 0.5..999.5
    const s = summarize(v, n, new Summary());
    expect(s.min).toBe(0.5);
    expect(s.max).toBe(999.5);
    expect(s.p50).toBeCloseTo(500, 12); // pos 500.5: 499.5 + 0.5
    // then a smaller summary still works with the grown buffer
    summarize(Float64Array.of(10, 9, 100), 3, s);
    expect([s.min, s.p50, s.max]).toEqual([9, 10, 100]);
  });

  it('percentile() edge positions', () => {
    const sorted = Float64Array.of(1, 2, 3, 4);
    expect(percentile(sorted, 4, 0.1)).toBe(1); // pos 0.5 < 1
    expect(percentile(sorted, 4, 0.2)).toBe(1); // pos 1.0
    expect(percentile(sorted, 4, 0.3)).toBeCloseTo(1.5, 12);
    expect(percentile(sorted, 4, 0.8)).toBe(4); // pos 4.0 >= n
  });

  it('counting (small-range integers), buckets (wide non-negative) and selection (anything else) agree with a full sort, for every n up to 300 and a few larger', () => {
    // A reference that sorts and interpolates at p * (n + 1), go-metrics style.
    const ref = (xs: number[], p: number): number => {
      const a = [...xs].sort((x, y) => x - y);
      const pos = p * (a.length + 1);
      if (pos < 1) return a[0]!;
      if (pos >= a.length) return a[a.length - 1]!;
      const f = Math.floor(pos);
      return a[f - 1]! + (pos - f) * (a[f]! - a[f - 1]!);
    };
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const shapes: Array<(i: number) => number> = [
      () => Math.floor(rnd() * 40),            // small integer range: counting
      () => Math.floor(rnd() * 5) - 2,         // negatives and many ties
      () => Math.floor(rnd() * 1e6),           // wide integer range: selection
      () => rnd() * 100,                       // floats: selection
      (i) => (i % 2 ? 3 : -0),                 // -0 and one other value
      () => (rnd() < 0.3 ? 0 : Math.round(Math.exp(rnd() * 12))), // long-tailed, zeros: buckets on the high words
      () => Math.exp(rnd() * 30 - 15),         // long-tailed floats, no zeros: buckets
      () => 1000 + rnd() * 1e-9,               // one crowded bucket: selection again
      (i) => (i % 3 ? 5e-324 * i : i % 2 ? -0 : 0), // subnormals and zeros share bucket 0
      (i) => (i % 5 ? 2 ** 30 + i : 2 ** 40),   // wide gap, two clusters
    ];
    const out = new Summary();
    for (const shape of shapes) {
      for (const n of [...Array.from({ length: 300 }, (_, i) => i + 1), 1000, 4099, 40000]) {
        const xs = Array.from({ length: n }, (_, i) => shape(i));
        summarize(Float64Array.from(xs), n, out);
        const got = [out.p50, out.p75, out.p95, out.p99, out.p999];
        const want = [0.5, 0.75, 0.95, 0.99, 0.999].map((p) => ref(xs, p));
        expect(got.map((v) => v + 0), `n=${n} ${xs.slice(0, 300).join(',')}`).toEqual(want.map((v) => v + 0));
        expect(out.min + 0).toBe(xs.reduce((a, b) => Math.min(a, b)) + 0);
        expect(out.max + 0).toBe(xs.reduce((a, b) => Math.max(a, b)) + 0);
      }
    }
  });
});
