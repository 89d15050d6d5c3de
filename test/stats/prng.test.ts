import { describe, expect, it } from 'vitest';
import { Prng, hashKey } from '../../src/stats/prng.js';

/** The generator as first written (state in an Int32Array): the sequence must never change. */
class Int32ArraySfc32 {
  readonly s = new Int32Array(4);
  constructor(seed: number) {
    let x = (seed >>> 0) | 0;
    for (let i = 0; i < 3; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      z ^= z >>> 16;
      this.s[i] = z;
    }
    this.s[3] = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }
  nextUint32(): number {
    const s = this.s;
    const a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!;
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }
  next(): number {
    return (this.nextUint32() + 1) / 4294967296;
  }
  getState(): number[] {
    return Array.from(this.s, (w) => w >>> 0);
  }
}

// Reference values computed with an independent Python implementation of FNV-1a + fmix32 and of
// splitmix32-seeded sfc32 (12 warm-up rounds).
describe('hashKey', () => {
  it('matches reference values', () => {
    expect(hashKey('')).toBe(2872998923);
    expect(hashKey('a')).toBe(444641715);
    expect(hashKey('rest.api.executions.count')).toBe(551638621);
    expect(hashKey('héllo😀')).toBe(3757326888);
  });

  it('returns unsigned 32-bit integers and separates near keys', () => {
    const seen = new Set<number>();
    let bad = 0;
    for (let i = 0; i < 10000; i++) {
      const h = hashKey(`key.${i}`);
      if (!(Number.isInteger(h) && h >= 0 && h <= 0xffffffff)) bad++;
      seen.add(h);
    }
    expect(bad).toBe(0);
    expect(seen.size).toBe(10000);
  });
});

describe('Prng', () => {
  it('matches the reference sfc32 sequence', () => {
    const p = new Prng(12345);
    expect([p.nextUint32(), p.nextUint32(), p.nextUint32(), p.nextUint32()]).toEqual([
      1977310364, 4106765030, 1538400628, 2967644150,
    ]);
    const q = new Prng(0);
    expect([q.nextUint32(), q.nextUint32(), q.nextUint32()]).toEqual([591558436, 2737234123, 107644106]);
  });

  it('next() is (uint32 + 1) / 2^32', () => {
    const p = new Prng(12345);
    expect(p.next()).toBe(0.4603784449864179);
    expect(p.next()).toBe(0.9561807455029339);
    expect(p.next()).toBe(0.3581868086475879);
  });

  it('stays in (0, 1] and is roughly uniform', () => {
    const p = new Prng(hashKey('uniform'));
    let sum = 0;
    let below = 0;
    let outside = 0;
    const n = 200000;
    for (let i = 0; i < n; i++) {
      const u = p.next();
      if (!(u > 0 && u <= 1)) outside++;
      sum += u;
      if (u < 0.1) below++;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(below / n - 0.1)).toBeLessThan(0.005);
  });

  it('same seed gives the same sequence; different seeds differ', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    let differ = 0;
    for (let i = 0; i < 100; i++) {
      const x = a.next();
      expect(b.next()).toBe(x);
      if (c.next() !== x) differ++;
    }
    expect(differ).toBeGreaterThan(95);
  });

  it('fromState(getState()) continues the sequence, through JSON', () => {
    const a = new Prng(7);
    for (let i = 0; i < 10; i++) a.next();
    const state = JSON.parse(JSON.stringify(a.getState())) as number[];
    expect(state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)).toBe(true);
    const b = Prng.fromState(state);
    for (let i = 0; i < 50; i++) expect(b.next()).toBe(a.next());
  });

  it('matches the original Int32Array implementation, through getState / fromState', () => {
    for (const seed of [0, 1, 12345, 0xffffffff, -7, 2 ** 40 + 3, hashKey('rest.api.executions.count')]) {
      const ref = new Int32ArraySfc32(seed);
      let p = new Prng(seed);
      expect(p.getState()).toEqual(ref.getState());
      for (let i = 0; i < 100000; i++) {
        if (i % 2 === 0) expect(p.next()).toBe(ref.next());
        else expect(p.nextUint32()).toBe(ref.nextUint32());
        if (i % 9973 === 0) {
          expect(p.getState()).toEqual(ref.getState());
          p = Prng.fromState(JSON.parse(JSON.stringify(p.getState())) as number[]);
        }
      }
      expect(p.getState()).toEqual(ref.getState());
    }
    // signed words are accepted by fromState, as before
    const q = Prng.fromState([-1, -2147483648, 5, 0]);
    expect(q.getState()).toEqual([0xffffffff, 0x80000000, 5, 0]);
  });

  it('rejects a malformed state', () => {
    expect(() => Prng.fromState([1, 2, 3])).toThrow();
    expect(() => Prng.fromState([1, 2, 3, 1.5])).toThrow();
    expect(() => Prng.fromState([1, 2, 3, 2 ** 32])).toThrow();
  });
});
