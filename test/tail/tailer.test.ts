import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../src/selfstats/registry.js';
import { identityOf } from '../../src/tail/reader.js';
import type { TailManager } from '../../src/tail/tailer.js';
import { Collector, MemLog, group, manager, rmrf, sleep, tempDir, waitFor } from './helpers/util.js';

let dir: string;
let running: TailManager[] = [];
beforeEach(() => { dir = tempDir('tailer-'); });
afterEach(async () => { for (const m of running.splice(0)) await m.stop(); rmrf(dir); });
const track = (m: TailManager) => { running.push(m); return m; };
const p = (name: string) => path.join(dir, name);
const nums = (from: number, to: number, prefix = 'line') => Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);
const write = (file: string, lines: string[]) => fs.appendFileSync(file, lines.map((l) => l + '\n').join(''));

describe('TailManager: start positions', () => {
  it('files present at start-up start at their end; fromStart reads them whole', async () => {
    write(p('a.log'), ['old 1', 'old 2']);
    const c1 = new Collector();
    const c2 = new Collector();
    const m1 = track(manager([group('g', [p('*.log')])], c1.sink));
    const m2 = track(manager([group('g', [p('*.log')], { fromStart: true })], c2.sink));
    await m1.start();
    await m2.start();
    write(p('a.log'), ['new 1']);
    await waitFor(() => c1.count() === 1 && c2.count() === 3, 'lines');
    expect(c1.lines()).toEqual(['new 1']);
    expect(c2.lines()).toEqual(['old 1', 'old 2', 'new 1']);
    expect(m1.positions()).toEqual([{ group: 'g', path: p('a.log'), identity: identityOf(p('a.log')), offset: 18 }]);
  });

  it('a file created after start-up is read whole, and a glob matching nothing at first picks files up later', async () => {
    const c = new Collector();
    const m = track(manager([group('g', [p('*.log')]), group('h', [p('later/*/x.log')])], c.sink));
    await m.start();
    expect(m.positions()).toEqual([]);
    write(p('new.log'), ['n1', 'n2']);
    fs.mkdirSync(p('later/sub'), { recursive: true });
    write(p('later/sub/x.log'), ['x1']);
    await waitFor(() => c.count() === 3, 'new files');
    expect(c.lines(p('new.log'), 'g')).toEqual(['n1', 'n2']);
    expect(c.lines(p('later/sub/x.log'), 'h')).toEqual(['x1']);
  });

  it('a matching checkpoint wins; a mismatching one means the file is read from its start', async () => {
    write(p('a.log'), ['a1', 'a2']);
    write(p('b.log'), ['b1', 'b2']);
    const cps = new Map([
      [p('a.log'), { identity: identityOf(p('a.log')), offset: 3 }],                              // after a1
      [p('b.log'), { identity: { ...identityOf(p('b.log')), fingerprint: '0123456789abcdef' }, offset: 3 }],
    ]);
    const c = new Collector();
    const m = track(manager([group('g', [p('*.log')], { fromStart: false })], c.sink, { checkpoint: (f) => cps.get(f) }));
    await m.start();
    await waitFor(() => c.count() === 3, 'lines');
    expect(c.lines(p('a.log'))).toEqual(['a2']);
    expect(c.lines(p('b.log'))).toEqual(['b1', 'b2']);
  });
});

describe('TailManager: rotation', () => {
  it('rename rotation: lines written just before the rename are read, then the new file from its start', async () => {
    const f = p('app.log');
    write(f, ['pre']);
    const c = new Collector();
    const log = new MemLog();
    const m = track(manager([group('g', [p('*.log')])], c.sink, { log }));
    await m.start();
    write(f, nums(0, 100));
    await waitFor(() => c.count() === 100, 'first lines');
    // written and rotated in one go: the tailer cannot have seen them before the rename
    write(f, nums(100, 200));
    fs.appendFileSync(f, 'partial at rotation');
    fs.renameSync(f, p('app.log.1'));
    write(f, nums(200, 300));
    await waitFor(() => c.count() === 301, 'all lines');
    expect(c.lines()).toEqual([...nums(0, 200), 'partial at rotation', ...nums(200, 300)]);
    expect(log.countOf(/rotated/)).toBe(1);
    const inodes = new Set(c.received.map((r) => r.identity.ino));
    expect(inodes.size).toBe(2);
    expect(m.positions()).toMatchObject([{ path: f, identity: identityOf(f), offset: fs.statSync(f).size }]);
  });

  it('rename rotation with the new file created empty: keeps reading the old file until it is quiet', async () => {
    const f = p('app.log');
    fs.writeFileSync(f, '');
    const c = new Collector();
    const m = track(manager([group('g', [p('*.log')])], c.sink, { rotateGraceMs: 400 }));
    await m.start();
    const fd = fs.openSync(f, 'a');
    fs.writeSync(fd, 'a\n');
    fs.renameSync(f, p('app.log.1'));
    fs.writeFileSync(f, '');             // logrotate's create
    await sleep(150);
    fs.writeSync(fd, 'b\n');             // the app has not reopened its log yet
    await sleep(150);
    fs.writeSync(fd, 'c\n');
    fs.closeSync(fd);
    await waitFor(() => c.count() === 3, 'old file lines');
    await waitFor(() => m.files()[0]?.ino === fs.statSync(f).ino, 'switch to the new file', 5000);
    write(f, ['d']);
    await waitFor(() => c.count() === 4, 'new file');
    expect(c.lines()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('copytruncate: read from the start after the truncation, even when regrown past the old offset', async () => {
    const f = p('app.log');
    fs.writeFileSync(f, '');
    const c = new Collector();
    const log = new MemLog();
    const m = track(manager([group('g', [p('*.log')])], c.sink, { log }));
    await m.start();
    write(f, nums(0, 10));
    await waitFor(() => c.count() === 10, 'first lines');
    fs.copyFileSync(f, p('app.log.1'));
    fs.truncateSync(f, 0);
    write(f, nums(10, 12));                  // shorter than before
    await waitFor(() => c.count() === 12, 'after truncate');
    fs.copyFileSync(f, p('app.log.2'));
    fs.truncateSync(f, 0);
    write(f, nums(12, 100));                 // longer than before, in the same tick
    await waitFor(() => c.count() === 100, 'after truncate and regrow');
    expect(c.lines()).toEqual(nums(0, 100));
    expect(log.countOf(/truncated/)).toBe(2);
  });

  it('deletion: the file is read to its end (partial line included) and closed; a new file there is read whole', async () => {
    const f = p('app.log');
    fs.writeFileSync(f, '');
    const c = new Collector();
    const log = new MemLog();
    const m = track(manager([group('g', [p('*.log')])], c.sink, { log }));
    await m.start();
    write(f, ['x1']);
    fs.appendFileSync(f, 'x2 partial');
    fs.unlinkSync(f);
    await waitFor(() => m.positions().length === 0, 'close');
    expect(c.lines()).toEqual(['x1', 'x2 partial']);
    expect(log.countOf(/deleted/)).toBe(1);
    write(f, ['y1']);
    await waitFor(() => c.count() === 3, 'new file');
    expect(c.lines()).toEqual(['x1', 'x2 partial', 'y1']);
  });

  it('a glob matching the rotated name: the reader follows the file, nothing is read twice', async () => {
    const f = p('app.log');
    fs.writeFileSync(f, '');
    const c = new Collector();
    const log = new MemLog();
    const m = track(manager([group('g', [p('app.log*')])], c.sink, { log }));
    await m.start();
    write(f, nums(0, 5));
    await waitFor(() => c.count() === 5, 'lines');
    fs.renameSync(f, p('app.log.1'));
    write(p('app.log.1'), nums(5, 7));   // still written after the rename
    write(f, nums(7, 9));
    await waitFor(() => c.count() === 9, 'all lines');
    await sleep(500);                      // several rescans
    write(p('app.log.1'), nums(9, 10));
    await waitFor(() => c.count() === 10, 'late line');
    await sleep(300);
    expect([...c.lines()].sort()).toEqual(nums(0, 10).sort());
    expect(m.positions().map((x) => x.path).sort()).toEqual([f, p('app.log.1')]);
    expect(log.has(/following it under its new name|from its previous position/)).toBe(true);
  });
});

describe('TailManager: --once', () => {
  it('reads every file from its start to its end, final partial lines included, in a deterministic order', async () => {
    for (let i = 0; i < 5; i++) {
      write(p(`f${i}.log`), nums(0, 500, `f${i}`));
      fs.appendFileSync(p(`f${i}.log`), `f${i} partial`);
    }
    const runs: string[][] = [];
    for (let k = 0; k < 2; k++) {
      const c = new Collector();
      const m = track(manager([group('g', [p('*.log')])], c.sink, { once: true, chunkBytes: 1024, turnBytes: 1024 }));
      await m.start();
      await m.done;
      for (let i = 0; i < 5; i++) expect(c.lines(p(`f${i}.log`))).toEqual([...nums(0, 500, `f${i}`), `f${i} partial`]);
      runs.push(c.received.map((r) => `${r.batch.path}:${r.batch.endOffset}`));
      expect(m.positions().map((x) => x.offset)).toEqual(Array(5).fill(fs.statSync(p('f0.log')).size));
    }
    expect(runs[0]).toEqual(runs[1]);
    // round-robin: the first batches of every file come before the second batch of any
    const firstRound = runs[0].slice(0, 5).map((s) => s.split(':')[0]);
    expect(firstRound).toEqual([0, 1, 2, 3, 4].map((i) => p(`f${i}.log`)));
  });

  it('resolves at once with no files', async () => {
    const m = track(manager([group('g', [p('*.none')])], new Collector().sink, { once: true }));
    await m.start();
    await m.done;
  });
});

describe('TailManager: fairness and backpressure', () => {
  it('200 busy files are read round-robin: no file starves', async () => {
    const N = 200;
    for (let i = 0; i < N; i++) write(p(`f${String(i).padStart(3, '0')}.log`), nums(0, 300, `file${i}`));
    const c = new Collector();
    const m = track(manager([group('g', [p('*.log')], { fromStart: true })], c.sink, { chunkBytes: 1024, turnBytes: 1024 }));
    await m.start();
    await waitFor(() => c.count() === N * 300, 'all lines', 20_000);
    // every file's first batch arrives before any file's third batch
    const seen = new Map<string, number>();
    let firstBatches = 0;
    for (const r of c.received) {
      const k = (seen.get(r.batch.path) ?? 0) + 1;
      seen.set(r.batch.path, k);
      if (k === 1) firstBatches++;
      if (k === 3) expect(firstBatches).toBe(N);
    }
    for (let i = 0; i < N; i++) expect(c.lines(p(`f${String(i).padStart(3, '0')}.log`))).toEqual(nums(0, 300, `file${i}`));
  });

  it('a sink promise holds back all reading until it resolves', async () => {
    for (const n of ['a', 'b']) write(p(`${n}.log`), nums(0, 200, n));
    let release!: () => void;
    let calls = 0;
    let pendingNow = false;
    let callsWhilePending = 0;
    const c = new Collector();
    const m = track(manager([group('g', [p('*.log')], { fromStart: true })], (g, b, id) => {
      if (pendingNow) callsWhilePending++;
      c.sink(g, b, id);
      if (++calls === 1) {
        pendingNow = true;
        return new Promise<void>((res) => { release = () => { pendingNow = false; res(); }; });
      }
    }, { chunkBytes: 512, turnBytes: 512 }));
    await m.start();
    await waitFor(() => calls === 1, 'first batch');
    const before = JSON.stringify(m.positions());
    write(p('a.log'), ['more']);
    await sleep(300);
    expect(calls).toBe(1);
    expect(m.isBackpressured()).toBe(true);
    expect(m.isCaughtUp('g')).toBe(false);
    expect(JSON.stringify(m.positions())).toBe(before);
    release();
    await waitFor(() => c.count() === 401, 'rest');
    expect(callsWhilePending).toBe(0);
    expect(c.lines(p('a.log'))).toEqual([...nums(0, 200, 'a'), 'more']);
    expect(c.lines(p('b.log'))).toEqual(nums(0, 200, 'b'));
  });
});

describe('TailManager: status, metrics, reload', () => {
  it('counts lines and bytes per file, reports files(), isCaughtUp and onIdle', async () => {
    const registry = new Registry();
    const idle: string[] = [];
    const c = new Collector();
    fs.writeFileSync(p('a.log'), '');
    const m = track(manager([group('g', [p('*.log')])], c.sink, { registry, onIdle: (g) => idle.push(g) }));
    await m.start();
    expect(m.isCaughtUp('g')).toBe(true);
    write(p('a.log'), ['12345', '6789']);
    await waitFor(() => c.count() === 2 && idle.length === 1, 'lines and idle');
    expect(idle).toEqual(['g']);
    expect(m.isCaughtUp('g')).toBe(true);
    const series = registry.all().filter((s) => s.name.startsWith('tail.'));
    expect(series.map((s) => [s.name, s.tags, s.value])).toEqual([
      ['tail.line_read', { filename: p('a.log'), log_group: 'g' }, 2],
      ['tail.byte_read', { filename: p('a.log'), log_group: 'g' }, 11],
    ]);
    expect(m.files()).toMatchObject([{ group: 'g', path: p('a.log'), offset: 11, size: 11, lagBytes: 0 }]);
  });

  it('poll_file groups work without inotify', async () => {
    const c = new Collector();
    fs.writeFileSync(p('a.log'), '');
    const m = track(manager([group('g', [p('*.log')], { pollFile: true })], c.sink));
    await m.start();
    write(p('a.log'), ['1']);
    fs.renameSync(p('a.log'), p('a.log.1'));
    write(p('a.log'), ['2']);
    await waitFor(() => c.count() === 2, 'lines');
    expect(c.lines()).toEqual(['1', '2']);
  });

  it('setGroups keeps unchanged groups, adds and removes others', async () => {
    write(p('a.log'), ['a0']);
    write(p('b.txt'), ['b0']);
    const c = new Collector();
    const m = track(manager([group('a', [p('*.log')]), group('b', [p('*.txt')])], c.sink));
    await m.start();
    write(p('a.log'), ['a1']);
    await waitFor(() => c.count() === 1, 'a1');
    const idA = m.positions().find((x) => x.group === 'a');
    await m.setGroups([group('a', [p('*.log')]), group('c', [p('*.txt')], { fromStart: true })]);
    expect(m.positions().find((x) => x.group === 'a')).toEqual(idA);
    expect(m.positions().some((x) => x.group === 'b')).toBe(false);
    write(p('a.log'), ['a2']);
    await waitFor(() => c.count() === 3, 'after reload');
    expect(c.lines(undefined, 'a')).toEqual(['a1', 'a2']);
    expect(c.lines(undefined, 'c')).toEqual(['b0']);
  });

  it('setGroups with changed globs: kept files keep their reader, newly matched files start at their end', async () => {
    write(p('a.log'), ['a0']);
    write(p('b.log'), ['b0']);
    write(p('c.txt'), ['c0']);
    const c = new Collector();
    const log = new MemLog();
    const m = track(manager([group('g', [p('a.log'), p('b.log')])], c.sink, { log }));
    await m.start();
    write(p('a.log'), ['a1']);
    await waitFor(() => c.count() === 1, 'a1');
    const before = m.positions().find((x) => x.path === p('a.log'));
    await m.setGroups([group('g', [p('a.log'), p('*.txt')])]);
    expect(m.positions().map((x) => x.path).sort()).toEqual([p('a.log'), p('c.txt')]);
    expect(m.positions().find((x) => x.path === p('a.log'))).toEqual(before);
    expect(log.has(/stopped tailing/)).toBe(true);
    write(p('a.log'), ['a2']);
    write(p('b.log'), ['b1']);
    write(p('c.txt'), ['c1']);
    await waitFor(() => c.count() === 3, 'after reload');
    await sleep(200);
    expect(c.lines()).toEqual(expect.arrayContaining(['a1', 'a2', 'c1']));
    expect(c.count()).toBe(3);
  });

  it('skipped long lines are reported in the batch and warned about (rate-limited)', async () => {
    fs.writeFileSync(p('a.log'), '');
    const c = new Collector();
    const log = new MemLog();
    const m = track(manager([group('g', [p('*.log')])], c.sink, { log, maxLineBytes: 10, chunkBytes: 8 }));
    await m.start();
    write(p('a.log'), ['short', 'y'.repeat(50), 'z'.repeat(11), 'ok']);
    await waitFor(() => c.count() === 2, 'lines');
    expect(c.lines()).toEqual(['short', 'ok']);
    expect(c.received.reduce((n, r) => n + r.batch.skippedLong, 0)).toBe(2);
    expect(log.entries.filter((e) => e.level === 'warn' && /max_line_bytes/.test(e.msg)).length).toBe(1);
    expect(m.positions()[0].offset).toBe(fs.statSync(p('a.log')).size);
  });

  it('a sink that throws stops reading and rejects done', async () => {
    write(p('a.log'), ['x']);
    const m = track(manager([group('g', [p('*.log')], { fromStart: true })], () => { throw new Error('boom'); }));
    await m.start();
    await expect(m.done).rejects.toThrow('boom');
  });
});
