// Issue 4, rotation torture through the real CLI: a writer process appends 200k numbered lines to 3
// files while rotating them (rename+create and copytruncate alternately, lines written right up to
// each rotation and to the old fd after a rename); the daemon tails them live (--dry-run, files
// present at start-up read from their start); at the end the counter, the meter and the sum of the
// sequence numbers of every file equal what was written: every line exactly once.
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon, finalCounts, lastPoints, report, rmrf, simpleGroup, tempDir, until, writeConfig } from './helpers/tail.js';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tail', 'helpers', 'rotwriter.mjs');

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => { daemon?.dispose(); daemon = undefined; if (dir) rmrf(dir); dir = ''; });

describe('rotation torture (CLI, daemon mode)', () => {
  it('200k lines over 3 files with rename and copytruncate rotations: every line counted exactly once', async () => {
    const seed = Number(process.env.TAIL_TORTURE_SEED ?? Date.now() % 100_000);
    const nFiles = 3, total = 200_000, every = 1500, prefill = 1000;
    const t0 = Date.now();
    dir = tempDir('rot');
    const conf = writeConfig(path.join(dir, 'rot.conf'), [
      // rotated names (app-0.log.r1, app-0.log.c2) are not matched: they must not be read again
      simpleGroup({ name: 'app', files: [path.join(dir, 'app-*.log')], interval: 10, live_poll: false, parse_from_start: true }),
    ]);

    const child = fork(writer, [dir, String(nFiles), String(total), String(every), String(seed), String(prefill)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let syncs = 0;
    let syncWaitMax = 0;
    const done = new Promise<{ counts: number[]; renames: number; truncates: number }>((resolve, reject) => {
      child.on('message', (msg: any) => {
        if (msg.type === 'done') resolve(msg);
        else if (msg.type === 'ready') {
          // the prefilled files are present at start-up
          daemon = new Daemon(['-c', conf, '--dry-run']);
          daemon.started().then(() => child.send({ type: 'go' }), reject);
        } else if (msg.type === 'sync') {
          // copytruncate: wait until the collector has read the file to its end (status endpoint)
          const d = daemon!;
          const s0 = Date.now();
          until(async () => (await d.status()).files.some((f) => f.path === msg.path && f.ino === msg.ino && f.offset === msg.size),
            30_000, `the collector to read ${msg.path} to ${msg.size} before copytruncate (seed ${seed})`, 5)
            .then(() => { syncs++; syncWaitMax = Math.max(syncWaitMax, Date.now() - s0); child.send({ type: 'go' }); }, reject);
        }
      });
      child.on('exit', (code) => { if (code !== 0) reject(new Error(`writer exited with ${code}`)); });
      child.on('error', reject);
    });
    const res = await done;
    const tWritten = Date.now();
    const d = daemon!;
    const paths = res.counts.map((_, k) => path.join(dir, `app-${k}.log`));
    const expected = res.counts.reduce((a, b) => a + b, 0);
    expect(expected).toBeGreaterThanOrEqual(total);

    // caught up: tail.line_read of every path (all its inodes) reaches what was written (or stops
    // short: then the comparison below says where)
    let read = new Map<string, number>();
    await until(async () => {
      read = await d.linesRead();
      return paths.every((p, k) => (read.get(p) ?? 0) >= res.counts[k]!);
    }, 30_000, 'all lines read').catch(() => undefined);
    expect(paths.map((p) => read.get(p)), `lines read per file (seed ${seed})`).toEqual(res.counts);
    const tCaughtUp = Date.now();
    // every rotation seen once (a rename right at the end waits for the old file's 5 s grace)
    await until(() => d.log().filter((l) => /^file rotated/.test(l.msg)).length >= res.renames &&
      d.log().filter((l) => /^file truncated/.test(l.msg)).length >= res.truncates, 15_000,
    () => `every rotation logged (${res.renames} renames, ${res.truncates} truncations; seed ${seed})`);
    read = await d.linesRead();
    expect(paths.map((p) => read.get(p)), `lines read per file, a moment later (seed ${seed})`).toEqual(res.counts);

    const exit = await d.stop();
    expect(exit.code, d.stderr().slice(-3000)).toBe(0);
    const log = d.log();
    expect(log.filter((l) => /^file rotated/.test(l.msg)).length).toBe(res.renames);
    expect(log.filter((l) => /^file truncated/.test(l.msg)).length).toBe(res.truncates);
    expect(log.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    // present at start-up: read from their start (one after the other: spec section 6, "Order")
    expect(paths.map((p) => log.find((l) => /^tailing file/.test(l.msg) && l.path === p)).map((l) => `${l?.msg} ${l?.path}`))
      .toEqual(paths.map((p) => `tailing file from its start ${p}`));

    const points = lastPoints(d.stdout());
    const lines = finalCounts(points, 'app', 'lines');
    const meter = finalCounts(points, 'app', 'm');
    const seqsum = finalCounts(points, 'app', 'seqsum');
    for (const [k, n] of res.counts.entries()) {
      expect({ file: `f${k}`, lines: lines.get(`f${k}`), meter: meter.get(`f${k}`), seqsum: seqsum.get(`f${k}`) })
        .toEqual({ file: `f${k}`, lines: n, meter: n, seqsum: (n * (n - 1)) / 2 });
    }
    expect(res.renames).toBeGreaterThanOrEqual(60);
    expect(res.truncates).toBeGreaterThanOrEqual(60);
    expect(syncs).toBe(res.truncates);
    report('rotation', {
      seed, lines: expected, renames: res.renames, truncates: res.truncates, write_s: (tWritten - t0) / 1000,
      catch_up_after_writer_s: (tCaughtUp - tWritten) / 1000, copytruncate_sync_max_ms: syncWaitMax, total_s: (Date.now() - t0) / 1000,
    });
  }, 120_000);
});
