// The datapool's flush rules (spec section 5), driven by the log times of the lines recorded: both
// live_poll modes, the quiet-log / shutdown flush, send_duplicates and stale_removal (with
// never_stale and log_stale_metrics).
import { describe, expect, it } from 'vitest';
import { COUNTER, group, testPool } from './helpers.js';

describe('live_poll: false (replay)', () => {
  it('pushes a key when one of its own updates comes interval or more after its previous push', () => {
    const p = testPool(group({ interval: 10 }));
    p.rec(['a'], 100, 1);
    p.rec(['a'], 105, 1);
    expect(p.take()).toEqual([]);
    p.rec(['a'], 110, 1); // 10 s after its first update (never pushed)
    p.rec(['b'], 111, 1);
    p.rec(['a'], 115, 1); // 5 s after its push
    expect(p.take()).toEqual(['p.n.count 110 3 id=a']);
    p.rec(['a'], 121, 1);
    p.rec(['b'], 120, 1); // 9 s after b's first update
    expect(p.take()).toEqual(['p.n.count 121 5 id=a']);
    p.rec(['b'], 121, 1);
    expect(p.take()).toEqual(['p.n.count 121 3 id=b']);
  });

  it('other keys and the group clock do not push a key: only its own updates (or a flush)', () => {
    const p = testPool(group({ interval: 10 }));
    p.rec(['a'], 100, 1);
    for (let t = 101; t < 200; t++) p.rec(['b'], t, 1);
    expect(p.take().filter((l) => l.includes('id=a'))).toEqual([]);
    p.pool.flushAll(); // end of --once, shutdown, or a quiet log
    expect(p.take()).toEqual(['p.n.count 100 1 id=a', 'p.n.count 199 99 id=b']);
  });

  it('an out-of-order line counts, is reported, and never moves the stamp back', () => {
    const p = testPool(group({ interval: 10 }));
    expect(p.rec(['a'], 100, 1)).toBe(false);
    expect(p.rec(['a'], 90, 1)).toBe(true); // the stage reports it (core/events.ts out_of_order)
    p.pool.flushAll();
    expect(p.take()).toEqual(['p.n.count 100 2 id=a']);
  });
});

describe('live_poll: true', () => {
  it('pushes every dirty key each time the group clock passes its last push + interval', () => {
    const p = testPool(group({ interval: 10, live_poll: true }));
    p.rec(['a'], 100, 1); // the first line starts the clock: a tick
    expect(p.take()).toEqual(['p.n.count 100 1 id=a']);
    p.rec(['b'], 103, 1);
    p.rec(['a'], 105, 1);
    p.rec(['a'], 104, 1); // older than a's newest: counts, stamp stays 105
    expect(p.take()).toEqual([]);
    p.rec(['c'], 110, 1); // the clock reaches 100 + 10: b, a and c, in the order they became dirty
    expect(p.take()).toEqual(['p.n.count 103 1 id=b', 'p.n.count 105 3 id=a', 'p.n.count 110 1 id=c']);
    p.rec(['a'], 115, 1);
    p.rec(['a'], 119.5, 1); // the clock, not a's own gap, decides
    expect(p.take()).toEqual([]);
    p.pool.flushAll();
    expect(p.take()).toEqual(['p.n.count 119 5 id=a']);
    p.pool.flushAll(); // nothing dirty
    expect(p.take()).toEqual([]);
  });

  it('meters push their rates with every push once computed (ewma_interval of log time)', () => {
    const p = testPool(group({ interval: 10, live_poll: true, ewma_interval: 30 }, '{ meter: [ { key_suffix: m, reference: [ [0, ""] ] } ] }'));
    p.rec(['a'], 100, 1);
    expect(p.take()).toEqual(['p.m.count 100 1 id=a']);
    for (let t = 101; t <= 130; t++) p.rec(['a'], t, 1);
    const out = p.take();
    expect(out.at(-4)).toBe('p.m.count 130 31 id=a');
    expect(out.at(-3)).toBe('p.m.rate._1min 130 1.033333 id=a'); // 31 events in the 30 s since the first
  });
});

describe('send_duplicates', () => {
  it('re-sends clean keys every interval of the group clock, stamped with it, never back in time', () => {
    const p = testPool(group({ interval: 10, live_poll: true, send_duplicates: true }));
    p.rec(['a'], 100, 1);
    expect(p.take()).toEqual(['p.n.count 100 1 id=a']);
    p.rec(['b'], 105, 1);
    p.rec(['b'], 110, 1);
    expect(p.take()).toEqual(['p.n.count 110 2 id=b', 'p.n.count 110 1 id=a']);
    p.rec(['b'], 121, 1);
    expect(p.take()).toEqual(['p.n.count 121 3 id=b', 'p.n.count 121 1 id=a']);
    p.rec(['a'], 95, 1); // late line: a's newest stays 100, its last point was stamped 121
    p.rec(['b'], 131, 1);
    expect(p.take()).toEqual(['p.n.count 121 2 id=a', 'p.n.count 131 4 id=b']);
  });

  it('works in replay mode too, by the group clock', () => {
    const p = testPool(group({ interval: 10, send_duplicates: true }));
    p.rec(['a'], 100, 1);
    p.rec(['a'], 110, 1); // a pushes on its own update, then the tick finds it clean
    expect(p.take()).toEqual(['p.n.count 110 2 id=a', 'p.n.count 110 2 id=a']);
    p.rec(['b'], 125, 1);
    expect(p.take()).toEqual(['p.n.count 125 2 id=a']);
  });
});

describe('stale_removal', () => {
  it('forgets a key not updated for stale_threshold_min of the group clock, pushing it one last time if dirty', () => {
    const p = testPool(group({ interval: 10, stale_removal: true, stale_threshold_min: 1 }));
    p.rec(['a'], 100, 1); // replay mode: a stays dirty
    p.rec(['b'], 150, 1);
    expect(p.pool.keyCount).toBe(2);
    p.rec(['b'], 161, 1); // a: 61 s old: pushed (at its own time) and forgotten
    expect(p.take()).toEqual(['p.n.count 161 2 id=b', 'p.n.count 100 1 id=a']);
    expect(p.pool.keyCount).toBe(1);
    expect(p.registry.counter('data_pool.key_stalled', { log_group: 'g', log_group_number: 0 }).value).toBe(1);
    expect(p.registry.gauge('data_pool.key_tracked', { log_group: 'g', log_group_number: 0 }).value).toBe(1);
    p.rec(['a'], 170, 5); // comes back as a new key
    p.pool.flushAll();
    expect(p.take()).toEqual(['p.n.count 170 5 id=a']);
  });

  it('a clean stale key goes without a push (live mode); never_stale keys stay', () => {
    const metrics = '{ counter: [ { key_suffix: n, reference: [ [0, ""] ] }, { key_suffix: k, never_stale: true, reference: [ [0, ""] ] } ] }';
    const p = testPool(group({ interval: 10, live_poll: true, stale_removal: true, stale_threshold_min: 1 }, metrics));
    p.rec(['a'], 100, 1, 1);
    p.rec(['b'], 200, 1, 1);
    expect(p.take()).toEqual(['p.n.count 100 1 id=a', 'p.k.count 100 1 id=a', 'p.n.count 200 1 id=b', 'p.k.count 200 1 id=b']);
    expect(p.pool.keyCount).toBe(3); // a's n is gone, a's k stays
    p.rec(['a'], 300, 1, 1);
    expect(p.take()).toEqual(['p.n.count 300 1 id=a', 'p.k.count 300 2 id=a']);
  });

  it('log_stale_metrics logs each key removed (at most one line a second, the rest counted in the next)', () => {
    let wall = 0;
    const p = testPool(group({ interval: 10, stale_removal: true, stale_threshold_min: 1, log_stale_metrics: true }, COUNTER), () => wall);
    p.rec(['a'], 100, 1);
    p.rec(['b'], 101, 1);
    p.rec(['c'], 300, 1); // a and b go stale in one tick
    wall = 5000;
    p.rec(['d'], 500, 1); // c goes stale, a second later
    const logged = p.log.find(/Stale key removed/);
    expect(logged.map((l) => l.fields.key)).toEqual(['p.n id=a', 'p.n id=c']);
    expect(logged[1]!.fields).toMatchObject({ log_group: 'g', suppressed: 1 });
  });

  it('is silent without log_stale_metrics', () => {
    const p = testPool(group({ interval: 10, stale_removal: true, stale_threshold_min: 1 }));
    p.rec(['a'], 100, 1);
    p.rec(['c'], 300, 1);
    expect(p.pool.keyCount).toBe(1);
    expect(p.log.lines).toEqual([]);
  });
});
