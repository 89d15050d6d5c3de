// The distinct kind in the datapool (spec sections 4 and 5): the stats it pushes, when a window's
// final count goes out (the key's own updates on a replay, the group clock in live_poll and for
// send_duplicates, stale removal), max_keys, and its statistic through the binary checkpoint form.
import { describe, expect, it } from 'vitest';
import type { LogGroup } from '../../src/config/types.js';
import { ByteReader, ByteWriter, DecodeError } from '../../src/core/bytes.js';
import { hash53 } from '../../src/stats/hash64.js';
import { Distinct } from '../../src/stats/distinct.js';
import { WindowCalendar } from '../../src/stats/window.js';
import { getZone } from '../../src/parse/date-zone.js';
import { group, testPool } from './helpers.js';

const DISTINCT = '{ distinct: [ { key_suffix: u, reference: [ [3, ""] ] } ] }';
const HOURLY = '{ distinct: [ { key_suffix: u, window_min: 60, reference: [ [3, ""] ] } ] }';
const DAY = 86400;
const D0 = Date.UTC(2026, 2, 15) / 1000; // a UTC midnight

/** A group of distinct metrics over the test lines, its windows in UTC. */
function distinctGroup(extra: Record<string, unknown>, metrics = DISTINCT): LogGroup {
  const g = group(extra, metrics);
  return { ...g, date: { ...g.date, timezone: 'UTC' } };
}

/** A pool whose rec() takes the values as written (hashed as extraction does). */
function pool(g: LogGroup): { rec: (id: string, t: number, ...vals: string[]) => void; take: () => string[]; p: ReturnType<typeof testPool> } {
  const p = testPool(g);
  return { p, take: p.take, rec: (id, t, ...vals) => p.rec([id], t, ...vals.map(hash53)) };
}

describe('a distinct key on a replay (live_poll: false)', () => {
  it('pushes distinct.count and distinct.count_total on its own pushes; repeats do not count', () => {
    const { rec, take, p } = pool(distinctGroup({ interval: 10 }));
    rec('a', D0 + 100, 'x');
    rec('a', D0 + 101, 'x');
    rec('a', D0 + 105, 'y');
    rec('a', D0 + 110, 'z'); // 10 s after the first update: pushed
    expect(take()).toEqual([`p.u.distinct.count ${D0 + 110} 3 id=a`, `p.u.distinct.count_total ${D0 + 110} 3 id=a`]);
    rec('a', D0 + 112, 'x');
    p.pool.flushAll();
    expect(take()).toEqual([`p.u.distinct.count ${D0 + 112} 3 id=a`, `p.u.distinct.count_total ${D0 + 112} 3 id=a`]);
  });

  it('an update past the window closes it: its final count stamped at its last second, the next window empty', () => {
    const { rec, take, p } = pool(distinctGroup({ interval: 10 }));
    rec('a', D0 + 100, 'x');
    rec('a', D0 + 200, 'y');
    expect(take()).toEqual([`p.u.distinct.count ${D0 + 200} 2 id=a`, `p.u.distinct.count_total ${D0 + 200} 2 id=a`]);
    rec('a', D0 + 205, 'w'); // not pushed yet (interval)
    rec('a', D0 + DAY + 5, 'x'); // day 2: day 1 ends with x, y, w
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + DAY - 1} 3 id=a`,
      `p.u.distinct.count ${D0 + DAY + 5} 1 id=a`, `p.u.distinct.count_total ${D0 + DAY + 5} 3 id=a`]);
    rec('a', D0 + 3 * DAY + 7, 'q'); // day 3 saw nothing: only day 2 is pushed
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + 2 * DAY - 1} 1 id=a`,
      `p.u.distinct.count ${D0 + 3 * DAY + 7} 1 id=a`, `p.u.distinct.count_total ${D0 + 3 * DAY + 7} 4 id=a`]);
    // The last window stays open: the end of the replay pushes its running count (nothing dirty here).
    p.pool.flushAll();
    expect(take()).toEqual([]);
  });

  it('other keys do not close a key\'s window on a replay; a late line counts in the total only', () => {
    const { rec, take, p } = pool(distinctGroup({ interval: 10 }));
    rec('a', D0 + 100, 'x');
    rec('b', D0 + DAY + 100, 'x');
    expect(take()).toEqual([]);
    rec('a', D0 + DAY + 200, 'y');
    expect(take()[0]).toBe(`p.u.distinct.count ${D0 + DAY - 1} 1 id=a`);
    rec('a', D0 + 50, 'late'); // day 1 is closed
    p.pool.flushAll();
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + DAY + 200} 1 id=a`, `p.u.distinct.count_total ${D0 + DAY + 200} 3 id=a`,
      `p.u.distinct.count ${D0 + DAY + 100} 1 id=b`, `p.u.distinct.count_total ${D0 + DAY + 100} 1 id=b`]);
  });
});

describe('a distinct key in live_poll', () => {
  it('the group clock closes its window without a value; the running count goes before the final one', () => {
    const { rec, take, p } = pool(distinctGroup({ interval: 10, live_poll: true }, HOURLY));
    rec('a', D0 + 100, 'x');
    expect(take()).toEqual([`p.u.distinct.count ${D0 + 100} 1 id=a`, `p.u.distinct.count_total ${D0 + 100} 1 id=a`]);
    rec('a', D0 + 3000, 'y');
    rec('b', D0 + 3590, 'z');
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + 3000} 2 id=a`, `p.u.distinct.count_total ${D0 + 3000} 2 id=a`,
      `p.u.distinct.count ${D0 + 3590} 1 id=b`, `p.u.distinct.count_total ${D0 + 3590} 1 id=b`]);
    rec('a', D0 + 3595, 'w');
    rec('b', D0 + 3605, 'z'); // the clock passes 01:00
    expect(take()).toEqual([
      // b's own line closed b's 00:00 window; then the tick: dirty keys' counts, then a's final count.
      `p.u.distinct.count ${D0 + 3600 - 1} 1 id=b`,
      `p.u.distinct.count ${D0 + 3595} 3 id=a`, `p.u.distinct.count_total ${D0 + 3595} 3 id=a`,
      `p.u.distinct.count ${D0 + 3605} 1 id=b`, `p.u.distinct.count_total ${D0 + 3605} 1 id=b`,
      `p.u.distinct.count ${D0 + 3600 - 1} 3 id=a`]);
    rec('b', D0 + 7300, 'z'); // 02:01:40: b's 01:00 window closes; a's saw nothing since 01:00
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + 7200 - 1} 1 id=b`,
      `p.u.distinct.count ${D0 + 7300} 1 id=b`, `p.u.distinct.count_total ${D0 + 7300} 1 id=b`]);
    p.pool.flushAll();
    expect(take()).toEqual([]);
  });

  it('send_duplicates re-sends a clean key with its new (empty) window after the final count', () => {
    const { rec, take, p } = pool(distinctGroup({ interval: 10, send_duplicates: true }, HOURLY)); // a replay
    rec('a', D0 + 3590, 'x');
    rec('b', D0 + 3595, 'x');
    rec('a', D0 + 3601, 'y'); // a's own update closes its window; the clock closes b's
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + 3599} 1 id=a`,
      `p.u.distinct.count ${D0 + 3601} 1 id=a`, `p.u.distinct.count_total ${D0 + 3601} 2 id=a`,
      // b, dirty, pushes its running count before its final one; a clean key is sent again.
      `p.u.distinct.count ${D0 + 3595} 1 id=b`, `p.u.distinct.count_total ${D0 + 3595} 1 id=b`,
      `p.u.distinct.count ${D0 + 3599} 1 id=b`,
      `p.u.distinct.count ${D0 + 3601} 1 id=a`, `p.u.distinct.count_total ${D0 + 3601} 2 id=a`]);
    rec('b', D0 + 3000, 'late'); // b's 00:00 window is closed: the total only, stamped in the new window
    rec('c', D0 + 3611, 'x');
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + 3611} 1 id=a`, `p.u.distinct.count_total ${D0 + 3611} 2 id=a`]);
    p.pool.flushAll();
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + 3600} 0 id=b`, `p.u.distinct.count_total ${D0 + 3600} 2 id=b`,
      `p.u.distinct.count ${D0 + 3611} 1 id=c`, `p.u.distinct.count_total ${D0 + 3611} 1 id=c`]);
  });
});

describe('limits and stale removal', () => {
  it('a stale key ends its passed window with its final count and is forgotten', () => {
    const { rec, take, p } = pool(distinctGroup({ interval: 10, stale_removal: true, stale_threshold_min: 1 }, HOURLY));
    rec('a', D0 + 3550, 'x');
    rec('a', D0 + 3551, 'y');
    rec('b', D0 + 3700, 'x'); // the clock is 150 s past a's newest update
    expect(take()).toEqual([
      `p.u.distinct.count ${D0 + 3551} 2 id=a`, `p.u.distinct.count_total ${D0 + 3551} 2 id=a`,
      `p.u.distinct.count ${D0 + 3599} 2 id=a`]);
    expect(p.pool.keyCount).toBe(1);
  });

  it('counts against max_keys like any key', () => {
    const { rec, take, p } = pool(distinctGroup({ interval: 10, max_keys: 2 }));
    rec('a', D0, 'x');
    rec('b', D0, 'x');
    rec('c', D0, 'x');
    expect(p.pool.keyCount).toBe(2);
    expect(p.pool.counts().updates_dropped).toBe(1);
    p.pool.flushAll();
    expect(take().filter((l) => l.includes('id=c'))).toEqual([]);
  });
});

describe('the checkpoint form', () => {
  const days = new WindowCalendar(getZone('UTC'), 1440);
  const cal = (): Distinct => new Distinct(days);

  it('reads back the same window, sketches and counts, sparse and dense, the total shared or not', () => {
    for (const [n, late] of [[0, false], [10, false], [10, true], [5000, false], [5000, true]] as const) {
      const a = cal();
      for (let i = 0; i < n; i++) a.add(`v${i}`, D0 + i);
      if (late) a.add('late', D0 - DAY); // before the key's first window: the total holds one value more
      const w = new ByteWriter();
      a.write(w);
      const buf = w.take();
      const r = new ByteReader(buf);
      const b = Distinct.read(r, days);
      expect(r.done).toBe(true);
      expect(b.toState()).toEqual(a.toState());
      expect([b.count, b.countTotal, b.windowStart, b.windowEnd, b.bytes()]).toEqual([a.count, a.countTotal, a.windowStart, a.windowEnd, a.bytes()]);
      // edges, the shared flag, a header per sketch, 7 bytes a sparse hash
      if (n === 10) expect(buf.length).toBe(late ? 16 + 1 + 2 * 6 + 7 * 10 + 7 * 11 : 16 + 1 + 6 + 7 * 10);
      if (n === 5000 && !late) expect(buf.length).toBeLessThan(16 + 1 + 9000);
    }
  });

  it('a key\'s first window is its total until a window closes or a late line comes: one sketch', () => {
    const a = cal();
    for (let i = 0; i < 500; i++) a.add(`v${i}`, D0 + i); // sparse: exact counts
    const one = a.bytes();
    expect([a.count, a.countTotal]).toEqual([a.count, a.count]);
    a.add('next day', D0 + DAY);
    expect(a.closed).toBe(true);
    expect(a.count).toBe(1);
    expect([a.closedCount, a.countTotal]).toEqual([500, 501]);
    a.add('v1', D0 + DAY + 1);
    expect([a.count, a.countTotal]).toEqual([2, 501]); // v1 was counted on day 1
    expect(a.bytes()).toBeGreaterThan(one);
  });

  it('refuses a damaged state', () => {
    const a = cal();
    for (let i = 0; i < 3000; i++) a.add(`v${i}`, D0 + i);
    const w = new ByteWriter();
    a.write(w);
    const buf = w.take();
    const cut = buf.subarray(0, buf.length - 3);
    expect(() => Distinct.read(new ByteReader(cut), days)).toThrow(DecodeError);
    const form = Buffer.from(buf);
    form[18] = 7; // the window sketch's form byte (after the edges, the shared flag and p)
    expect(() => Distinct.read(new ByteReader(form), days)).toThrow(/form/);
    const edges = Buffer.from(buf);
    edges.writeDoubleLE(D0 + 2 * DAY, 0); // start after end
    expect(() => Distinct.read(new ByteReader(edges), days)).toThrow(/window edges/);
  });
});
