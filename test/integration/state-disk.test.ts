// Issue 18, the state file through the real CLI (daemon, --dry-run, spec section 8):
// - a full disk: the state file on a 64 KB tmpfs while keys grow past it. The previous checkpoint
//   stays valid, the error is logged and counted; once space is freed (the tmpfs made larger)
//   writing resumes, and a kill -9 and restart after that loses nothing;
// - two generations: the newest checkpoint corrupted by hand falls back to the older one, and the
//   final values still equal those of an uninterrupted run;
// - a renamed group's checkpoint is warned about by name.
// Each run's final values are compared with one uninterrupted --once --dry-run over the final log.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { scanState } from '../../src/state/reader.js';
import { Daemon, lastPoints, numLine, promCounter, report, rmrf, sleep, tempDir, until, writeConfig, type Last } from './helpers/tail.js';

let dir = '';
let mounted = '';
let daemon: Daemon | undefined;
afterEach(() => {
  daemon?.dispose();
  daemon = undefined;
  if (mounted) { try { execFileSync('umount', [mounted]); } catch { /* already */ } mounted = ''; }
  if (dir) rmrf(dir);
  dir = '';
});

/** One group over `<time> file=f n=<seq> k=<key>`: per key, a line count and the sum of the sequence numbers. */
function keysGroup(name: string, log: string): string {
  return `  ${name}: {
    files: [${JSON.stringify(log)}],
    re: [ '^(\\S+)\\sfile=(\\S+)\\sn=(\\d+)\\sk=(\\S+)' ],
    expected_matches: 4,
    date: { position: 1, format: "rfc3339" },
    key_prefix: ${name},
    tags: { key: 4 },
    metrics: { counter: [ { key_suffix: lines, reference: [ [0, ""] ] }, { key_suffix: seqsum, reference: [ [3, ""] ] } ] },
    interval: 10,
    parse_from_start: true
  }`;
}

/** Lines from..to-1; line i is at second i/20 and belongs to key k<floor(i / perKey)>. */
function keyLines(from: number, to: number, perKey: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += numLine(i / 20, 'f', i, `k=k${Math.floor(i / perKey)}`);
  return s;
}

function userSeries(m: Map<string, Last>): Map<string, number> {
  return new Map([...m].filter(([k]) => !k.startsWith('logmetrics_collector.')).map(([k, v]) => [k, v.value]));
}

/** Final values of all runs' outputs together equal those of one --once run over the log. */
async function expectSameAsOnce(conf: string, outputs: string[], what: string): Promise<number> {
  const once = await runCli(['-c', conf, '--once', '--dry-run'], { timeoutMs: 120_000 });
  expect(once.code, once.stderr.slice(-2000)).toBe(0);
  const want = userSeries(lastPoints(once.stdout));
  const got = new Map<string, Last>();
  for (const o of outputs) lastPoints(o, got);
  const have = userSeries(got);
  const differ = [...want].filter(([k, v]) => have.get(k) !== v).map(([k, v]) => `${k}: want ${v}, got ${have.get(k)}`);
  expect({ missing: [...want.keys()].filter((k) => !have.has(k)).length, differ: differ.slice(0, 5) }, what).toEqual({ missing: 0, differ: [] });
  return want.size;
}

async function metric(d: Daemon, family: string, label = 'error'): Promise<Map<string, number>> {
  return promCounter(await d.get('/metrics'), family, label);
}

async function cutsWritten(d: Daemon): Promise<number> {
  const m = /^logmetrics_collector_state_cuts_written_total (\d+)$/m.exec(await d.get('/metrics'));
  return m ? Number(m[1]) : 0;
}

describe('state file on a full disk (CLI, daemon mode)', () => {
  it('keeps the previous checkpoint, logs and counts the error, resumes once space is freed, and loses nothing', async () => {
    dir = tempDir('disk');
    const st = path.join(dir, 'st');
    fs.mkdirSync(st);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', st], { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`this test mounts a 64 KB tmpfs (mount -t tmpfs -o size=64k), which needs root: ${(e as Error).message}`);
    }
    mounted = st;
    const log = path.join(dir, 'keys.log');
    const state = path.join(st, 'state');
    const conf = writeConfig(path.join(dir, 'disk.conf'), [keysGroup('disk', log)]);
    const PER_KEY = 2;
    fs.writeFileSync(log, keyLines(0, 200, PER_KEY));
    const d1 = daemon = new Daemon(['-c', conf, '--dry-run', '--state-file', state]);
    await d1.started();
    await until(async () => (await cutsWritten(d1)) > 0, 30_000, 'a first checkpoint');
    // keys keep coming: 100 new keys a second, until the state no longer fits
    let fed = 200;
    const full = until(() => d1.findLog(/Could not write the state file/), 90_000, 'a failed state file write');
    while (!d1.findLog(/Could not write the state file/) && fed < 40_000) {
      fs.appendFileSync(log, keyLines(fed, fed + 200, PER_KEY));
      fed += 200;
      await sleep(1000);
    }
    const err = await full;
    expect(err).toMatchObject({ level: 'error', error: 'ENOSPC', state_file: state });
    expect((await metric(d1, 'logmetrics_collector_state_write_errors_total')).get('ENOSPC')).toBeGreaterThanOrEqual(1);
    const scan = scanState(state); // the newest is intact: every frame checks, a complete cut in it
    expect(typeof scan, String(scan)).toBe('object');
    const fullAt = fed;

    // space freed: writing resumes (after the backoff), with every key
    execFileSync('mount', ['-o', 'remount,size=4m', st]);
    await until(() => d1.findLog('State file written again'), 60_000, 'a state file write after space was freed');
    expect(d1.log().filter((l) => /Could not write the state file/.test(l.msg))).toHaveLength(1); // logged once
    fs.appendFileSync(log, keyLines(fed, fed + 400, PER_KEY));
    fed += 400;
    await until(async () => (await d1.linesRead()).get(log) === fed, 30_000, 'the last lines read');
    const cuts = await cutsWritten(d1);
    await until(async () => (await cutsWritten(d1)) > cuts, 30_000, 'a checkpoint after them');
    await d1.kill9();

    fs.appendFileSync(log, keyLines(fed, fed + 400, PER_KEY));
    fed += 400;
    const d2 = daemon = new Daemon(['-c', conf, '--dry-run', '--state-file', state]);
    await d2.started();
    expect(d2.findLog('State restored')).toMatchObject({ generation: 'newest', files: 1 });
    await until(async () => (await d2.status()).files.some((f) => f.path === log && f.offset === fs.statSync(log).size), 60_000, 'catch-up');
    expect((await d2.stop()).code).toBe(0);
    const series = await expectSameAsOnce(conf, [d1.stdout(), d2.stdout()], 'full disk');
    report('full-disk', { lines_when_full: fullAt, lines: fed, series, state_bytes_when_full: (scan as { end: number }).end });
  }, 240_000);
});

describe('two generations (CLI, daemon mode)', () => {
  it('a newest checkpoint corrupted by hand falls back to the older one; final values equal an uninterrupted run', async () => {
    dir = tempDir('gens');
    const log = path.join(dir, 'keys.log');
    const state = path.join(dir, 'state', 'state');
    const conf = writeConfig(path.join(dir, 'gens.conf'), [keysGroup('gens', log)]);
    const runTo = async (lines: number): Promise<Daemon> => {
      const d = daemon = new Daemon(['-c', conf, '--dry-run', '--state-file', state]);
      await d.started();
      await until(async () => (await d.linesRead()).get(log) === lines, 30_000, `${lines} lines read`);
      const cuts = await cutsWritten(d);
      await until(async () => (await cutsWritten(d)) > cuts, 30_000, 'a checkpoint');
      return d;
    };
    fs.writeFileSync(log, keyLines(0, 3000, 7));
    const d1 = await runTo(3000);
    await d1.kill9();
    fs.appendFileSync(log, keyLines(3000, 6000, 7));
    const d2 = await runTo(3000); // read 3000 more: its own file; the first run's is now the previous generation
    await d2.kill9();
    expect(fs.existsSync(state + '.prev')).toBe(true);
    const bytes = fs.readFileSync(state);
    bytes.fill(0x2a, 100, 200);
    fs.writeFileSync(state, bytes);

    fs.appendFileSync(log, keyLines(6000, 9000, 7));
    const d3 = daemon = new Daemon(['-c', conf, '--dry-run', '--state-file', state]);
    await d3.started();
    expect(d3.findLog(/falling back to its previous generation/)).toMatchObject({ level: 'warn', state_file: state });
    expect(d3.findLog('State restored')).toMatchObject({ generation: 'previous', state_file: state + '.prev' });
    expect(d3.findLog('tailing file from its checkpoint')).toMatchObject({ path: log, offset: Buffer.byteLength(keyLines(0, 3000, 7)) });
    await until(async () => (await d3.status()).files.some((f) => f.path === log && f.offset === fs.statSync(log).size), 60_000, 'catch-up');
    expect((await d3.stop()).code).toBe(0);
    const series = await expectSameAsOnce(conf, [d1.stdout(), d2.stdout(), d3.stdout()], 'fallback');
    report('generations', { series, reread_lines: 3000 });
  }, 180_000);

  it('a renamed group: its checkpoint is warned about by name', async () => {
    dir = tempDir('rename');
    const log = path.join(dir, 'keys.log');
    const state = path.join(dir, 'state');
    fs.writeFileSync(log, keyLines(0, 100, 5));
    const conf = path.join(dir, 'r.conf');
    writeConfig(conf, [keysGroup('before', log)]);
    let d = daemon = new Daemon(['-c', conf, '--dry-run', '--state-file', state]);
    await d.started();
    await until(async () => (await d.linesRead()).get(log) === 100, 30_000, 'lines read');
    const first = await d.stop();
    expect(first, d.stderr()).toMatchObject({ code: 0 });
    writeConfig(conf, [keysGroup('after', log)]);
    d = daemon = new Daemon(['-c', conf, '--dry-run', '--state-file', state]);
    await d.started();
    expect(d.findLog(/no group of that name in the config/)).toMatchObject({ level: 'warn', log_group: 'before', state_file: state });
    const exit = await d.stop();
    expect(exit, d.stderr()).toMatchObject({ code: 0 });
  }, 60_000);
});
