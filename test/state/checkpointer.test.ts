// The checkpointer (spec section 8) on real files in a temp dir, with real datapools: what a restore
// gives back is the state at the last written cut, whatever changed while the cut was being
// written (copy on write), whatever write failed (ENOSPC, EIO, short writes), and whichever
// generation had to be used.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COUNTER, group, HISTOGRAM, METER } from '../datapool/helpers.js';
import { dump, FaultyFs, run, tempDir, type Run } from './helpers.js';

const METRICS = `{ counter: [ { key_suffix: n, reference: [ [0, ""] ] } ], meter: [ { key_suffix: m, reference: [ [3, ""] ] } ],
  histogram: [ { key_suffix: h, reference: [ [3, ""] ] } ] }`;
const G = group({ interval: 10, live_poll: true }, METRICS);

let dir = '';
afterEach(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); dir = ''; });

/** The keys of group g as a new run restores them from `file`. */
const restored = (file: string, groups = [G]): unknown[] => dump(run(file, groups).source.pools.get('g')!);
const live = (r: Run): unknown[] => dump(r.source.pools.get('g')!);

/** A temp dir, a state file in it, and a run on it over a file system that fails on request. */
function faultyRun(): { file: string; faulty: FaultyFs; a: Run } {
  dir = tempDir();
  const file = path.join(dir, 'state');
  const faulty = new FaultyFs();
  return { file, faulty, a: run(file, [G], faulty) };
}

/** A run that wrote one cut of 100 sets; `first` is what it held then. */
async function firstCut(): Promise<{ file: string; a: Run; first: unknown[] }> {
  dir = tempDir();
  const file = path.join(dir, 'state');
  const a = run(file, [G]);
  fill(a, 100, 1000);
  await a.cp.save();
  return { file, a, first: live(a) };
}

function fill(r: Run, ids: number, t: number, v = 1): void {
  const pool = r.source.pools.get('g')!;
  for (let i = 0; i < ids; i++) pool.record([`id${i}`], t + i / 1000, Float64Array.of(1, v + i, v * 2 + i));
}

describe('checkpointer', () => {
  it('restores every key, the file positions and the unsent points of the last cut', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const a = run(file, [G]);
    fill(a, 300, 1000);
    a.sink.unsent = [{ metric: 'x.count', ts: 5, value: '7', tags: 'a=b' }];
    await a.cp.save();
    fill(a, 50, 1010, 3); // changes after the first cut
    await a.cp.save();
    const want = live(a);

    const b = run(file, [G]);
    expect(live(b)).toEqual(want);
    expect(b.sink.written).toEqual([{ metric: 'x.count', ts: 5, value: '7', tags: 'a=b' }]);
    expect(b.cp.records).toEqual([{ group: 'g', path: '/var/log/a.log', dev: 1, ino: 2, fingerprint: 'ab', offset: 100, done: false, compressed: false }]);
    expect(b.cp.restored()?.writtenAt).toBeGreaterThan(0);
    expect(b.source.fileTimesSet).toEqual([['g', '/var/log/a.log', 1234]]);
    expect(b.source.log.find(/State restored/)[0]!.fields).toMatchObject({ generation: 'newest', keys: 900, series_sets: 300, files: 1 });
    // and both go on alike
    for (const r of [a, b]) fill(r, 400, 1020, 5);
    expect(live(b)).toEqual(live(a));
  });

  it('a cut is the state at its instant, whatever changes while it is written (copy on write)', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const a = run(file, [G]);
    fill(a, 1000, 1000);
    await a.cp.save();
    fill(a, 1000, 1010, 2); // every set changed: the next cut has 1000 to write, in slices
    let atCut: unknown[] = [];
    a.source.atCutHook = () => { atCut = live(a); };
    let slices = 0;
    a.between = () => { slices++; fill(a, 1200, 1020 + slices, slices); }; // updates and new sets meanwhile
    await a.cp.save();
    expect(slices).toBeGreaterThan(3);
    const b = run(file, [G]);
    expect(live(b)).toEqual(atCut);
  });

  it('writes only what changed since the last cut (and a sweep of the rest)', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const a = run(file, [G]);
    fill(a, 1200, 1000);
    await a.cp.save();
    const first = fs.statSync(file).size;
    a.source.pools.get('g')!.record(['id7'], 1001, Float64Array.of(1, 1, 1));
    await a.cp.save();
    const second = fs.statSync(file).size - first;
    expect(second).toBeLessThan(first / 5); // id7 and a sweep of 64 sets
    expect(a.source.registry.counter('state.cuts_written').value).toBe(2);
    expect(restored(file)).toEqual(live(a));
  });

  it('a run starts from a copy of the file it restored: its first cut writes only what changed', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const replay = group({ interval: 10 }, METRICS); // no tick pushing every key at the first line
    const a = run(file, [replay]);
    fill(a, 1200, 1000);
    await a.cp.save();
    const size = fs.statSync(file).size;
    const b = run(file, [replay]);
    b.source.pools.get('g')!.record(['id7'], 2000, Float64Array.of(1, 1, 1));
    await b.cp.save();
    expect(fs.statSync(file).size - size).toBeLessThan(size / 5); // id7 and a sweep of 64 sets
    expect(fs.statSync(file + '.prev').size).toBe(size);
    expect(restored(file, [replay])).toEqual(live(b));
  });

  it('a group the config no longer has is warned about once: the next cut records it as removed', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const other = group({}, COUNTER, '{ id: 2 }', 'other');
    const a = run(file, [G, other]);
    fill(a, 10, 1000);
    a.source.pools.get('other')!.record(['x'], 1000, Float64Array.of(1));
    await a.cp.save();
    const b = run(file, [G]);
    expect(b.source.log.find(/no group of that name/)).toHaveLength(1);
    await b.cp.save();
    const c = run(file, [G]);
    expect(c.source.log.find(/no group of that name/)).toHaveLength(0);
    expect(live(c)).toEqual(live(b));
  });

  it('forgotten sets are forgotten by the restore too', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const g = group({ interval: 10, live_poll: true, stale_removal: true, stale_threshold_min: 1 }, COUNTER);
    const a = run(file, [g]);
    const pool = a.source.pools.get('g')!;
    pool.record(['old'], 100, Float64Array.of(1));
    await a.cp.save();
    pool.record(['new'], 200, Float64Array.of(1)); // 'old' goes stale
    await a.cp.save();
    expect(restored(file, [g]).map((k) => (k as string[])[0])).toEqual(['id=new']);
  });

  for (const fault of ['ENOSPC', 'EIO'] as const) {
    it(`a write failing with ${fault} leaves the previous checkpoint in place, is logged once, counted and retried`, async () => {
      const { file, faulty, a } = faultyRun();
      fill(a, 200, 1000);
      await a.cp.save();
      const good = live(a);
      const size = fs.statSync(file).size;
      fill(a, 200, 1010, 2);
      faulty.writeFault = { after: 0, fault };
      await a.cp.save(true);
      await a.cp.save(true);
      expect(fs.statSync(file).size).toBe(size); // cut back to the previous cut
      expect(restored(file)).toEqual(good);
      expect(a.source.log.find(/Could not write the state file/)).toHaveLength(1);
      expect(a.source.log.find(/Could not write/)[0]!.fields).toMatchObject({ error: fault, state_file: file });
      expect(a.source.registry.counter('state.write_errors', { error: fault }).value).toBe(2);
      faulty.writeFault = null; // space freed
      await a.cp.save(true);
      expect(a.source.log.find(/State file written again/)).toHaveLength(1);
      expect(restored(file)).toEqual(live(a));
    });
  }

  it('a failed fsync is a failed write too', async () => {
    const { file, faulty, a } = faultyRun();
    fill(a, 100, 1000);
    await a.cp.save();
    const good = live(a);
    fill(a, 100, 1010, 4);
    faulty.syncFault = 'EIO';
    await a.cp.save(true);
    expect(restored(file)).toEqual(good);
    faulty.syncFault = null;
    await a.cp.save(true);
    expect(restored(file)).toEqual(live(a));
  });

  it('short writes are completed; a write that takes nothing is an error', async () => {
    const { file, faulty, a } = faultyRun();
    fill(a, 20, 1000);
    faulty.writeFault = { after: 0, fault: 'short' };
    await a.cp.save();
    faulty.writeFault = null;
    expect(restored(file)).toEqual(live(a));
    fill(a, 20, 1010, 2);
    faulty.writeFault = { after: 0, fault: 'zero' };
    await a.cp.save(true);
    expect(a.source.registry.counter('state.write_errors', { error: 'ESHORT' }).value).toBe(1);
  });

  it('after a failure, periodic saves back off (5, 10, 20, 30 s); a forced one always writes', async () => {
    const { faulty, a } = faultyRun();
    fill(a, 10, 1000);
    faulty.writeFault = { after: 0, fault: 'ENOSPC' };
    const tries = () => a.source.registry.counter('state.write_errors', { error: 'ENOSPC' }).value;
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) { await a.cp.save(); seen.push(tries()); }
    expect(seen).toEqual([1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
  });

  it('each run starts a new generation; an unreadable newest falls back to the previous one', async () => {
    const { file, first } = await firstCut();
    const b = run(file, [G]); // restores, then writes its own file; the first becomes .prev
    fill(b, 100, 1010, 2);
    await b.cp.save();
    expect(fs.existsSync(file + '.prev')).toBe(true);
    const bytes = fs.readFileSync(file);
    bytes.fill(0x55, 40, 60); // corrupt the first cut's first frame
    fs.writeFileSync(file, bytes);
    const c = run(file, [G]);
    expect(live(c)).toEqual(first);
    expect(c.source.log.find(/falling back to its previous generation/)).toHaveLength(1);
    expect(c.source.log.find(/State restored/)[0]!.fields).toMatchObject({ generation: 'previous' });
    // the next write replaces the bad newest and keeps the good previous one
    await c.cp.save();
    expect(restored(file + '.prev')).toEqual(first);
  });

  it('removes the temporary files of runs killed while writing one', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    fs.writeFileSync(file + '.tmp-99999', 'half a file');
    const a = run(file, [G]);
    fill(a, 10, 1000);
    await a.cp.save();
    expect(fs.readdirSync(dir).sort()).toEqual(['state']);
  });

  it('a torn last cut (a crash while writing) restores the cut before it', async () => {
    const { file, a, first } = await firstCut();
    const size = fs.statSync(file).size;
    fill(a, 100, 1010, 3);
    await a.cp.save();
    fs.truncateSync(file, size + Math.floor((fs.statSync(file).size - size) / 2));
    const b = run(file, [G]);
    expect(live(b)).toEqual(first);
    expect(b.source.log.find(/incomplete or damaged cut/)).toHaveLength(1);
  });

  it('when neither generation can be read, both are moved aside and the run starts fresh, saying so', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    fs.writeFileSync(file, 'garbage');
    fs.writeFileSync(file + '.prev', Buffer.from('LMCSTATE\x02\0\0\0\0\0\0\0and then nothing', 'latin1'));
    const a = run(file, [G]);
    expect(a.source.pools.get('g')!.keyCount).toBe(0);
    expect(a.source.log.find(/moved aside/)).toHaveLength(2);
    expect(a.source.log.find(/No usable state file: starting fresh/)).toHaveLength(1);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(2);
  });

  it('warns by name about a group it cannot match (renamed or removed), and one whose tags changed', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const other = group({}, COUNTER, '{ id: 2 }', 'other');
    const a = run(file, [G, other]);
    fill(a, 10, 1000);
    a.source.pools.get('other')!.record(['x'], 1000, Float64Array.of(1));
    await a.cp.save();
    const renamed = group({}, COUNTER, '{ id: 2 }', 'renamed');
    const retagged = group({ interval: 10, live_poll: true }, METRICS, '{ id: 2, host: 4 }');
    const b = run(file, [retagged, renamed]);
    expect(b.source.log.find(/no group of that name/).map((l) => l.fields.log_group)).toEqual(['other']);
    expect(b.source.log.find(/its tags changed/).map((l) => l.fields.log_group)).toEqual(['g']);
    expect(b.source.pools.get('g')!.keyCount).toBe(0);
  });

  it('keys of a metric removed from the group are dropped with a warning; the rest are restored', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const a = run(file, [G]);
    fill(a, 10, 1000);
    await a.cp.save();
    const fewer = group({ interval: 10, live_poll: true }, METER);
    const b = run(file, [fewer]);
    expect(b.source.pools.get('g')!.keyCount).toBe(10);
    expect(b.source.log.find(/metric is no longer in the group/)[0]!.fields).toMatchObject({ log_group: 'g', keys: 20 });
  });

  it('compacts once a sweep round has covered every set, keeping the previous file as a generation', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state');
    const hist = group({ interval: 10, live_poll: true }, HISTOGRAM);
    const a = run(file, [hist]);
    const pool = a.source.pools.get('g')!;
    for (let i = 0; i < 40; i++) {
      for (let k = 0; k < 200; k++) pool.record([`id${k}`], 1000 + i, Float64Array.of(i * k % 97));
      await a.cp.save();
    }
    const size = fs.statSync(file).size;
    expect(fs.existsSync(file + '.prev')).toBe(true);
    expect(size).toBeLessThan(fs.statSync(file + '.prev').size);
    expect(restored(file, [hist])).toEqual(dump(pool));
  });

  it('reads a version-1 (JSON) state file, and keeps it as the previous generation', async () => {
    dir = tempDir();
    const file = path.join(dir, 'state.json');
    const v1 = {
      version: 1, written: '2026-02-08T00:00:00Z',
      files: [{ group: 'g', path: '/var/log/a.log', dev: 1, ino: 2, fingerprint: 'ab', offset: 77, newest: 1000 }],
      groups: { g: { clock: 1000, lastTick: 1000, sets: [{ canonical: '\u0001a', tagPrefix: 'id=a', keys: [
        { i: 0, st: { count: 5 }, newest: 1000, first: 990, lastPush: 995, lastStamp: 995, dirty: true }] }] } },
      pending: [{ metric: 'p.n.count', ts: 995, value: '4', tags: 'id=a' }],
    };
    fs.writeFileSync(file, JSON.stringify(v1));
    const g = group({ interval: 10 }, COUNTER);
    const a = run(file, [g]);
    expect(live(a)).toEqual([['id=a', 'counter p.n ', 1000, 990, 995, 995, true, '{"count":5}']]);
    expect(a.cp.records.find((r) => r.path === '/var/log/a.log')?.offset).toBe(77);
    expect(a.cp.restored()?.writtenAt).toBe(Date.parse('2026-02-08T00:00:00Z'));
    expect(a.sink.written).toHaveLength(1);
    await a.cp.save();
    expect(fs.readFileSync(file + '.prev', 'utf8')).toBe(JSON.stringify(v1));
    expect(restored(file, [g])).toEqual(live(a));
  });
});
