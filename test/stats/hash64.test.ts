// The distinct-count hash: fixed (a replay must give the same registers on every run and version),
// a whole-string function of UTF-16 code units, and well mixed on the near-identical strings logs
// are full of (sequential ids, IPs that differ in one digit).
import { describe, expect, it } from 'vitest';
import { hash64 } from '../../src/stats/hash64.js';

const out = new Uint32Array(2);
const h = (s: string): string => {
  hash64(s, out);
  return out[0]!.toString(16).padStart(8, '0') + out[1]!.toString(16).padStart(8, '0');
};

describe('hash64', () => {
  it('is seeded by a constant: these values are part of the replay contract', () => {
    // Changing the hash or its seed changes every distinct count a replay gives: do it on purpose only.
    expect([h(''), h('a'), h('10.0.0.1'), h('user-123456789'), h('é😀')]).toMatchInlineSnapshot(`
      [
        "77ee66bcec3eed2b",
        "2ff5fba9cbc556bb",
        "826f58e1215be20f",
        "6f821f2827f3e477",
        "2edbe93502d8769e",
      ]
    `);
  });

  it('takes every code unit and the length into account', () => {
    const seen = new Set<string>();
    const inputs = ['', '\0', '\0\0', '\0\0\0', '\0\0\0\0', '\0\0\0\0\0', 'a', 'a\0', 'ab', 'ba', 'abc', 'abcd', 'abcde',
      'abcdf', 'bbcde', '\ud83d\ude00', '\ude00\ud83d', '\ud83d', 'x'.repeat(1000), 'x'.repeat(1001)];
    for (const s of inputs) seen.add(h(s));
    expect(seen.size).toBe(inputs.length);
  });

  it('has no collision among 1,000,000 sequential ids and IPs (53 bits kept)', () => {
    const all = new Float64Array(1_000_000);
    for (let i = 0; i < 500_000; i++) {
      hash64(`id${i}`, out);
      all[2 * i] = out[0]! * 2 ** 21 + (out[1]! >>> 11);
      hash64(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, out);
      all[2 * i + 1] = out[0]! * 2 ** 21 + (out[1]! >>> 11);
    }
    all.sort();
    let dups = 0;
    for (let i = 1; i < all.length; i++) if (all[i] === all[i - 1]) dups++;
    expect(dups).toBe(0);
  });

  it('avalanches: changing one character flips about half of the 64 bits', () => {
    let flips = 0;
    let min = 64;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const s = `user-${i}-session`;
      hash64(s, out);
      const a0 = out[0]!, a1 = out[1]!;
      const pos = i % s.length;
      hash64(s.slice(0, pos) + String.fromCharCode(s.charCodeAt(pos) ^ (1 << (i % 7))) + s.slice(pos + 1), out);
      const f = popcount(a0 ^ out[0]!) + popcount(a1 ^ out[1]!);
      flips += f;
      min = Math.min(min, f);
    }
    expect(flips / n).toBeGreaterThan(31.5);
    expect(flips / n).toBeLessThan(32.5);
    expect(min).toBeGreaterThan(10);
  });

  it('spreads sequential values evenly over 2^14 buckets and gives geometric leading-zero runs', () => {
    const m = 1 << 14;
    const n = 50 * m;
    const buckets = new Uint32Array(m);
    const zeros = new Uint32Array(33);
    for (let i = 0; i < n; i++) {
      hash64(`${i}`, out);
      buckets[out[0]! >>> 18]!++;
      zeros[Math.clz32((out[0]! << 14) | 1)]!++; // leading zeros of the 18 bits after the index
    }
    // Chi-square with m - 1 degrees of freedom: mean m, sd sqrt(2m) = 181; 5 sd is a failure.
    let chi = 0;
    for (const b of buckets) chi += (b - 50) ** 2 / 50;
    expect(Math.abs(chi - m)).toBeLessThan(5 * Math.sqrt(2 * m));
    // P(run of k zeros) = 2^-(k+1), for the first 10 k: within 5 binomial standard deviations.
    for (let k = 0; k < 10; k++) {
      const p = 2 ** -(k + 1);
      expect(Math.abs(zeros[k]! - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
  });
});

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
