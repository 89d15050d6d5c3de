// Issue 19, signals at any moment (spec section 10), through the real CLI:
// - SIGHUP sent the moment the process can first catch one (about 0.05 s after spawn on an idle
//   host; Node's own start-up, before any of our code runs, cannot catch signals) does not kill the
//   daemon: it is queued and the reload applied once start-up is done;
// - SIGHUP in the middle of a long start-up, after the config was changed, applies the new config
//   once the daemon is up;
// - SIGTERM during --once: the run stops reading, pushes every dirty key and drains, exits 0, and its
//   output is byte for byte that of an uninterrupted --once over the lines it read;
// - a second SIGTERM while the first one's drain is stuck (stdout not read) exits at once, 143.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSUME_NOW, runCli } from '../helpers/cli.js';
import {
  Daemon, cachedSeedLog, configText, numLines, report, restApiConfig, rmrf, simpleGroup, sleep, tempDir, until, type LogLine,
} from './helpers/tail.js';

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => { daemon?.dispose(); daemon = undefined; if (dir) rmrf(dir); dir = ''; });

/** True once the process has a handler for `sig` (SigCgt in /proc/<pid>/status). */
function catches(pid: number, sig: number): boolean {
  try {
    const m = /^SigCgt:\s+([0-9a-f]+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return !!m && ((BigInt('0x' + m[1]) >> BigInt(sig - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** `n` groups over files dir/g<i>.log (one line each): a start-up that takes a while. */
function manyGroups(n: number, extra: string[] = []): string {
  const groups = extra.slice();
  for (let i = 0; i < n; i++) {
    const f = path.join(dir, `g${i}.log`);
    fs.writeFileSync(f, numLines(`g${i}`, 0, 1));
    groups.push(simpleGroup({ name: `g${i}`, files: [f], parse_from_start: false }));
  }
  return configText(groups, { poll_interval: 15 });
}

const index = (logs: LogLine[], msg: string) => logs.findIndex((l) => l.msg === msg);

describe('SIGHUP during start-up (CLI, daemon)', () => {
  it('at the first moment the process can catch it: queued, applied once up; the daemon survives', async () => {
    dir = tempDir('hup-early');
    const conf = path.join(dir, 'c.conf');
    fs.writeFileSync(conf, manyGroups(2000));
    const t0 = performance.now();
    const d = daemon = new Daemon(['-c', conf, '--dry-run']);
    while (!catches(d.pid, 1) && !d.isExited && performance.now() - t0 < 20_000) await new Promise((r) => setImmediate(r));
    const caughtAfter = performance.now() - t0;
    d.signal('SIGHUP');
    const startedWhenSent = d.findLog('Collector started') !== undefined;
    await d.started(60_000);
    await until(() => d.findLog('Config reloaded'), 20_000, () => `the queued reload; stderr: ${d.stderr().slice(-1500)}`);
    const logs = d.log();
    report('sighup-early', { handler_installed_ms: caughtAfter, load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]! });
    expect(startedWhenSent).toBe(false);                       // sent during start-up
    expect(index(logs, 'Config reloaded')).toBeGreaterThan(index(logs, 'Collector started'));
    expect(d.findLog('Config reloaded')).toMatchObject({ group_count: 2000 });
    expect((d.findLog('Config reloaded')!.unchanged as string[]).at(-1)).toBe('… and 1950 more'); // the log clips lists
    expect(d.isExited).toBe(false);
    const exit = await d.stop();
    expect(exit).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('in the middle of a long start-up, with a changed config: the new config applies once up', async () => {
    dir = tempDir('hup-mid');
    const conf = path.join(dir, 'c.conf');
    fs.writeFileSync(conf, manyGroups(3000));
    const late = path.join(dir, 'late.log');
    fs.writeFileSync(late, numLines('late', 0, 5));
    const d = daemon = new Daemon(['-c', conf, '--dry-run']);
    // The status endpoint listens before the tailers start: start-up is under way.
    await until(() => d.findLog('Status endpoint listening') || d.isExited, 60_000, 'the status endpoint');
    fs.writeFileSync(conf, manyGroups(3000, [simpleGroup({ name: 'late', files: [late], parse_from_start: true })]));
    d.signal('SIGHUP');
    const startedWhenSent = d.findLog('Collector started') !== undefined;
    await d.started(60_000);
    const reloaded = await until(() => d.findLog('Config reloaded'), 30_000, 'the queued reload');
    expect(startedWhenSent).toBe(false);
    expect(reloaded).toMatchObject({ group_count: 3001 });
    expect((reloaded.unchanged as string[]).at(-1)).toBe('… and 2950 more'); // 3,000 unchanged, 'late' added
    // the new group's file is tailed, its 5 lines pushed by the quiet flush (interval 10 s)
    await until(() => /^put late\.lines\.count \d+ 5 file=late$/m.test(d.stdout()), 30_000, () => `late's points; stdout: ${d.stdout().slice(-500)}`);
    expect((await d.stop()).code).toBe(0);
  }, 150_000);
});

/** --once over the 1M-line seed log with stdout held: reading stops when the output is full, well inside the file. */
async function blockedReplay(tag: string): Promise<{ d: Daemon; seed: string }> {
  dir = tempDir(tag);
  const seed = await cachedSeedLog(1_000_000, 2780);
  const conf = restApiConfig(path.join(dir, 'c.conf'), [seed]);
  const d = daemon = new Daemon(['-c', conf, '--once', '--dry-run', '--assume-now', ASSUME_NOW], { blockStdout: true });
  await until(() => d.findLog('tailing file from its start') || d.isExited, 30_000, 'the replay to start');
  expect(d.isExited, d.stderr()).toBe(false);
  return { d, seed };
}

describe('SIGTERM during --once (CLI)', () => {
  it('stops reading, pushes every dirty key, drains, exits 0: the output of an uninterrupted run over the lines read', async () => {
    const { d, seed } = await blockedReplay('once-term');
    await sleep(1500);
    d.signal('SIGTERM');
    await sleep(200);
    d.resumeStdout();
    const exit = await d.exit;
    const done = d.findLog('Replay interrupted');
    expect(exit, d.stderr().slice(-1500)).toEqual({ code: 0, signal: null });
    expect(done).toBeDefined();
    const read = Number(done!.lines_read);
    const total = 1_000_000;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(total);

    // The same lines, uninterrupted
    const text = fs.readFileSync(seed, 'utf8');
    let end = 0;
    for (let i = 0; i < read; i++) end = text.indexOf('\n', end) + 1;
    const prefix = path.join(dir, 'prefix.log');
    fs.writeFileSync(prefix, text.slice(0, end));
    const conf2 = restApiConfig(path.join(dir, 'p.conf'), [prefix]);
    const r = await runCli(['-c', conf2, '--once', '--dry-run', '--assume-now', ASSUME_NOW], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    report('sigterm-once', { lines_read: read, of: total, points: d.stdout().split('\n').length - 1 });
    expect(d.stdout().length).toBeGreaterThan(0);
    expect(d.stdout() === r.stdout, 'interrupted output differs from the prefix replay').toBe(true);
  }, 180_000);

  it('a second SIGTERM while the drain is stuck forces the exit at once (143)', async () => {
    const { d } = await blockedReplay('once-term2');
    await sleep(1000);
    d.signal('SIGTERM');
    await until(() => d.findLog('Stopping'), 10_000, 'the first SIGTERM to be taken');
    await sleep(500);
    expect(d.isExited).toBe(false);                    // stuck: stdout is not read (bounded at 10 s)
    const t = performance.now();
    d.signal('SIGTERM');
    const exit = await d.exit;
    const ms = performance.now() - t;
    report('second-sigterm', { exit_after_ms: ms });
    expect(exit).toEqual({ code: 143, signal: null });
    expect(d.findLog('Second signal: exiting now, without flushing')).toMatchObject({ signal: 'SIGTERM', exit_code: 143 });
    expect(ms).toBeLessThan(2000);                     // bound: at once, not after the 10 s drain bound
  }, 120_000);
});
