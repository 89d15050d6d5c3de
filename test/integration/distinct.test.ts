// Distinct counts through the real CLI (issue 24):
// - exact on small sets: the shipped Apache lines over three days (fixtures/apache_distinct.*),
//   client IPs per status per UTC day, each closed day's final count (and each status's last, still
//   open day's running count) equal to an exact count made here from the log with a plain regex and
//   Date.parse, on -j 1 and -j 2;
// - a 3-day log with up to 40,000 users a day (dense sketches), replayed by a daemon killed with
//   SIGKILL at 3 points and restarted from its state file: every day's final count and the last
//   point of every series equal those of one uninterrupted --once run, byte for byte, and the
//   dense days are within 2% of the exact counts;
// - memory: 100,000 keys with 10 distinct values each, --once: peak RSS under 400 MB in all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSUME_NOW, FIXTURES, runCli } from '../helpers/cli.js';
import { Daemon, Feeder, lastPoints, prng, report, rmrf, rssMB, sleep, tempDir, until, writeConfig } from './helpers/tail.js';

const DAY = 86400;

/** Every point of a dry-run output as [series, ts, value] (series: metric and tags). */
function points(text: string): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('put ')) continue;
    const [, metric, ts, value, ...tags] = line.split(' ');
    out.push([[metric, ...tags].join(' '), Number(ts), Number(value)]);
  }
  return out;
}

/** The window final counts: `distinct.count` points stamped at the last second of a UTC day. */
function dayFinals(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const [series, ts, value] of points(text)) {
    if (series.includes('.distinct.count ') && (ts + 1) % DAY === 0) m.set(`${series} ${new Date(ts * 1000).toISOString().slice(0, 10)}`, value);
  }
  return m;
}

describe('client IPs per status per day on the shipped Apache lines', () => {
  // Exact counts, made independently of the collector: status and UTC day of each line.
  const exact = new Map<string, Set<string>>();
  const total = new Map<string, Set<string>>();
  for (const line of fs.readFileSync(FIXTURES + 'apache_distinct.log', 'utf8').split('\n')) {
    const m = /^(\S+) \S+ \S+ \[(\d\d)\/Mar\/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)\] "\S+ \S+ \S+" (\d{3}) /.exec(line);
    if (!m) continue;
    const t = Date.parse(`${m[3]}-03-${m[2]}T${m[4]}${m[5]}:${m[6]}`);
    if (Number.isNaN(t)) continue; // the fixture's 09:00:61: a bad date, dropped by the collector too
    const key = `apache.clients.distinct.count status=${m[7]} ${new Date(t).toISOString().slice(0, 10)}`;
    if (!exact.has(key)) exact.set(key, new Set());
    exact.get(key)!.add(m[1]!);
    if (!total.has(m[7]!)) total.set(m[7]!, new Set());
    total.get(m[7]!)!.add(m[1]!);
  }

  for (const j of ['1', '2']) {
    it(`each closed day's final count is the exact number of client IPs (-j ${j})`, async () => {
      const r = await runCli(['-c', FIXTURES + 'apache_distinct.conf', '--once', '--dry-run', '-j', j, '--assume-now', ASSUME_NOW]);
      expect(r.code, r.stderr).toBe(0);
      const finals = new Map([...dayFinals(r.stdout)].filter(([k]) => k.startsWith('apache.clients.')));
      // On a replay a key's own lines close its windows: every day of a status but its last closes
      // with its final count; the last one is still open, its running count the series' last value.
      const lastDay = new Map<string, string>();
      for (const k of [...exact.keys()].sort()) lastDay.set(k.slice(0, k.lastIndexOf(' ')), k.slice(k.lastIndexOf(' ') + 1));
      const closed = new Map([...exact].filter(([k]) => !k.endsWith(lastDay.get(k.slice(0, k.lastIndexOf(' ')))!)).map(([k, s]) => [k, s.size]));
      expect(finals).toEqual(closed);
      expect(closed.size).toBeGreaterThanOrEqual(7);
      const last = lastPoints(r.stdout);
      for (const [series, day] of lastDay) {
        const p = last.get(series)!;
        expect([p.value, new Date(p.ts * 1000).toISOString().slice(0, 10)], series).toEqual([exact.get(`${series} ${day}`)!.size, day]);
      }
      for (const [status, s] of total) expect(last.get(`apache.clients.distinct.count_total status=${status}`)?.value, status).toBe(s.size);
      expect(last.get('apache.clients.distinct.count status=200')).toMatchObject({ value: 1, ts: Date.UTC(2026, 2, 18, 8, 30) / 1000 });
    });
  }
});

// ---- restart -------------------------------------------------------------------------------------

const T0 = Date.UTC(2026, 2, 1) / 1000;

/** Three days of `<iso> file=<k> n=<seq> user=<id>`, time-ordered, and one line on day 4 per key.
 *  Key a: 60,000 lines a day over 40,000 users (dense); key b: 300 lines over 50 users (sparse). */
function threeDays(file: string, seed: number): void {
  const rand = prng(seed);
  const lines: Array<[number, string]> = [];
  let n = 0;
  for (let d = 0; d < 3; d++) {
    // Never at a day's last second: a running count there would share its stamp with the final count.
    for (let i = 0; i < 60_000; i++) lines.push([T0 + d * DAY + rand(DAY - 1), `a n=${n++} user=u${d * 15_000 + rand(40_000)}`]);
    for (let i = 0; i < 300; i++) lines.push([T0 + d * DAY + rand(DAY - 1), `b n=${n++} user=u${rand(50)}`]);
  }
  lines.sort((x, y) => x[0] - y[0]);
  lines.push([T0 + 3 * DAY + 5, `a n=${n++} user=last`], [T0 + 3 * DAY + 6, `b n=${n++} user=last`]);
  fs.writeFileSync(file, lines.map(([t, rest]) => `${new Date(t * 1000).toISOString().slice(0, 19)}Z file=${rest}\n`).join(''));
}

const USERS_GROUP = (log: string): string => `  users: {
    files: ${JSON.stringify([log])},
    re: [ '^(\\S+)\\sfile=(\\S+)\\sn=\\d+\\suser=(\\S+)' ],
    expected_matches: 3,
    date: { position: 1, format: "rfc3339" },
    key_prefix: "site",
    tags: { file: 2 },
    metrics: { distinct: [ { key_suffix: users, reference: [ [3, ""] ] } ], counter: [ { key_suffix: lines, reference: [ [0, ""] ] } ] },
    interval: 60,
    parse_from_start: true
  }`;

let dir = '';
let daemon: Daemon | undefined;
let feeder: Feeder | undefined;
afterEach(async () => {
  feeder?.stop();
  await feeder?.done.catch(() => undefined);
  feeder = undefined;
  daemon?.dispose();
  daemon = undefined;
  if (dir) rmrf(dir);
  dir = '';
});

describe('restarts', () => {
  it('kill -9 at 3 points and restart: every day\'s final count and every last value equal an uninterrupted run', async () => {
    const seed = Number(process.env.DISTINCT_RESTART_SEED ?? Date.now() % 100_000);
    const rand = prng(seed);
    dir = tempDir('distinct-restart');
    const src = path.join(dir, 'src.log');
    threeDays(src, 7);
    const log = path.join(dir, 'users.log');
    fs.writeFileSync(log, '');
    const state = path.join(dir, 'state', 'state.json');
    const conf = writeConfig(path.join(dir, 'users.conf'), [USERS_GROUP(log)]);
    const args = ['-c', conf, '--dry-run', '--state-file', state];
    const size = fs.statSync(src).size;
    feeder = new Feeder(src, log, size / 12, rand); // about 12 s
    const outputs: string[] = [];
    const kills: string[] = [];
    for (let i = 0; i < 3; i++) {
      const spawnedAt = Date.now();
      const d = daemon = new Daemon([...args, '-j', i % 2 === 0 ? '2' : '1']);
      await d.started();
      if (i > 0) expect(d.findLog('State restored'), d.stderr()).toBeTruthy();
      await until(() => { try { return fs.statSync(state).mtimeMs >= spawnedAt; } catch { return false; } }, 20_000, `a checkpoint (run ${i}, seed ${seed})`);
      await sleep(500 + rand(2500));
      kills.push(`${(feeder.written / 1e6).toFixed(1)}MB`);
      await d.kill9();
      outputs.push(d.stdout());
    }
    const d = daemon = new Daemon([...args, '-j', '2']);
    await d.started();
    await feeder.done;
    await until(async () => (await d.status()).files.some((f) => f.path === log && f.offset === size), 60_000, `the last run to catch up (seed ${seed})`, 100);
    const exit = await d.stop();
    expect(exit.code, d.stderr().slice(-3000)).toBe(0);
    outputs.push(d.stdout());

    const once = await runCli(['-c', conf, '--once', '--dry-run'], { timeoutMs: 120_000 });
    expect(once.code, once.stderr.slice(-2000)).toBe(0);

    // Every day's final count, as the uninterrupted run gave it.
    const want = dayFinals(once.stdout);
    const got = new Map<string, number>();
    for (const o of outputs) for (const [k, v] of dayFinals(o.slice(0, o.lastIndexOf('\n') + 1))) got.set(k, v);
    expect(got, `seed ${seed} (DISTINCT_RESTART_SEED), kills at ${kills.join(', ')}`).toEqual(want);
    expect(want.size).toBe(6); // 3 days x 2 keys

    // The last value of every series (the running day-4 counts and the totals).
    const wantLast = new Map([...lastPoints(once.stdout)].filter(([k]) => k.startsWith('site.')).map(([k, v]) => [k, v.raw]));
    const gotLast = new Map<string, string>();
    for (const o of outputs) for (const [k, v] of lastPoints(o)) if (k.startsWith('site.')) gotLast.set(k, v.raw);
    expect(gotLast, `seed ${seed}`).toEqual(wantLast);

    // Within 2% of exact per-day counts where the sketch is dense; exact where it is sparse.
    const exact = new Map<string, Set<string>>();
    for (const line of fs.readFileSync(src, 'utf8').split('\n')) {
      const m = /^(\S+) file=(\S+) n=\d+ user=(\S+)$/.exec(line);
      if (!m) continue;
      const k = `site.users.distinct.count file=${m[2]} ${m[1]!.slice(0, 10)}`;
      if (!exact.has(k)) exact.set(k, new Set());
      exact.get(k)!.add(m[3]!);
    }
    const errors: string[] = [];
    for (const [k, v] of want) {
      const e = exact.get(k)!.size;
      if (k.includes('file=b')) expect(v, k).toBe(e);
      else { expect(Math.abs(v - e) / e, k).toBeLessThan(0.02); errors.push(`${((v - e) / e * 100).toFixed(2)}%`); }
    }
    report('distinct-restart', { seed, kills: kills.join(','), dense_day_errors: errors.join(',') });
  }, 180_000);
});

describe('memory', () => {
  it('100,000 keys with 10 distinct values each stay under 400 MB of RSS, every key counted exactly', async () => {
    dir = tempDir('distinct-keys');
    const log = path.join(dir, 'ips.log');
    const t0 = Date.UTC(2026, 2, 1) / 1000;
    const fd = fs.openSync(log, 'w');
    for (let v = 0; v < 10; v++) {
      let chunk = '';
      for (let k = 0; k < 100_000; k++) chunk += `${new Date((t0 + v * 60) * 1000).toISOString().slice(0, 19)}Z file=k${k} n=0 user=10.${k & 255}.${(k >> 8) & 255}.${v}\n`;
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    const conf = writeConfig(path.join(dir, 'ips.conf'), [USERS_GROUP(log).replace('interval: 60,', 'interval: 60, max_tag_values: 100000, max_keys: 200000,')]);
    const totals = new Map<string, number>();
    const collect = (line: string): void => {
      if (line.startsWith('put site.users.distinct.count_total ')) { const f = line.split(' '); totals.set(f[4]!, Number(f[3])); }
    };
    const d = daemon = new Daemon(['-c', conf, '--once', '--dry-run'], { onLine: collect });
    let peak = 0;
    while (!(await Promise.race([d.exit.then(() => true), sleep(100).then(() => false)]))) peak = Math.max(peak, rssMB(d.pid) || 0);
    expect((await d.exit).code, d.stderr().slice(-2000)).toBe(0);
    expect(totals.size).toBe(100_000);
    expect([...totals.values()].every((n) => n === 10)).toBe(true);
    expect(peak).toBeGreaterThan(50); // sampled
    expect(peak).toBeLessThan(400);
    report('distinct-memory', { keys: totals.size, peak_rss_mb: peak });
  }, 180_000);
});
