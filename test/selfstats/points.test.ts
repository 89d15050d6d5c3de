// The internal statistics' push: every series through the sink's own batch, in chunks, gives the
// lines their points encode one by one (host= in its sorted place, a series' own host tag replaced).
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Registry } from '../../src/selfstats/registry.js';
import { pushRegistry, registryPoints } from '../../src/selfstats/points.js';
import { DryRunSink } from '../../src/output/dryrun.js';
import { encodeLine } from '../../src/output/format/opentsdb.js';

describe('pushRegistry', () => {
  it('writes the lines of registryPoints, over several chunks, twice alike', () => {
    const r = new Registry();
    for (let i = 0; i < 4500; i++) r.counter('tail.line_read', { log_group: `g${i}`, filename: `/v/${i}.log` }).value = i;
    r.gauge('lag.seconds', { quantile: 'p99' }).value = 1.23456789;
    r.gauge('queue.depth').value = NaN;
    r.counter('x.y', { host: 'other', a: 'b' }).value = 2;
    let text = '';
    const out = new Writable({ write(c: Buffer, _e, cb) { text += c.toString(); cb(); } });
    const sink = new DryRunSink(out, 'tsd');
    const want = registryPoints(r, 'h1', 1770000000).map((p) => encodeLine(p, 'tsd') + '\n').join('');
    expect(want.split('\n').length).toBe(4504);
    expect(want).toContain('put logmetrics_collector.x.y 1770000000 2 a=b host=h1\n');
    expect(want).toContain('put logmetrics_collector.queue.depth 1770000000 0 host=h1\n');
    expect(want).toContain('put logmetrics_collector.tail.line_read 1770000000 4499 filename=/v/4499.log host=h1 log_group=g4499\n');
    expect(pushRegistry(r, 'h1', 1770000000, sink)).toBe(true);
    expect(text).toBe(want);
    pushRegistry(r, 'h1', 1770000000, sink);
    expect(text).toBe(want + want);
  });
});
