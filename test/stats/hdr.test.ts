import { describe, expect, it } from 'vitest';
import { HdrInterval, type HdrState } from '../../src/stats/hdr.js';
import { Summary } from '../../src/stats/snapshot.js';

function within(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * rel);
}

describe('HdrInterval', () => {
  it('percentiles of 1..1000 are within 0.1%', () => {
    const h = new HdrInterval();
    for (let i = 1000; i >= 1; i--) h.update(i);
    const s = h.summarize(new Summary());
    expect(s.size).toBe(1000);
    expect(h.count).toBe(1000);
    expect(s.min).toBe(1);
    expect(s.max).toBe(1000);
    expect(s.mean).toBeCloseTo(500.5, 9);
    expect(s.stddev).toBeCloseTo(288.6749902572095, 9); // population: sqrt((1000^2 - 1) / 12)
    within(s.p50, 500, 0.001);
    within(s.p75, 750, 0.001);
    within(s.p95, 950, 0.001);
    within(s.p99, 990, 0.001);
    within(s.p999, 999, 0.001);
  });

  it('non-integer values to 0.001, clamped into [min, max]', () => {
    const h = new HdrInterval();
    h.update(1.234567);
    const s = h.summarize(new Summary());
    expect(s.min).toBe(1.234567);
    expect(s.max).toBe(1.234567);
    expect(s.p50).toBe(1.234567); // HDR says 1.235, clamped
    expect(s.p999).toBe(1.234567);

    const g = new HdrInterval();
    for (let i = 0; i < 100; i++) g.update(0.25);
    for (let i = 0; i < 100; i++) g.update(0.75);
    const t = g.summarize(new Summary());
    expect(t.p50).toBe(0.25);
    expect(t.p75).toBe(0.75);
    expect(t.mean).toBe(0.5);
    expect(t.stddev).toBeCloseTo(0.25, 12);
  });

  it('reset forgets the interval', () => {
    const h = new HdrInterval();
    for (let i = 0; i < 10; i++) h.update(100);
    h.reset();
    const empty = h.summarize(new Summary());
    expect([empty.size, empty.min, empty.max, empty.p50]).toEqual([0, 0, 0, 0]);
    h.update(3);
    h.update(5);
    const s = h.summarize(new Summary());
    expect([s.size, s.min, s.max, s.mean, s.stddev]).toEqual([2, 3, 5, 4, 1]);
    expect(s.p99).toBe(5);
  });

  it('handles large values and zero', () => {
    const h = new HdrInterval();
    h.update(0);
    h.update(5e9);
    const s = h.summarize(new Summary());
    expect(s.min).toBe(0);
    expect(s.max).toBe(5e9);
    within(s.p999, 5e9, 0.001);
    expect(s.p50).toBe(0);
  });

  it('state round-trips through JSON and continues like an uninterrupted interval', () => {
    const a = new HdrInterval();
    const b = new HdrInterval();
    for (let i = 0; i < 500; i++) {
      a.update((i * 37) % 1013 + 0.125);
      b.update((i * 37) % 1013 + 0.125);
    }
    const c = HdrInterval.fromState(JSON.parse(JSON.stringify(a.toState())) as HdrState);
    for (let i = 0; i < 500; i++) {
      b.update(i * 3.5);
      c.update(i * 3.5);
    }
    b.update(1e7); // beyond the range decoded so far: the restored histogram must still grow
    c.update(1e7);
    expect(c.summarize(new Summary())).toEqual(b.summarize(new Summary()));

    const empty = JSON.parse(JSON.stringify(new HdrInterval().toState())) as HdrState;
    expect(empty.histogram).toBeNull();
    expect(HdrInterval.fromState(empty).count).toBe(0);
    expect(() => HdrInterval.fromState({ ...a.toState(), count: 3 })).toThrow();
    expect(() => HdrInterval.fromState({ ...a.toState(), histogram: 'not base64!' })).toThrow();
  });
});
