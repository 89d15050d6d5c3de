import { describe, expect, it } from 'vitest';
import { Prng, hashKey } from '../../src/stats/prng.js';
import { ForwardDecayReservoir, type ReservoirState } from '../../src/stats/reservoir.js';

/** A Prng returning a fixed list of u values (cycled), so priorities can be computed by hand. */
class FixedU extends Prng {
  private i = 0;
  constructor(private readonly us: number[]) {
    super(0);
  }
  override next(): number {
    const u = this.us[this.i % this.us.length];
    this.i++;
    return u;
  }
}

function sortedValues(r: ForwardDecayReservoir): number[] {
  return Array.from(r.values()).sort((a, b) => a - b);
}

function sortedPriorities(r: ForwardDecayReservoir): number[] {
  return r.toState().priorities.sort((a, b) => a - b);
}

function allFinite(r: ForwardDecayReservoir): boolean {
  return r.toState().priorities.every((p) => Number.isFinite(p) && p >= 0);
}

describe('ForwardDecayReservoir priorities', () => {
  it('priority = exp(alpha (t - landmark)) / u, rescaled in seconds after the threshold', () => {
    const r = new ForwardDecayReservoir(10, 0.15, 60, new FixedU([0.5]));
    r.update(10, 0);
    expect(r.landmark).toBe(0);
    expect(sortedPriorities(r)).toEqual([2]);
    r.update(20, 30);
    const p = sortedPriorities(r);
    expect(p[0]).toBe(2);
    expect(p[1]).toBeCloseTo(180.03426260104362, 10); // e^4.5 / 0.5
    r.update(30, 61); // 61 s >= 60 s: landmark moves to 61, priorities * e^(-0.15 * 61)
    expect(r.landmark).toBe(61);
    const q = sortedPriorities(r);
    expect(q[0]).toBeCloseTo(0.0002124396054929175, 15); // 2 e^-9.15
    expect(q[1]).toBeCloseTo(0.01912320386108701, 14); // 180.034 e^-9.15
    expect(q[2]).toBe(2); // new value at the landmark
    expect(sortedValues(r)).toEqual([10, 20, 30]);
    r.update(40, 61); // same timestamp again: exponent 0
    r.update(50, 71); // e^1.5 / 0.5
    r.update(60, 71);
    const z = sortedPriorities(r);
    expect(z.slice(2, 4)).toEqual([2, 2]);
    expect(z[4]).toBeCloseTo(8.963378140676129, 12);
    expect(z[5]).toBeCloseTo(8.963378140676129, 12);
  });

  it('an out-of-order value gets a negative exponent', () => {
    const r = new ForwardDecayReservoir(10, 0.15, 3600, new FixedU([1]));
    r.update(1, 1000);
    r.update(2, 990);
    expect(r.landmark).toBe(1000);
    expect(sortedPriorities(r)).toEqual([Math.exp(-1.5), 1]);
    expect(sortedPriorities(r)[0]).toBeCloseTo(0.22313016014842982, 15);
  });

  it('keeps the highest priorities; a lower or equal one is not kept', () => {
    // alpha 0: priority = 1/u -> 2, 4, 1, 10, 5
    const r = new ForwardDecayReservoir(2, 0, 3600, new FixedU([0.5, 0.25, 1, 0.1, 0.2]));
    r.update(1, 0);
    r.update(2, 1);
    expect(sortedValues(r)).toEqual([1, 2]);
    r.update(3, 2); // priority 1 < 2: dropped
    expect(sortedValues(r)).toEqual([1, 2]);
    r.update(4, 3); // 10 replaces 2
    expect(sortedValues(r)).toEqual([2, 4]);
    r.update(5, 4); // 5 replaces 4
    expect(sortedValues(r)).toEqual([4, 5]);
    expect(sortedPriorities(r)).toEqual([5, 10]);

    const ties = new ForwardDecayReservoir(2, 0, 3600, new FixedU([0.5]));
    ties.update(1, 0);
    ties.update(2, 0);
    ties.update(3, 0); // equal to the lowest kept: not kept
    expect(sortedValues(ties)).toEqual([1, 2]);
  });

  it('heap stays correct over many random priorities', () => {
    const rng = new Prng(99);
    const us: number[] = [];
    for (let i = 0; i < 3000; i++) us.push(rng.next());
    const r = new ForwardDecayReservoir(37, 0, 3600, new FixedU(us));
    for (let i = 0; i < us.length; i++) r.update(i, 0);
    // expected: the 37 indices with the smallest u (highest 1/u)
    const expected = us
      .map((u, i) => [u, i] as const)
      .sort((a, b) => a[0] - b[0])
      .slice(0, 37)
      .map(([, i]) => i)
      .sort((a, b) => a - b);
    expect(sortedValues(r)).toEqual(expected);
  });
});

describe('ForwardDecayReservoir cuts', () => {
  // A push cuts a full reservoir's few new entries; a full buffer is cut without a push. Either
  // way the kept set is the top `size`.
  it('holds the highest priorities whatever mix of push-time and full-buffer cuts happened', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Prng(seed);
      const us: number[] = [];
      for (let i = 0; i < 6000; i++) us.push(rng.next());
      const size = 64;
      const r = new ForwardDecayReservoir(size, 0, 3600, new FixedU(us));
      const steps = new Prng(seed + 100);
      for (let i = 0; i < us.length; i++) {
        r.update(i, 0);
        // pushes every 1-12 updates for a while (merges), then rarely (selections), then again
        const every = i < 2000 || i > 4000 ? 1 + (steps.nextUint32() % 12) : 500;
        if (i % every === 0 || i === us.length - 1) {
          const expected = us.slice(0, i + 1).map((u, k) => [u, k] as const)
            .sort((x, y) => x[0] - y[0]).slice(0, size).map(([, k]) => k).sort((x, y) => x - y);
          expect(sortedValues(r)).toEqual(expected);
        }
      }
    }
  });
});

describe('ForwardDecayReservoir sampling', () => {
  it('with a large alpha holds the newest values (and rescales before overflow)', () => {
    const r = new ForwardDecayReservoir(4, 30, Infinity, new Prng(hashKey('newest')));
    for (let t = 0; t < 50; t++) {
      r.update(t, t);
      expect(allFinite(r)).toBe(true);
    }
    expect(sortedValues(r)).toEqual([46, 47, 48, 49]);
    expect(r.landmark).toBeGreaterThan(0); // alpha * 21 > 600 forced a rescale
  });

  it('with alpha 0 holds min(n, size) values, a uniform sample', () => {
    const small = new ForwardDecayReservoir(8, 0, 3600, new Prng(1));
    for (let i = 0; i < 3; i++) small.update(i, i);
    expect(small.count).toBe(3);
    expect(sortedValues(small)).toEqual([0, 1, 2]);
    for (let i = 3; i < 100; i++) small.update(i, i);
    expect(small.count).toBe(8);

    const r = new ForwardDecayReservoir(256, 0, 3600, new Prng(hashKey('uniform')));
    for (let i = 0; i < 10000; i++) r.update(i, i * 0.01);
    expect(r.count).toBe(256);
    const v = sortedValues(r);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean).toBeGreaterThan(4000); // sd of the sample mean ~ 180
    expect(mean).toBeLessThan(6000);
    // not "always insert the newest" (the Go original's behaviour)
    expect(v.filter((x) => x >= 9744).length).toBeLessThan(64);
  });

  it('default alpha 0.15 favours recent values over a 10-minute window', () => {
    const r = new ForwardDecayReservoir(100, 0.15, 3600, new Prng(hashKey('recent')));
    for (let i = 0; i < 6000; i++) r.update(i, i * 0.1); // 600 s, one value each 0.1 s
    const v = sortedValues(r);
    // weight e^(0.15 t): nearly everything from the last minute
    expect(v[0]).toBeGreaterThan(5000);
  });

  it('gaps of a week and a year never produce Inf or NaN priorities', () => {
    const week = 7 * 86400;
    const year = 365 * 86400;
    for (const threshold of [3600, Infinity]) {
      const r = new ForwardDecayReservoir(256, 0.15, threshold, new Prng(hashKey(`gap${threshold}`)));
      for (let i = 0; i < 300; i++) r.update(1, i);
      for (let k = 1; k <= 4; k++) {
        r.update(100 + k, k * week);
        expect(allFinite(r)).toBe(true);
        expect(r.landmark).toBe(k * week);
        expect(Array.from(r.values())).toContain(100 + k);
      }
      r.update(1000, 4 * week + year);
      r.update(1001, 4 * week + year + 0.5);
      expect(allFinite(r)).toBe(true);
      expect(Array.from(r.values())).toContain(1000);
      expect(Array.from(r.values())).toContain(1001);
      // a line from a year before the landmark: priority underflows to 0, never NaN
      r.update(-1, 0);
      expect(allFinite(r)).toBe(true);
      expect(Array.from(r.values())).not.toContain(-1);
      expect(r.count).toBe(256);
    }
  });

  it('ignores a non-finite time', () => {
    const r = new ForwardDecayReservoir(4, 0.15, 3600, new Prng(1));
    r.update(1, Number.NaN);
    r.update(1, Infinity);
    expect(r.count).toBe(0);
    expect(Number.isNaN(r.landmark)).toBe(true);
  });
});

describe('ForwardDecayReservoir values and state', () => {
  function feed(r: ForwardDecayReservoir, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      // mostly increasing time with some out-of-order lines, crossing several rescales
      const t = i * 1.7 - (i % 13 === 0 ? 50 : 0);
      r.update((i * 7919) % 1000, t);
    }
  }

  it('values(out) copies into a reusable buffer', () => {
    const r = new ForwardDecayReservoir(4, 0, 3600, new FixedU([0.5, 0.25, 1]));
    r.update(5, 0);
    r.update(6, 0);
    r.update(7, 0);
    const out = new Float64Array(8).fill(-1);
    expect(r.values(out)).toBe(out);
    expect(Array.from(out.subarray(0, 3)).sort()).toEqual([5, 6, 7]);
    expect(out[3]).toBe(-1);
    expect(r.values(new Float64Array(2)).length).toBe(3); // too small: a new array
    expect(Array.from(r.buffer.subarray(0, 2 * r.count).filter((_, i) => i % 2 === 1)).sort() /* value i at 2i + 1 */).toEqual([5, 6, 7]);
  });

  it('same seed and updates give identical held values', () => {
    const a = new ForwardDecayReservoir(64, 0.15, 60, new Prng(hashKey('k')));
    const b = new ForwardDecayReservoir(64, 0.15, 60, new Prng(hashKey('k')));
    const c = new ForwardDecayReservoir(64, 0.15, 60, new Prng(hashKey('other')));
    feed(a, 0, 5000);
    feed(b, 0, 5000);
    feed(c, 0, 5000);
    expect(b.toState()).toEqual(a.toState());
    expect(sortedValues(c)).not.toEqual(sortedValues(a));
  });

  it('a JSON checkpoint continues exactly like an uninterrupted reservoir', () => {
    const whole = new ForwardDecayReservoir(64, 0.15, 60, new Prng(hashKey('k')));
    feed(whole, 0, 5000);

    const first = new ForwardDecayReservoir(64, 0.15, 60, new Prng(hashKey('k')));
    feed(first, 0, 2500);
    const state = JSON.parse(JSON.stringify(first.toState())) as ReservoirState;
    const resumed = ForwardDecayReservoir.fromState(state);
    expect(resumed.toState()).toEqual(first.toState());
    feed(resumed, 2500, 5000);
    expect(resumed.toState()).toEqual(whole.toState());
    expect(sortedValues(resumed)).toEqual(sortedValues(whole)); // values() is unsorted; the held set is what counts
  });

  it('state encodes NaN landmark and Infinity threshold as null', () => {
    const r = new ForwardDecayReservoir(4, 0.15, Infinity, new Prng(3));
    const s = JSON.parse(JSON.stringify(r.toState())) as ReservoirState;
    expect(s.landmark).toBeNull();
    expect(s.rescaleThresholdSec).toBeNull();
    const back = ForwardDecayReservoir.fromState(s);
    expect(Number.isNaN(back.landmark)).toBe(true);
    expect(back.rescaleThresholdSec).toBe(Infinity);
  });

  it('fromState with a smaller size keeps the highest priorities', () => {
    const r = new ForwardDecayReservoir(5, 0, 3600, new FixedU([0.5, 0.1, 1, 0.25, 0.2]));
    for (let i = 1; i <= 5; i++) r.update(i, 0); // priorities 2, 10, 1, 4, 5
    const small = ForwardDecayReservoir.fromState(r.toState(), 3);
    expect(small.size).toBe(3);
    expect(sortedValues(small)).toEqual([2, 4, 5]);
  });

  it('rejects malformed state', () => {
    const good = new ForwardDecayReservoir(4, 0.15, 60, new Prng(3));
    good.update(1, 0);
    const s = good.toState();
    expect(() => ForwardDecayReservoir.fromState({ ...s, values: [] })).toThrow();
    expect(() => ForwardDecayReservoir.fromState({ ...s, priorities: [Number.NaN] })).toThrow();
    expect(() => ForwardDecayReservoir.fromState({ ...s, landmark: null })).toThrow();
    expect(() => ForwardDecayReservoir.fromState({ ...s, prng: [1] })).toThrow();
  });

  it('validates its parameters', () => {
    expect(() => new ForwardDecayReservoir(0, 0.15, 60, new Prng(1))).toThrow();
    expect(() => new ForwardDecayReservoir(4.5, 0.15, 60, new Prng(1))).toThrow();
    expect(() => new ForwardDecayReservoir(4, -1, 60, new Prng(1))).toThrow();
    expect(() => new ForwardDecayReservoir(4, 0.15, 0, new Prng(1))).toThrow();
  });
});
