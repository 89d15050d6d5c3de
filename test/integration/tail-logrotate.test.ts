// Issue 16, live tailing with Debian's real logrotate (`logrotate -f` every 1.5 s, `compress`,
// `delaycompress`, `rotate 100`) while a writer process appends to two logs at a steady rate with
// no pause around rotations; the collector's glob matches the rotated names too (`app*.log*`).
// - create: the writer reopens its log once renamed (as after a postrotate signal). Every line
//   written is counted exactly once (count and sum of sequence numbers per log).
// - copytruncate: the writer keeps its O_APPEND descriptor. Every line that is in some file of the
//   family at the end (a copytruncate loses, for everyone, what is written between its copy and its
//   truncate) is counted exactly once; the collector is stopped (SIGSTOP) across one rotation, so
//   that lines it had not read when the copy was made are read from the copy.
// - kill -9 five times during the rotations, restarted on its state file: exact counts.
// - a clean stop, lines appended, two rotations (a rename, then the compression of the renamed file)
//   while the collector is down, then a start: every line counted once.
// No line fails the regex in any of them (a .gz read as text would).
import { execFile, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon, lastPoints, numLines, promCounter, report, rmrf, sleep, tempDir, until, writeConfig, type Last } from './helpers/tail.js';

const run = promisify(execFile);

/**
 * The group: one counter series per line (tag n = its sequence number), so a line read twice shows as
 * a 2 (max_tag_values raised: the kill -9 run writes 16,000 lines a log).
 */
function lrGroup(glob: string): string {
  return `  lr: {
    files: ${JSON.stringify([glob])},
    re: [ '^(\\S+)\\sfile=(\\S+)\\sn=(\\d+)' ],
    expected_matches: 3,
    date: { position: 1, format: "rfc3339" },
    key_prefix: "lr",
    tags: { file: 2, n: 3 },
    metrics: { counter: [ { key_suffix: lines, reference: [ [0, ""] ] } ] },
    interval: 5,
    parse_from_start: false,
    max_tag_values: 100000
  }`;
}
const writerScript = path.join(path.dirname(new URL(import.meta.url).pathname), 'helpers', 'logwriter.mjs');

let dir = '';
const daemons: Daemon[] = [];
afterEach(() => { for (const d of daemons.splice(0)) d.dispose(); if (dir) rmrf(dir); dir = ''; });

function logrotateConf(d: string, mode: 'create' | 'copytruncate', compressNow = false): string {
  const f = path.join(d, 'logrotate.conf');
  fs.writeFileSync(f, `${d}/app1.log ${d}/app2.log {
    rotate 100
    missingok
    notifempty
    compress
    ${compressNow ? '' : 'delaycompress'}
    ${mode === 'create' ? 'create 0644' : 'copytruncate'}
}
`);
  return f;
}

const rotate = (conf: string, state: string) => run('logrotate', ['-f', '-s', state, conf]);

/** The sequence numbers of each log's lines over every file of its family now (and how many appear twice). */
function familySeqs(d: string, tag: string): { seqs: Set<number>; dups: number; files: number } {
  const seqs = new Set<number>();
  let dups = 0, files = 0;
  for (const name of fs.readdirSync(d)) {
    if (!name.startsWith(`${tag}.log`)) continue;
    files++;
    let data = fs.readFileSync(path.join(d, name));
    if (name.endsWith('.gz')) data = zlib.gunzipSync(data);
    const text = data.toString('utf8');
    for (const l of text.slice(0, text.lastIndexOf('\n') + 1).split('\n').slice(0, -1)) {
      const m = / file=(\S+) n=(\d+)/.exec(l);
      if (!m || m[1] !== tag) continue;
      if (seqs.has(Number(m[2]))) dups++;
      seqs.add(Number(m[2]));
    }
  }
  return { seqs, dups, files };
}

/** The final count of every line's series, per log: sequence number -> times counted. */
function countedSeqs(points: Map<string, Last>, tag: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const [k, v] of points) {
    const m = /^lr\.lines\.count file=(\S+) n=(\d+)$/.exec(k);
    if (m && m[1] === tag) out.set(Number(m[2]), v.value);
  }
  return out;
}

function startWriter(d: string, perFile: number, rate: number, mode: string): Promise<number[]> {
  const child = fork(writerScript, [d, 'app1,app2', String(perFile), String(rate), mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.on('message', (m: { type: string; counts: number[] }) => { if (m.type === 'done') resolve(m.counts); });
    child.on('exit', (code) => { if (code !== 0) reject(new Error(`writer exited with ${code}`)); });
  });
}

/** setup() and a collector started on it, with the writer going. */
async function startLive(tag: string, mode: 'create' | 'copytruncate', perFile: number): Promise<{ d: Daemon; lr: string; lrState: string; writer: Promise<number[]> }> {
  const { conf, lr, lrState } = setup(tag, mode);
  const d = new Daemon(['-c', conf, '--dry-run']);
  daemons.push(d);
  await d.started();
  return { d, lr, lrState, writer: startWriter(dir, perFile, 400, mode) };
}

function setup(tag: string, mode: 'create' | 'copytruncate', settings: Record<string, unknown> = {}): { conf: string; lr: string; lrState: string } {
  dir = tempDir(tag);
  for (const t of ['app1', 'app2']) fs.writeFileSync(path.join(dir, `${t}.log`), '');
  const conf = writeConfig(path.join(dir, 'c.conf'), [lrGroup(path.join(dir, 'app*.log*'))], { poll_interval: 1, ...settings });
  return { conf, lr: logrotateConf(dir, mode), lrState: path.join(dir, 'logrotate.state') };
}

/** Rotates every 1.5 s until `done` settles; `around(k)` runs before rotation k (for faults). */
async function rotateWhile(done: Promise<unknown>, lr: string, lrState: string, around?: (k: number, rot: () => Promise<unknown>) => Promise<void>): Promise<number> {
  let finished = false;
  void done.then(() => { finished = true; }, () => { finished = true; });
  let k = 0;
  while (!finished) {
    await sleep(1500);
    if (finished) break;
    const rot = () => rotate(lr, lrState);
    if (around) await around(k, rot); else await rot();
    k++;
  }
  return k;
}

/** Waits until the daemon has read every open file to its end twice in a row, with the rotation grace past. */
async function caughtUp(d: Daemon): Promise<void> {
  await sleep(6000); // a compressed file that appeared is looked at once it stays unchanged for 5 s
  let lastKey = '';
  try {
    await until(async () => {
      const st = await d.status();
      const key = JSON.stringify(st.files.map((f) => [f.path, f.offset, f.size]));
      const ok = st.files.every((f) => f.lagBytes === 0) && key === lastKey;
      lastKey = key;
      return ok;
    }, 60_000, 'the collector to catch up', 500);
  } catch (e) {
    throw new Error(`${(e as Error).message}; collector's log: ${d.stderr().slice(-4000)}`);
  }
}

/**
 * Every line in the family counted exactly once; a line counted but in no file must be one a
 * copytruncate lost (read before the truncate, not in the copy): allowed only when `lossy`.
 */
function expectExact(points: Map<string, Last>, d: string, written: number[] | null, lossy: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  ['app1', 'app2'].forEach((tag, i) => {
    const fam = familySeqs(d, tag);
    expect(fam.dups, `${tag}: a line twice in the files themselves`).toBe(0);
    const counted = countedSeqs(points, tag);
    const twice = [...counted].filter(([, c]) => c !== 1).map(([n, c]) => `${n}x${c}`);
    const missing = [...fam.seqs].filter((n) => !counted.has(n));
    const extra = [...counted.keys()].filter((n) => !fam.seqs.has(n));
    expect({ tag, twice: twice.slice(0, 10), missing: missing.slice(0, 10), nMissing: missing.length })
      .toEqual({ tag, twice: [], missing: [], nMissing: 0 });
    if (!lossy) expect({ tag, extra: extra.slice(0, 10) }).toEqual({ tag, extra: [] });
    if (written) expect(Math.max(...counted.keys()) + 1).toBe(written[i]);
    out[`${tag}_lines`] = fam.seqs.size;
    out[`${tag}_counted`] = counted.size;
    out[`${tag}_files`] = fam.files;
  });
  return out;
}

async function regexFailures(d: Daemon): Promise<number> {
  const m = promCounter(await d.get('/metrics'), 'logmetrics_collector_tail_line_failed_total', 'log_group');
  return m.get('lr') ?? 0;
}

describe('live tailing with logrotate (CLI, daemon mode)', () => {
  it('create, compress, delaycompress: every line written counted once, no regex failure', async () => {
    const { d, lr, lrState, writer } = await startLive('lrc', 'create', 6000);
    const rotations = await rotateWhile(writer, lr, lrState);
    const counts = await writer;
    await caughtUp(d);
    expect(await regexFailures(d)).toBe(0);
    expect((await d.stop()).code).toBe(0);
    const fig = expectExact(lastPoints(d.stdout()), dir, counts, false);
    expect([fig.app1_lines, fig.app2_lines]).toEqual(counts);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.gz')).length).toBeGreaterThanOrEqual(8);
    report('logrotate-create', { rotations, ...fig });
  }, 120_000);

  it('copytruncate, compress, delaycompress: every line in the files counted once; a copy window read from the copy', async () => {
    const { d, lr, lrState, writer } = await startLive('lrt', 'copytruncate', 6000);
    const rotations = await rotateWhile(writer, lr, lrState, async (k, rot) => {
      if (k !== 3) { await rot(); return; }
      // the collector stopped across a rotation: what it had not read is only in the copy
      d.signal('SIGSTOP');
      await sleep(300);
      await rot();
      d.signal('SIGCONT');
    });
    const counts = await writer;
    await caughtUp(d);
    expect(await regexFailures(d)).toBe(0);
    expect((await d.stop()).code).toBe(0);
    const fig = expectExact(lastPoints(d.stdout()), dir, counts, true);
    const fromCopies = d.log().filter((l) => /^tailing file from the end of .*\(a copy of it\)/.test(l.msg));
    expect(fromCopies.length).toBeGreaterThanOrEqual(2); // both logs, at least at the stopped rotation
    report('logrotate-copytruncate', { rotations, copies_read_from: fromCopies.length, ...fig });
  }, 120_000);

  it('kill -9 five times during the rotations, restarted on the state file: exact counts', async () => {
    const { conf, lr, lrState } = setup('lrk', 'create');
    const state = path.join(dir, 'state.json');
    const args = ['-c', conf, '--dry-run', '--state-file', state];
    const outputs: string[] = [];
    let d = new Daemon(args);
    daemons.push(d);
    await d.started();
    const writer = startWriter(dir, 16_000, 400, 'create');
    let kills = 0;
    const rotations = await rotateWhile(writer, lr, lrState, async (k, rot) => {
      await rot();
      if (k % 2 !== 1 || kills >= 5) return;
      // at least one checkpoint of this process, then kill -9 and restart
      const t = Date.now();
      await until(() => { try { return fs.statSync(state).mtimeMs >= t - 5000; } catch { return false; } }, 20_000, 'a checkpoint');
      await d.kill9();
      outputs.push(d.stdout());
      kills++;
      d = new Daemon(args);
      daemons.push(d);
      await d.started();
    });
    const counts = await writer;
    expect(kills).toBe(5);
    await caughtUp(d);
    expect(await regexFailures(d)).toBe(0);
    expect((await d.stop()).code).toBe(0);
    outputs.push(d.stdout());
    const last = new Map<string, Last>();
    for (const o of outputs) lastPoints(o, last);
    const fig = expectExact(last, dir, counts, false);
    report('logrotate-kill9', { rotations, kills, ...fig });
  }, 180_000);

  it('a clean stop, lines appended, a rename and a compression while down, then a start: every line once', async () => {
    dir = tempDir('lrs');
    const live = path.join(dir, 'app1.log');
    fs.writeFileSync(live, '');
    fs.writeFileSync(path.join(dir, 'app2.log'), '');
    const conf = writeConfig(path.join(dir, 'c.conf'), [lrGroup(path.join(dir, 'app*.log*'))], { poll_interval: 1 });
    const lr = logrotateConf(dir, 'create');
    const lrState = path.join(dir, 'logrotate.state');
    const state = path.join(dir, 'state.json');
    const args = ['-c', conf, '--dry-run', '--state-file', state];
    const d1 = new Daemon(args);
    daemons.push(d1);
    await d1.started();
    fs.appendFileSync(live, numLines('app1', 0, 1000));
    await until(async () => (await d1.status()).files.some((f) => f.path === live && f.offset === fs.statSync(live).size), 20_000, 'read');
    expect((await d1.stop()).code).toBe(0);
    // while down: 1,000 more lines, a rotation (app1.log -> app1.log.1), 500 lines in the new file,
    // a second rotation (app1.log.1 -> app1.log.2.gz, app1.log -> app1.log.1), 300 lines
    fs.appendFileSync(live, numLines('app1', 1000, 1000));
    await rotate(lr, lrState);
    fs.appendFileSync(live, numLines('app1', 2000, 500));
    await rotate(lr, lrState);
    fs.appendFileSync(live, numLines('app1', 2500, 300));
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('app1.log')).sort()).toEqual(['app1.log', 'app1.log.1', 'app1.log.2.gz']);
    const d2 = new Daemon(args);
    daemons.push(d2);
    await d2.started();
    await caughtUp(d2);
    expect(d2.findLog(/^reading compressed file from the end of .*\(a copy of it\)|^reading compressed file from its checkpoint/),
      d2.stderr().slice(-3000)).toBeTruthy();
    expect(await regexFailures(d2)).toBe(0);
    expect((await d2.stop()).code).toBe(0);
    const last = new Map<string, Last>();
    lastPoints(d1.stdout(), last);
    lastPoints(d2.stdout(), last);
    const counted = countedSeqs(last, 'app1');
    expect([counted.size, [...counted.values()].every((c) => c === 1), Math.max(...counted.keys())]).toEqual([2800, true, 2799]);
  }, 90_000);
});
