// The limits of spec section 4: max_tag_values folds a tag's new values into `_other_` (the line
// still counts, in an overflow series), max_keys drops updates that would create a key; each warns
// once per group and tag with an example, and every fold and drop is counted.
import { describe, expect, it } from 'vitest';
import { COUNTER, group, testPool } from './helpers.js';

const TWO_TAGS = '{ id: 2, host: 4 }'; // tag order is by name: host, id

describe('max_tag_values', () => {
  it('folds the values past the limit into _other_, which counts every such line', () => {
    const p = testPool(group({ max_tag_values: 3 }));
    for (const id of ['a', 'b', 'c', 'd', 'e', 'a', 'd', 'f']) p.rec([id], 100, 1);
    p.pool.flushAll();
    expect(p.take().sort()).toEqual(['p.n.count 100 1 id=b', 'p.n.count 100 1 id=c', 'p.n.count 100 2 id=a', 'p.n.count 100 4 id=_other_']);
    const folded = p.registry.counter('data_pool.tag_value_folded', { log_group: 'g', tag: 'id' });
    expect(folded.value).toBe(4); // d, e, d, f: every line, not every value
    expect(p.registry.gauge('data_pool.tag_values', { log_group: 'g', tag: 'id' }).value).toBe(4); // a b c _other_
    const warned = p.log.find(/max_tag_values/);
    expect(warned).toHaveLength(1);
    expect(warned[0]!.fields).toMatchObject({ log_group: 'g', tag: 'id', max_tag_values: 3, example: 'd' });
  });

  it('counts each tag on its own; the warning names the tag that overflowed', () => {
    const p = testPool(group({ max_tag_values: 2 }, COUNTER, TWO_TAGS));
    p.rec(['h1', 'a'], 100, 1);
    p.rec(['h1', 'b'], 100, 1);
    p.rec(['h2', 'c'], 100, 1); // id is full: c is folded, host h2 is new and fits
    p.rec(['h3', 'a'], 100, 1); // host is full: h3 is folded, id a is known
    p.pool.flushAll();
    expect(p.take()).toEqual(['p.n.count 100 1 host=h1 id=a', 'p.n.count 100 1 host=h1 id=b', 'p.n.count 100 1 host=h2 id=_other_',
      'p.n.count 100 1 host=_other_ id=a']);
    expect(p.log.find(/max_tag_values/).map((l) => [l.fields.tag, l.fields.example])).toEqual([['id', 'c'], ['host', 'h3']]);
    expect(p.pool.counts().tags).toEqual([{ tag: 'host', values: 3, folded: 1 }, { tag: 'id', values: 3, folded: 1 }]);
  });

  it('a value sanitised like a known one is that one; a literal _other_ joins the overflow series', () => {
    const p = testPool(group({ max_tag_values: 1 }));
    p.rec(['a b'], 100, 1);
    p.rec(['a,b'], 100, 1); // sanitises to a_b too
    p.rec(['_other_'], 100, 1);
    p.pool.flushAll();
    expect(p.take()).toEqual(['p.n.count 100 2 id=a_b', 'p.n.count 100 1 id=_other_']);
    // The counter counts the lines of the overflow series (a literal _other_ is one), the warning only a fold.
    expect(p.registry.counter('data_pool.tag_value_folded', { log_group: 'g', tag: 'id' }).value).toBe(1);
    expect(p.log.lines).toEqual([]);
  });

  it('values of forgotten (stale) series make room again', () => {
    const p = testPool(group({ max_tag_values: 2, stale_removal: true, stale_threshold_min: 1, live_poll: true, interval: 10 }));
    p.rec(['a'], 100, 1);
    p.rec(['b'], 100, 1);
    p.rec(['c'], 100, 1);
    expect(p.pool.counts().tags[0]).toEqual({ tag: 'id', values: 3, folded: 1 });
    p.rec(['d'], 200, 1); // folded (a and b are still held); the tick at 200 then forgets a and b
    p.rec(['e'], 300, 1); // e has room; the tick at 300 forgets _other_
    p.pool.flushAll();
    expect(p.take().slice(-1)).toEqual(['p.n.count 300 1 id=e']);
  });

  it('the raw-value cache stays bounded when many raw values sanitise alike', () => {
    const p = testPool(group());
    const bad = '!"#$%&\'()*+,:;<>?@[\\]^`{|}~';
    const pick = (i: number) => bad[i % bad.length]!;
    for (let i = 0; i < 20_000; i++) p.rec([`a${pick(i)}${pick(Math.floor(i / bad.length))}${pick(Math.floor(i / bad.length ** 2))}`], 100, 1);
    const index = p.pool.index as unknown as { rawEntries: number; size: number };
    expect(index.size).toBe(1); // every one of them is a___
    expect(index.rawEntries).toBeLessThanOrEqual(2 * index.size + 4096);
  });
});

describe('max_keys', () => {
  it('drops (and counts) updates that would create a key past the limit; existing keys go on', () => {
    const metrics = '{ counter: [ { key_suffix: n, reference: [ [0, ""] ] }, { key_suffix: v, reference: [ [3, ""] ] } ] }';
    const p = testPool(group({ max_keys: 3 }, metrics));
    p.rec(['a'], 100, 1, 5);
    p.rec(['b'], 100, 1, 5); // b's second key would be the fourth
    p.rec(['c'], 100, 1, 5); // no key for c at all
    p.rec(['a'], 101, 1, 5);
    p.pool.flushAll();
    expect(p.take()).toEqual(['p.n.count 101 2 id=a', 'p.v.count 101 10 id=a', 'p.n.count 100 1 id=b']);
    expect(p.registry.counter('data_pool.update_dropped', { log_group: 'g' }).value).toBe(3);
    const warned = p.log.find(/max_keys/);
    expect(warned).toHaveLength(1);
    expect(warned[0]!.fields).toMatchObject({ log_group: 'g', max_keys: 3, example: 'p.v id=b' });
    expect(p.pool.counts()).toMatchObject({ log_group: 'g', keys: 3, max_keys: 3, updates_dropped: 3, shards: [3] });
  });

  it('a group at max_keys creates no series set either, and its clock still moves', () => {
    const p = testPool(group({ max_keys: 1, live_poll: true, interval: 10 }));
    p.rec(['a'], 100, 1);
    for (let i = 0; i < 1000; i++) p.rec([`n${i}`], 100 + i, 1);
    expect(p.pool.index.size).toBe(1);
    expect(p.pool.clock).toBe(1099);
    expect(p.registry.counter('data_pool.update_dropped', { log_group: 'g' }).value).toBe(1000);
  });
});
