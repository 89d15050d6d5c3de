// Issue 19, the window of log time, through the real CLI (spec sections 2 `max_future_skew` and 3):
// one line dated 2100 neither freezes a live group nor ages the others, live and in replay; dates
// before 1970, 12-digit and negative unix stamps are dropped and counted. Each test states its bound.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSUME_NOW, runCli } from '../helpers/cli.js';
import { Daemon, rmrf, tempDir, until } from './helpers/tail.js';
import { logLines } from './helpers/collector.js';

const BASE = Date.UTC(2026, 1, 8, 4, 0, 0) / 1000;
/** The wall clock the runs pretend (an hour after BASE): a line dated 2100 is 74 years past it. */
const NOW_ISO = new Date((BASE + 3600) * 1000).toISOString();
const iso = (sec: number): string => new Date((BASE + sec) * 1000).toISOString().slice(0, 19) + 'Z';
const line = (sec: number, key: string, n: number): string => `${iso(sec)} key=${key} n=${n}\n`;
const FUTURE = '2100-01-01T00:00:00Z key=z n=1\n';

function group(file: string, opts: { live_poll: boolean; stale?: boolean }): string {
  return `{
  w: {
    files: [ "${file}" ],
    re: [ '^(\\S+)\\skey=(\\S+)\\sn=(\\d+)$' ],
    expected_matches: 3,
    date: { position: 1, format: "rfc3339" },
    key_prefix: "w",
    tags: { key: 2 },
    metrics: { counter: [ { key_suffix: "lines", reference: [ [0, ""] ] } ] },
    interval: 10, live_poll: ${opts.live_poll}, parse_from_start: true, warn_on_regex_fail: true,
    stale_removal: ${opts.stale ?? false}, stale_threshold_min: 1
  },
  settings: { push_type: "tsd", state_file: "", stats_interval: 3600, poll_interval: 1 }
}
`;
}

/** `put w.lines.count <ts> <value> key=<k>` lines as [key, ts, value]. */
function counts(stdout: string): Array<[string, number, number]> {
  return stdout.split('\n').filter((l) => l.startsWith('put w.lines.count ')).map((l) => {
    const f = l.split(' ');
    return [f[4]!.slice(4), Number(f[2]), Number(f[3])];
  });
}

/** The closing `Replay finished` log line of --once (its totals). */
const summary = (stderr: string) => logLines(stderr).find((l) => l.msg === 'Replay finished');

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => { daemon?.dispose(); daemon = undefined; if (dir) rmrf(dir); dir = ''; });

describe('a line dated 2100, live (daemon, the wall clock pinned by --assume-now)', () => {
  it('live_poll true: the other keys keep being pushed at their log time (bound: within 10 s of the lines after it)', async () => {
    dir = tempDir('future-live');
    const log = path.join(dir, 'w.log');
    fs.writeFileSync(log, '');
    fs.writeFileSync(path.join(dir, 'w.conf'), group(log, { live_poll: true }));
    const d = daemon = new Daemon(['-c', path.join(dir, 'w.conf'), '--dry-run', '--assume-now', NOW_ISO]);
    await d.started();
    let s = '';
    for (let t = 0; t < 6; t++) s += line(t, 'a', t) + line(t, 'b', t);
    fs.appendFileSync(log, s + FUTURE);
    await until(() => d.log().some((l) => l.kind === 'date_range'), 10_000, () => `the date_range warning; stderr: ${d.stderr().slice(-1500)}`);
    // Before issue 19 the group clock jumped to 2100 and no later line ever reached its next tick.
    s = '';
    for (let t = 20; t < 26; t++) s += line(t, 'a', t) + line(t, 'b', t);
    fs.appendFileSync(log, s);
    await until(() => counts(d.stdout()).some(([k, ts]) => k === 'a' && ts === BASE + 20), 10_000,
      () => `a push stamped ${BASE + 20}; stdout: ${d.stdout().slice(-1500)}`);
    fs.appendFileSync(log, line(40, 'a', 40));
    await until(() => counts(d.stdout()).some(([k, ts]) => k === 'a' && ts === BASE + 40), 10_000,
      () => `a push stamped ${BASE + 40}; stdout: ${d.stdout().slice(-1500)}`);
    expect((await d.stop()).code).toBe(0);
    const c = counts(d.stdout());
    expect(c.filter(([k]) => k === 'z')).toEqual([]);
    expect(Math.max(...c.map(([, ts]) => ts))).toBe(BASE + 40);
    expect(c.filter(([k]) => k === 'a').at(-1)).toEqual(['a', BASE + 40, 13]);
    const warn = d.log().find((l) => l.kind === 'date_range')!;
    expect(warn.line).toBe(FUTURE.trim());
  }, 60_000);

  it('live_poll false + stale_removal: the other keys are not declared stale, their counts go on (bound: final count = every line)', async () => {
    dir = tempDir('future-stale');
    const log = path.join(dir, 'w.log');
    fs.writeFileSync(log, '');
    fs.writeFileSync(path.join(dir, 'w.conf'), group(log, { live_poll: false, stale: true }));
    const d = daemon = new Daemon(['-c', path.join(dir, 'w.conf'), '--dry-run', '--assume-now', NOW_ISO]);
    await d.started();
    let s = '';
    for (let t = 0; t < 25; t++) s += line(t, 'a', t) + line(t, 'b', t);
    fs.appendFileSync(log, s + FUTURE);
    await until(() => d.log().some((l) => l.kind === 'date_range'), 10_000, 'the date_range warning');
    s = '';
    for (let t = 25; t < 36; t++) s += line(t, 'a', t);
    fs.appendFileSync(log, s);
    await until(() => counts(d.stdout()).some(([k, , v]) => k === 'a' && v >= 30), 10_000, () => `a's count past 30; stdout: ${d.stdout().slice(-1500)}`);
    expect((await d.stop()).code).toBe(0);
    const a = counts(d.stdout()).filter(([k]) => k === 'a').map(([, , v]) => v);
    // Before issue 19: the 2100 line made every key 74 years stale; a restarted from 0 (25, then 11).
    expect(a.at(-1)).toBe(36);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(counts(d.stdout()).filter(([k]) => k === 'z')).toEqual([]);
  }, 60_000);
});

describe('a line dated 2100, replay (--once)', () => {
  function write(live: boolean): { conf: string; log: string } {
    dir ||= tempDir('future-replay');
    const log = path.join(dir, `r${live}.log`);
    let s = '';
    for (let t = 0; t < 25; t++) s += line(t, 'a', t) + line(t, 'b', t);
    s += FUTURE;
    for (let t = 25; t < 50; t++) s += line(t, 'a', t);
    fs.writeFileSync(log, s);
    const conf = path.join(dir, `r${live}.conf`);
    fs.writeFileSync(conf, group(log, { live_poll: live, stale: !live }));
    return { conf, log };
  }

  for (const live of [true, false]) {
    it(`live_poll ${live}: with --assume-now the line is dropped and counted, the output is that of the log without it`, async () => {
      const { conf, log } = write(live);
      const r = await runCli(['-c', conf, '--once', '--dry-run', '--assume-now', NOW_ISO]);
      expect(r.code, r.stderr).toBe(0);
      expect(summary(r.stderr)).toMatchObject({ lines_read: 76, lines_matched: 75, lines_failed: 1, dates_failed: 1 });
      fs.writeFileSync(log, fs.readFileSync(log, 'utf8').replace(FUTURE, ''));
      const clean = await runCli(['-c', conf, '--once', '--dry-run', '--assume-now', NOW_ISO]);
      expect(r.stdout).toBe(clean.stdout);
      expect(counts(r.stdout).filter(([k]) => k === 'a').at(-1)).toEqual(['a', BASE + 49, 50]);
    });
  }

  it('without --assume-now a replay has no future limit (old logs are replayed at any date): only OpenTSDB\'s range applies', async () => {
    const { conf } = write(true);
    const r = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(summary(r.stderr)).toMatchObject({ lines_failed: 0 });
    expect(counts(r.stdout).filter(([k]) => k === 'z')).toEqual([['z', 4102444800, 1]]);
  });
});

describe('dates before 1970 and past what OpenTSDB accepts', () => {
  it('1969, negative and 12-digit unix stamps are dropped and counted (date_failed, line_failed), the other lines exact', async () => {
    dir = tempDir('range');
    const log = path.join(dir, 'u.log');
    const good = ['1770523200 a 1', '1770523201 a 2', '4294967295 b 3'];
    const bad = ['-5 a 9', '-1770523200 a 9', '100000000000 a 9', '4294967296 a 9', '123456789012 a 9'];
    fs.writeFileSync(log, [good[0], bad[0], bad[1], good[1], bad[2], bad[3], bad[4], good[2]].join('\n') + '\n');
    const rfcLog = path.join(dir, 'r.log');
    fs.writeFileSync(rfcLog, '1969-12-31T23:59:59Z a 9\n1970-01-01T00:00:00Z a 1\n1901-06-01T00:00:00+01:00 a 9\n');
    const conf = path.join(dir, 'u.conf');
    const g = (name: string, file: string, format: string) => `${name}: { files: ["${file}"], re: ['^(\\S+)\\s(\\w+)\\s(\\d+)$'], expected_matches: 3,
      date: { position: 1, format: "${format}" }, key_prefix: "${name}", tags: { k: 2 },
      metrics: { counter: [ { key_suffix: "v", reference: [ [3, ""] ] } ] }, warn_on_regex_fail: true }`;
    fs.writeFileSync(conf, `{ ${g('u', log, 'unix')},\n ${g('r', rfcLog, 'rfc3339')},\n settings: { push_type: "tsd", state_file: "" } }\n`);
    // Without --assume-now (no future limit): OpenTSDB's range alone, up to 4294967295 (2106-02-07).
    const r = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(summary(r.stderr)).toMatchObject({ lines_read: 11, lines_matched: 4, lines_failed: 7, dates_failed: 7 });
    const points = r.stdout.trim().split('\n').sort();
    expect(points).toEqual([
      'put r.v.count 0 1 k=a',
      'put u.v.count 1770523201 3 k=a',
      'put u.v.count 4294967295 3 k=b',
    ]);
    const warned = r.stderr.split('\n').filter((l) => l.includes('"date_range"'));
    expect(warned.length).toBeGreaterThanOrEqual(2); // rate-limited: one a second per kind and file
    // With --assume-now 2026, the 2106 line is also past max_future_skew.
    const now = await runCli(['-c', conf, '--once', '--dry-run', '--assume-now', ASSUME_NOW]);
    expect(summary(now.stderr)).toMatchObject({ lines_matched: 3, lines_failed: 8 });
    expect(now.stdout).not.toContain('k=b');
  });
});
