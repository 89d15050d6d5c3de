// Rotation torture: a separate process appends numbered lines to 3 files while rotating them
// (rename+create and copytruncate alternately); every line must be seen exactly once, in order.
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TailManager } from '../../src/tail/tailer.js';
import { Collector, MemLog, group, manager, rmrf, tempDir } from './helpers/util.js';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'rotwriter.mjs');

let dir: string;
let m: TailManager | undefined;
beforeEach(() => { dir = tempDir('rot-'); });
afterEach(async () => { await m?.stop(); m = undefined; rmrf(dir); });

async function torture(opts: { total: number; every: number; seed: number; pollFile: boolean }) {
  const nFiles = 3;
  const c = new Collector();
  const log = new MemLog();
  // files exist (empty) before start-up so that starting "at the end" loses nothing
  for (let k = 0; k < nFiles; k++) (await import('node:fs')).writeFileSync(path.join(dir, `f${k}.log`), '');
  m = manager([group('g', [path.join(dir, 'f*.log')], { pollFile: opts.pollFile })], c.sink, { log, rotateGraceMs: 1000 });
  await m.start();
  const mgr = m;
  const child = fork(writer, [dir, String(nFiles), String(opts.total), String(opts.every), String(opts.seed)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const done = new Promise<{ counts: number[]; renames: number; truncates: number }>((resolve, reject) => {
    child.on('message', (msg: any) => {
      if (msg.type === 'done') resolve(msg);
      else if (msg.type === 'sync') {
        // copytruncate: wait until the tailer has handed out every line of that file
        c.when(() => mgr.positions().some((x) => x.path === msg.path && x.identity.ino === msg.ino && x.offset === msg.size),
          'tailer to catch up before copytruncate').then(() => child.send({ type: 'go' }), reject);
      }
    });
    child.on('exit', (code) => { if (code !== 0) reject(new Error(`writer exited with ${code}`)); });
    child.on('error', reject);
  });
  const res = await done;
  const expected = res.counts.reduce((a, b) => a + b, 0);
  await c.until(expected, 15_000);
  // anything read twice would show up once the tailer has looked at every file again, and a rename
  // right at the end (an empty new file) is acted on once the old file has been quiet for the
  // rotation grace (1 s here): a wait for time to pass, not for the reader
  await new Promise((r) => setTimeout(r, 1500));
  await mgr.settled();
  for (let k = 0; k < nFiles; k++) {
    const seqs = c.lines(path.join(dir, `f${k}.log`)).map((l) => {
      const [name, seq, pad] = l.split(' ');
      expect(name).toBe(`f${k}`);
      expect(pad ?? '').toMatch(/^x*$/);
      return Number(seq);
    });
    // exactly once and in order
    expect(seqs.length).toBe(res.counts[k]);
    for (let i = 0; i < seqs.length; i++) if (seqs[i] !== i) expect(`file f${k}: line ${i} is ${seqs[i]}`).toBe('in order');
  }
  expect(c.count()).toBe(expected);
  expect(res.renames).toBeGreaterThan(3);
  expect(res.truncates).toBeGreaterThan(3);
  expect(log.countOf(/rotated/)).toBe(res.renames);
  expect(log.countOf(/truncated/)).toBe(res.truncates);
  expect(c.count()).toBe(expected);
}

describe('rotation torture', () => {
  it('inotify: 50k lines over 3 files, rename and copytruncate rotations, every line exactly once', async () => {
    await torture({ total: 50_000, every: 2000, seed: Number(process.env.TAIL_TORTURE_SEED ?? 12345), pollFile: false });
  });

  it('poll only: 20k lines, same guarantees', async () => {
    await torture({ total: 20_000, every: 1500, seed: Number(process.env.TAIL_TORTURE_SEED ?? 777), pollFile: true });
  });
});
