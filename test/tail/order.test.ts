// Reading order of a group's files (spec section 6, "Order"): first-line log time, then rotation
// order, then modification time.
import { describe, expect, it } from 'vitest';
import { readingOrder, rotationOf } from '../../src/tail/order.js';

const f = (path: string, firstTime = NaN, mtimeMs = 0) => ({ path, firstTime, mtimeMs });
const names = (xs: Array<{ path: string }>) => xs.map((x) => x.path.replace('/v/', ''));

describe('rotation order', () => {
  it('knows numbered, dateext and compressed names', () => {
    expect(rotationOf('/v/app.log')).toEqual({ family: '/v/app.log', age: 0 });
    expect(rotationOf('/v/app.log.1')).toEqual({ family: '/v/app.log', age: -1 });
    expect(rotationOf('/v/app.log.12.gz')).toEqual({ family: '/v/app.log', age: -12 });
    expect(rotationOf('/v/app.log-20261201.gz').family).toBe('/v/app.log');
    expect(rotationOf('/v/app.log-2026-12-01').family).toBe('/v/app.log');
    expect(rotationOf('/v/app.log-20261201').age).toBeLessThan(rotationOf('/v/app.log-20261202').age);
    expect(rotationOf('/v/app.log-20261202').age).toBeLessThan(0);
  });

  it('without log times: the oldest generation first, the live name last, whatever the names sort as', () => {
    const got = readingOrder([f('/v/app.log'), f('/v/app.log.1'), f('/v/app.log.2.gz'), f('/v/app.log.10.gz'), f('/v/app.log.3.gz')]);
    expect(names(got)).toEqual(['app.log.10.gz', 'app.log.3.gz', 'app.log.2.gz', 'app.log.1', 'app.log']);
    const dated = readingOrder([f('/v/x.log'), f('/v/x.log-20261203'), f('/v/x.log-20261201.gz'), f('/v/x.log-20261202.gz')]);
    expect(names(dated)).toEqual(['x.log-20261201.gz', 'x.log-20261202.gz', 'x.log-20261203', 'x.log']);
  });

  it('two families: by generation, then modification time', () => {
    const got = readingOrder([f('/v/a.log', NaN, 5), f('/v/a.log.1', NaN, 3), f('/v/b.log', NaN, 4), f('/v/b.log.1', NaN, 2)]);
    expect(names(got)).toEqual(['b.log.1', 'a.log.1', 'b.log', 'a.log']);
  });

  it('the first line\'s time wins over names and modification times; undated files keep their rotation place', () => {
    const got = readingOrder([f('/v/b.log', 100, 9), f('/v/a.log', 300, 1), f('/v/c.log', 200, 5)]);
    expect(names(got)).toEqual(['b.log', 'c.log', 'a.log']);
    // app.log.2 has no parsable line: it stays between .3 and .1
    const mixed = readingOrder([f('/v/app.log', 400), f('/v/app.log.1', 300), f('/v/app.log.2'), f('/v/app.log.3', 100)]);
    expect(names(mixed)).toEqual(['app.log.3', 'app.log.2', 'app.log.1', 'app.log']);
    // ties in time: rotation order
    const ties = readingOrder([f('/v/app.log', 100), f('/v/app.log.1', 100)]);
    expect(names(ties)).toEqual(['app.log.1', 'app.log']);
  });

  it('a file alone is not parsed: its first line is looked at only when there is another to compare', () => {
    let asked = 0;
    const lazy = (path: string, t: number) => ({ path, mtimeMs: 0, get firstTime() { asked++; return t; } });
    expect(names(readingOrder([lazy('/v/app.log', 5)]))).toEqual(['app.log']);
    expect(asked).toBe(0);
    expect(names(readingOrder([lazy('/v/b.log', 5), lazy('/v/a.log', 9)]))).toEqual(['b.log', 'a.log']);
    expect(asked).toBeGreaterThan(0);
  });
});
