import { describe, expect, it } from 'vitest';
import { Counter } from '../../src/stats/counter.js';

describe('Counter', () => {
  it('is a running sum', () => {
    const c = new Counter();
    expect(c.count).toBe(0);
    c.add(1);
    c.add(41);
    c.add(0.5);
    expect(c.count).toBe(42.5);
  });

  it('round-trips its state through JSON', () => {
    const c = new Counter();
    c.add(7);
    const d = Counter.fromState(JSON.parse(JSON.stringify(c.toState())));
    d.add(3);
    expect(d.count).toBe(10);
    expect(() => Counter.fromState({ count: Number.NaN })).toThrow();
    expect(() => Counter.fromState(JSON.parse('{"count":"3"}'))).toThrow();
  });
});
