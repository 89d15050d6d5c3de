// TailManager on a manual clock: every test moves time (stat polls every 100 ms, rescans every
// 200 ms, rotation grace 300 ms) and waits for the manager to settle; nothing sleeps.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../src/selfstats/registry.js';
import { identityOf } from '../../src/tail/reader.js';
import type { TailManager } from '../../src/tail/tailer.js';
import { Collector, MemLog, group, harness, nums, rmrf, tempDir, write, type Harness } from './helpers/util.js';

let dir: string;
let running: TailManager[] = [];
beforeEach(() => { dir = tempDir('tailer-'); });
afterEach(async () => { for (const m of running.splice(0)) await m.stop(); rmrf(dir); });
const p = (name: string) => path.join(dir, name);
function make(...args: Parameters<typeof harness>): Harness {
  const h = harness(...args);
  running.push(h.m);
  return h;
}

/** An empty app.log, a group on `glob`, started: the rotation tests' first steps. */
async function startOnEmpty(glob: string): Promise<{ f: string; c: Collector; log: MemLog; h: Harness }> {
  const f = p('app.log');
  fs.writeFileSync(f, '');
  const c = new Collector();
  const log = new MemLog();
  const h = make([group('g', [glob])], c.sink, { log });
  await h.m.start();
  return { f, c, log, h };
}

describe('TailManager: start positions', () => {
  it('files present at start-up start at their end; fromStart reads them whole', async () => {
    write(p('a.log'), ['old 1', 'old 2']);
    const c1 = new Collector();
    const c2 = new Collector();
    const h1 = make([group('g', [p('*.log')])], c1.sink);
    const h2 = make([group('g', [p('*.log')], { fromStart: true })], c2.sink);
    await h1.m.start();
    await h2.m.start();
    write(p('a.log'), ['new 1']);
    await h1.tick(100);
    await h2.tick(100);
    expect(c1.lines()).toEqual(['new 1']);
    expect(c2.lines()).toEqual(['old 1', 'old 2', 'new 1']);
    const id = identityOf(p('a.log'));
    expect(h1.m.positions()).toEqual([{ group: 'g', path: p('a.log'), identity: id, ...id, offset: 18, done: false, compressed: false }]);
  });

  it('a file created after start-up is read whole, and a glob matching nothing at first picks files up later', async () => {
    const c = new Collector();
    const h = make([group('g', [p('*.log')]), group('h', [p('later/*/x.log')])], c.sink);
    await h.m.start();
    expect(h.m.positions()).toEqual([]);
    write(p('new.log'), ['n1', 'n2']);
    fs.mkdirSync(p('later/sub'), { recursive: true });
    write(p('later/sub/x.log'), ['x1']);
    await h.tick(200);
    expect(c.lines(p('new.log'), 'g')).toEqual(['n1', 'n2']);
    expect(c.lines(p('later/sub/x.log'), 'h')).toEqual(['x1']);
  });

  it('an empty file found later is opened once it has content, and read from its start', async () => {
    const c = new Collector();
    const h = make([group('g', [p('*.log')])], c.sink);
    await h.m.start();
    fs.writeFileSync(p('e.log'), '');
    await h.tick(200);
    expect(h.m.files()).toEqual([]);
    write(p('e.log'), ['first']);
    await h.tick(200);
    expect(c.lines()).toEqual(['first']);
  });

  it('checkpoint records are found by identity: a matching one wins, a mismatching one reads the file from its start', async () => {
    write(p('a.log'), ['a1', 'a2']);
    write(p('b.log'), ['b1', 'b2']);
    const a = identityOf(p('a.log'));
    const b = identityOf(p('b.log'));
    const records = [
      { group: 'g', path: p('a.log'), ...a, offset: 3, done: false, compressed: false },                                   // after a1
      { group: 'g', path: p('b.log'), ...b, fingerprint: '0123456789abcdef', offset: 3, done: false, compressed: false },  // other content
    ];
    const c = new Collector();
    const log = new MemLog();
    const h = make([group('g', [p('*.log')])], c.sink, { log, restored: { records, writtenAt: Date.now() } });
    await h.m.start();
    await h.tick();
    expect(c.lines(p('a.log'))).toEqual(['a2']);
    expect(c.lines(p('b.log'))).toEqual(['b1', 'b2']); // changed since the checkpoint: new
    expect(log.entries.find((e) => /from its checkpoint/.test(e.msg))?.fields).toMatchObject({ path: p('a.log'), offset: 3 });
  });
});

describe('TailManager: rotation', () => {
  it('rename rotation: lines written just before the rename are read, then the new file from its start', async () => {
    const f = p('app.log');
    write(f, ['pre']);
    const c = new Collector();
    const log = new MemLog();
    const h = make([group('g', [p('*.log')])], c.sink, { log });
    await h.m.start();
    write(f, nums(0, 100));
    await h.tick(100);
    expect(c.count()).toBe(100);
    // written and rotated in one go: the tailer cannot have seen them before the rename
    write(f, nums(100, 200));
    fs.appendFileSync(f, 'partial at rotation');
    fs.renameSync(f, p('app.log.1'));
    write(f, nums(200, 300));
    for (let i = 0; i < 4; i++) await h.tick(100);
    expect(c.lines()).toEqual([...nums(0, 200), 'partial at rotation', ...nums(200, 300)]);
    expect(log.countOf(/rotated/)).toBe(1);
    const inodes = new Set(c.received.map((r) => r.identity.ino));
    expect(inodes.size).toBe(2);
    expect(h.m.positions().filter((x) => !x.done)).toMatchObject([{ path: f, identity: identityOf(f), offset: fs.statSync(f).size }]);
    // what was read of the old file is remembered, by identity
    expect(h.m.positions().filter((x) => x.done)).toMatchObject([{ ino: fs.statSync(p('app.log.1')).ino, offset: fs.statSync(p('app.log.1')).size }]);
  });

  it('rename rotation with the new file created empty: keeps reading the old file until it is quiet', async () => {
    const { f, c, h } = await startOnEmpty(p('*.log'));
    const fd = fs.openSync(f, 'a');
    fs.writeSync(fd, 'a\n');
    fs.renameSync(f, p('app.log.1'));
    fs.writeFileSync(f, '');             // logrotate's create
    await h.tick(100);
    fs.writeSync(fd, 'b\n');             // the app has not reopened its log yet
    await h.tick(100);
    fs.writeSync(fd, 'c\n');
    fs.closeSync(fd);
    await h.tick(100);
    expect(c.lines()).toEqual(['a', 'b', 'c']);
    const oldIno = fs.statSync(p('app.log.1')).ino;
    expect(h.m.files().map((x) => x.ino)).toEqual([oldIno]); // within the grace: still on the old file
    await h.tick(300);
    await h.tick(100);
    expect(h.m.files().map((x) => x.ino)).not.toContain(oldIno); // quiet: closed; the new file waits for content
    write(f, ['d']);
    await h.tick(200);
    expect(c.lines()).toEqual(['a', 'b', 'c', 'd']);
    expect(h.m.files().map((x) => x.ino)).toEqual([fs.statSync(f).ino]);
  });

  it('copytruncate with a glob on the live file only: read from the start after the truncation, even when regrown past the old offset', async () => {
    const { f, c, log, h } = await startOnEmpty(p('app.log'));
    write(f, nums(0, 10));
    await h.tick(100);
    fs.copyFileSync(f, p('app.log.1'));
    fs.truncateSync(f, 0);
    write(f, nums(10, 12));                  // shorter than before
    await h.tick(100);
    fs.copyFileSync(f, p('app.log.2'));
    fs.truncateSync(f, 0);
    write(f, nums(12, 100));                 // longer than before, in the same tick
    await h.tick(100);
    expect(c.lines()).toEqual(nums(0, 100));
    expect(log.countOf(/truncated/)).toBe(2);
  });

  it('copytruncate with a glob matching the copy: lines written after the last read and before the copy come from the copy', async () => {
    const { f, c, h } = await startOnEmpty(p('app.log*'));
    const L = (a: number, b: number) => nums(a, b, 'a line long enough for 1 KB of content in a few lines:');
    write(f, L(0, 100));
    await h.tick(100);
    expect(c.count()).toBe(100);
    write(f, L(100, 150));                   // not read yet when copied and truncated
    fs.copyFileSync(f, p('app.log.1'));
    fs.truncateSync(f, 0);
    write(f, L(150, 160));
    for (let i = 0; i < 4; i++) await h.tick(100);
    expect(c.lines()).toEqual(L(0, 160));
    expect(c.lines(p('app.log.1'))).toEqual(L(100, 150));
    // the copy is compressed later (delaycompress): nothing in it is new
    fs.writeFileSync(p('app.log.2.gz'), (await import('node:zlib')).gzipSync(fs.readFileSync(p('app.log.1'))));
    fs.unlinkSync(p('app.log.1'));
    for (let i = 0; i < 4; i++) await h.tick(100);
    expect(c.lines()).toEqual(L(0, 160));
  });

  it('deletion: the file is read to its end (partial line included) and closed; a new file there is read whole', async () => {
    const { f, c, log, h } = await startOnEmpty(p('*.log'));
    write(f, ['x1']);
    fs.appendFileSync(f, 'x2 partial');
    fs.unlinkSync(f);
    for (let i = 0; i < 5; i++) await h.tick(100);
    expect(h.m.files()).toEqual([]);
    expect(c.lines()).toEqual(['x1', 'x2 partial']);
    expect(log.countOf(/deleted/)).toBe(1);
    write(f, ['y1']);
    await h.tick(200);
    expect(c.lines()).toEqual(['x1', 'x2 partial', 'y1']);
  });

  it('a glob matching the rotated name: the reader follows the file, nothing is read twice', async () => {
    const { f, c, log, h } = await startOnEmpty(p('app.log*'));
    write(f, nums(0, 5));
    await h.tick(100);
    fs.renameSync(f, p('app.log.1'));
    write(p('app.log.1'), nums(5, 7));   // still written after the rename
    write(f, nums(7, 9));
    for (let i = 0; i < 5; i++) await h.tick(100);
    expect(c.lines()).toEqual(nums(0, 9));
    write(p('app.log.1'), nums(9, 10));
    for (let i = 0; i < 5; i++) await h.tick(100);
    expect([...c.lines()].sort()).toEqual(nums(0, 10).sort());
    expect(h.m.files().map((x) => x.path).sort()).toEqual([f, p('app.log.1')]);
    expect(log.has(/following it under its new name|from its previous position/)).toBe(true);
  });
});

describe('TailManager: --once', () => {
  it('reads every file from its start to its end, one at a time, final partial lines included, the same way every time', async () => {
    for (let i = 0; i < 5; i++) {
      write(p(`f${i}.log`), nums(0, 500, `f${i}`));
      fs.appendFileSync(p(`f${i}.log`), `f${i} partial`);
    }
    const runs: string[][] = [];
    for (let k = 0; k < 2; k++) {
      const c = new Collector();
      const h = make([group('g', [p('*.log')])], c.sink, { once: true, chunkBytes: 1024, turnBytes: 1024 });
      await h.m.start();
      await h.m.done;
      for (let i = 0; i < 5; i++) expect(c.lines(p(`f${i}.log`))).toEqual([...nums(0, 500, `f${i}`), `f${i} partial`]);
      runs.push(c.received.map((r) => `${r.batch.path}:${r.batch.endOffset}`));
      expect(h.m.positions().map((x) => x.offset)).toEqual(Array(5).fill(fs.statSync(p('f0.log')).size));
      expect(h.m.positions().every((x) => x.done)).toBe(true);
      // one file to its end before the next
      const order = c.received.map((r) => r.batch.path).filter((x, i, a) => i === 0 || a[i - 1] !== x);
      expect(order.length).toBe(5);
      // the progress line's figures: file 5 of 5, every byte on disk read
      expect(h.m.progress()).toEqual({ file: 5, files: 5, diskBytes: 5 * fs.statSync(p('f0.log')).size });
    }
    expect(runs[0]).toEqual(runs[1]);
  });

  it('groups are read side by side, one turn each', async () => {
    for (const n of ['a', 'b']) write(p(`${n}.log`), nums(0, 300, n));
    const c = new Collector();
    const h = make([group('a', [p('a.log')]), group('b', [p('b.log')])], c.sink, { once: true, chunkBytes: 1024, turnBytes: 1024 });
    await h.m.start();
    await h.m.done;
    expect(c.received.slice(0, 4).map((r) => r.group)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('resolves at once with no files', async () => {
    const h = make([group('g', [p('*.none')])], new Collector().sink, { once: true });
    await h.m.start();
    await h.m.done;
  });
});

describe('TailManager: fairness and backpressure', () => {
  it('200 busy files are read round-robin: no file starves', async () => {
    const N = 200;
    for (let i = 0; i < N; i++) fs.writeFileSync(p(`f${String(i).padStart(3, '0')}.log`), '');
    const c = new Collector();
    const h = make([group('g', [p('*.log')])], c.sink, { chunkBytes: 1024, turnBytes: 1024 });
    await h.m.start();
    for (let i = 0; i < N; i++) write(p(`f${String(i).padStart(3, '0')}.log`), nums(0, 300, `file${i}`));
    await h.tick(100);
    expect(c.count()).toBe(N * 300);
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
    const h = make([group('a', [p('a.log')], { fromStart: true }), group('b', [p('b.log')], { fromStart: true })], (g, b, id) => {
      if (pendingNow) callsWhilePending++;
      c.sink(g, b, id);
      if (++calls === 1) {
        pendingNow = true;
        return new Promise<void>((res) => { release = () => { pendingNow = false; res(); }; });
      }
    }, { chunkBytes: 512, turnBytes: 512 });
    const started = h.m.start();
    await c.until(1);
    await started;
    const before = JSON.stringify(h.m.positions());
    write(p('a.log'), ['more']);
    await h.clock.advance(300);
    expect(calls).toBe(1);
    expect(h.m.isBackpressured()).toBe(true);
    expect(h.m.isCaughtUp('a')).toBe(false);
    expect(JSON.stringify(h.m.positions())).toBe(before);
    release();
    await c.until(401);
    await h.tick(100);
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
    const h = make([group('g', [p('*.log')])], c.sink, { registry, onIdle: (g) => idle.push(g) });
    await h.m.start();
    expect(h.m.isCaughtUp('g')).toBe(true);
    write(p('a.log'), ['12345', '6789']);
    await h.tick(100);
    expect(c.count()).toBe(2);
    expect(idle).toEqual(['g']);
    expect(h.m.isCaughtUp('g')).toBe(true);
    const series = registry.all().filter((s) => s.name.startsWith('tail.'));
    expect(series.map((s) => [s.name, s.tags, s.value])).toEqual([
      ['tail.line_read', { filename: p('a.log'), log_group: 'g' }, 2],
      ['tail.byte_read', { filename: p('a.log'), log_group: 'g' }, 11],
    ]);
    expect(h.m.files()).toMatchObject([{ group: 'g', path: p('a.log'), offset: 11, size: 11, lagBytes: 0 }]);
  });

  it('poll_file groups work without inotify', async () => {
    const c = new Collector();
    fs.writeFileSync(p('a.log'), '');
    const h = make([group('g', [p('*.log')], { pollFile: true })], c.sink);
    await h.m.start();
    write(p('a.log'), ['1']);
    fs.renameSync(p('a.log'), p('a.log.1'));
    write(p('a.log'), ['2']);
    for (let i = 0; i < 6; i++) await h.tick(50);
    expect(c.lines()).toEqual(['1', '2']);
  });

  it('setGroups keeps unchanged groups, adds and removes others', async () => {
    write(p('a.log'), ['a0']);
    write(p('b.txt'), ['b0']);
    const c = new Collector();
    const h = make([group('a', [p('*.log')]), group('b', [p('*.txt')])], c.sink);
    await h.m.start();
    write(p('a.log'), ['a1']);
    await h.tick(100);
    const idA = h.m.positions().find((x) => x.group === 'a');
    await h.m.setGroups([group('a', [p('*.log')]), group('c', [p('*.txt')], { fromStart: true })]);
    expect(h.m.positions().find((x) => x.group === 'a')).toEqual(idA);
    expect(h.m.positions().some((x) => x.group === 'b')).toBe(false);
    write(p('a.log'), ['a2']);
    await h.tick(100);
    expect(c.lines(undefined, 'a')).toEqual(['a1', 'a2']);
    expect(c.lines(undefined, 'c')).toEqual(['b0']);
  });

  it('setGroups with changed globs: kept files keep their reader, newly matched files start at their end', async () => {
    write(p('a.log'), ['a0']);
    write(p('b.log'), ['b0']);
    write(p('c.txt'), ['c0']);
    const c = new Collector();
    const log = new MemLog();
    const h = make([group('g', [p('a.log'), p('b.log')])], c.sink, { log });
    await h.m.start();
    write(p('a.log'), ['a1']);
    await h.tick(100);
    const before = h.m.positions().find((x) => x.path === p('a.log'));
    await h.m.setGroups([group('g', [p('a.log'), p('*.txt')])]);
    expect(h.m.files().map((x) => x.path).sort()).toEqual([p('a.log'), p('c.txt')]);
    expect(h.m.positions().find((x) => x.path === p('a.log'))).toEqual(before);
    expect(log.has(/stopped tailing/)).toBe(true);
    write(p('a.log'), ['a2']);
    write(p('b.log'), ['b1']);
    write(p('c.txt'), ['c1']);
    await h.tick(100);
    await h.tick(200);
    expect(c.lines()).toEqual(['a1', 'a2', 'c1']);
  });

  it('skipped long lines are reported in the batch and warned about (rate-limited)', async () => {
    fs.writeFileSync(p('a.log'), '');
    const c = new Collector();
    const log = new MemLog();
    const h = make([group('g', [p('*.log')])], c.sink, { log, maxLineBytes: 10, chunkBytes: 8 });
    await h.m.start();
    write(p('a.log'), ['short', 'y'.repeat(50), 'z'.repeat(11), 'ok']);
    await h.tick(100);
    expect(c.lines()).toEqual(['short', 'ok']);
    expect(c.received.reduce((n, r) => n + r.batch.skippedLong, 0)).toBe(2);
    expect(log.entries.filter((e) => e.level === 'warn' && /max_line_bytes/.test(e.msg)).length).toBe(1);
    expect(h.m.positions()[0]!.offset).toBe(fs.statSync(p('a.log')).size);
  });

  it('a sink that throws stops reading and rejects done', async () => {
    write(p('a.log'), ['x']);
    const h = make([group('g', [p('*.log')], { fromStart: true })], () => { throw new Error('boom'); });
    await h.m.start();
    await expect(h.m.done).rejects.toThrow('boom');
  });
});
