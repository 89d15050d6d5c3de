import { describe, expect, it } from 'vitest';
import { Prng, hashKey } from '../../src/stats/prng.js';

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

  it('rejects a malformed state', () => {
    expect(() => Prng.fromState([1, 2, 3])).toThrow();
    expect(() => Prng.fromState([1, 2, 3, 1.5])).toThrow();
    expect(() => Prng.fromState([1, 2, 3, 2 ** 32])).toThrow();
  });
});
