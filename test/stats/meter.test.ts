import { describe, expect, it } from 'vitest';
import { Meter } from '../../src/stats/meter.js';

describe('Meter', () => {
  it('reproduces the Go original sequence (events every 14 s, ewma_interval 30)', () => {
    const m = new Meter();
    expect(Number.isNaN(m.lastTick)).toBe(true);
    expect(m.tick(0, 30)).toBe(false); // no event yet
    m.mark(1, 0);
    expect(m.lastTick).toBe(0);
    m.mark(1, 14);
    m.mark(1, 28);
    m.mark(1, 42);
    expect(m.lastTick).toBe(0);
    expect(m.tick(0, 30)).toBe(false);
    expect(m.tick(14, 30)).toBe(false);
    expect(m.hasRates).toBe(false);
    expect(m.tick(42, 30)).toBe(true);
    expect(m.hasRates).toBe(true);
    expect(m.count).toBe(4);
    expect(m.pending).toBe(0);
    expect(m.lastTick).toBe(42);
    expect(m.rate1).toBeCloseTo(0.095238, 6);
    expect(m.rate5).toBeCloseTo(0.095238, 6);
    expect(m.rate15).toBeCloseTo(0.095238, 6);

    m.mark(1, 56);
    m.mark(1, 70);
    m.mark(1, 10); // out of order: still counts
    m.mark(1, 84);
    expect(m.lastTick).toBe(42);
    expect(m.tick(70, 30)).toBe(false); // 28 s < 30
    expect(m.tick(84, 30)).toBe(true);
    expect(m.count).toBe(8);
    expect(m.rate1).toBeCloseTo(0.095238, 6);
    expect(m.rate5).toBeCloseTo(0.095238, 6);
    expect(m.rate15).toBeCloseTo(0.095238, 6);
  });

  it('applies alpha = 1 - exp(-dt / (60 N)) with a fractional dt', () => {
    const m = new Meter();
    m.mark(6, 0);
    expect(m.tick(30, 30)).toBe(true);
    expect(m.rate1).toBe(0.2);
    expect(m.rate5).toBe(0.2);
    expect(m.rate15).toBe(0.2);
    m.mark(3, 40);
    expect(m.tick(59.5, 30)).toBe(false); // 29.5 s
    expect(m.tick(75.5, 30)).toBe(true); // dt = 45.5, instant = 3 / 45.5
    // hand-computed: 0.2 + (1 - exp(-45.5 / (60 N))) * (3 / 45.5 - 0.2)
    expect(m.rate1).toBeCloseTo(0.12873678632551797, 12);
    expect(m.rate5).toBeCloseTo(0.18113352556393317, 12);
    expect(m.rate15).toBeCloseTo(0.19339069832766007, 12);
    expect(m.lastTick).toBe(75.5);
    expect(m.count).toBe(9);
  });

  it('a recomputation with nothing pending decays the rates toward 0', () => {
    const m = new Meter();
    m.mark(60, 0);
    m.tick(60, 30); // 1/s
    expect(m.tick(120, 30)).toBe(true);
    expect(m.rate1).toBeCloseTo(Math.exp(-1), 12); // 1 + (1 - e^-1)(0 - 1)
    expect(m.rate5).toBeCloseTo(Math.exp(-0.2), 12);
    expect(m.rate15).toBeCloseTo(Math.exp(-1 / 15), 12);
  });

  it('never recomputes over a zero gap', () => {
    const m = new Meter();
    m.mark(1, 10);
    expect(m.tick(10, 0)).toBe(false);
    expect(m.tick(11, 0)).toBe(true);
    expect(m.rate1).toBe(1);
  });

  it('round-trips its state through JSON, NaN lastTick included', () => {
    const fresh = Meter.fromState(JSON.parse(JSON.stringify(new Meter().toState())));
    expect(Number.isNaN(fresh.lastTick)).toBe(true);
    expect(new Meter().toState().lastTick).toBeNull();

    const a = new Meter();
    const b = new Meter();
    a.mark(1, 0);
    a.mark(2.5, 20);
    a.tick(31.25, 30);
    a.mark(1, 40);
    const c = Meter.fromState(JSON.parse(JSON.stringify(a.toState())));
    b.mark(1, 0);
    b.mark(2.5, 20);
    b.tick(31.25, 30);
    b.mark(1, 40);
    for (const m of [b, c]) {
      m.mark(4, 70);
      m.tick(75, 30);
      m.mark(1, 100);
      m.tick(130.5, 30);
    }
    expect(c.toState()).toEqual(b.toState());
    expect(() => Meter.fromState({ ...a.toState(), rate1: Number.NaN })).toThrow();
  });
});
