// Golden replays of rotated families (issue 16): one log split the way logrotate leaves it, whose
// file names sort in another order than their time, replayed with `--once --dry-run` through a glob
// that matches the whole family, gives byte for byte the output of replaying the one concatenated
// log, with -j 1 and with -j 2.
// - numbered with delaycompress: access.log.3.gz, access.log.2.gz, access.log.1, access.log (4 days)
// - dateext: access.log-20260315.gz ... access.log-20260317, access.log (4 days)
// - 3 days of a year-less syslog-style log, 2 of them gzipped: app.log.2.gz, app.log.1.gz, app.log
// - 3 files with unrelated names whose name order is not their time order (only the first line's
//   time tells)
// Every file of a family gets the same modification time, so only the first line's log time and
// the rotation order can decide.
import { gzipSync } from 'node:zlib';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSUME_NOW, runCli } from '../helpers/cli.js';
import { generate, seedConfig } from '../bench/gen.mjs';

let dir = '';
beforeAll(() => { dir = fs.mkdtempSync(path.join(tmpdir(), 'lmc-family-')); });
afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PATHS = ['/', '/buy/now.php', '/search/?q=x', '/list/', '/admin/login', '/static/app.js', '/favicon.ico'];
const AGENTS = ['curl/8.5.0', 'Googlebot/2.1', 'Mozilla/5.0 (X11; Linux x86_64)'];

/** 10,000 Apache combined-log lines over 4 days from 2026-03-15 00:00 +0100, by day. */
function apacheDays(): string[][] {
  const rnd = mulberry32(16);
  const days: string[][] = [[], [], [], []];
  const start = Date.UTC(2026, 2, 14, 23, 0, 0); // 2026-03-15 00:00 +0100
  const step = (4 * 86400_000) / 10_000;
  for (let i = 0; i < 10_000; i++) {
    const t = start + Math.floor(i * step + rnd() * step * 0.9);
    const d = new Date(t + 3600_000); // as written, in +0100
    const p2 = (n: number) => String(n).padStart(2, '0');
    const stamp = `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0100`;
    const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
    const status = rnd() < 0.9 ? 200 : pick([301, 404, 500]);
    const size = rnd() < 0.05 ? '-' : String(Math.floor(rnd() * 40_000));
    days[Math.floor((t - start) / 86400_000)]!.push(
      `10.1.${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 250)} - - [${stamp}] "${pick(['GET', 'GET', 'POST', 'HEAD'])} ${pick(PATHS)} HTTP/1.1" ` +
      `${status} ${size} "-" "${pick(AGENTS)}" ${Math.floor(rnd() * 900_000)}`);
  }
  return days;
}

function apacheConfig(files: string[]): string {
  return `{
  apache: {
    files: ${JSON.stringify(files)},
    re: [ '^\\S+\\s\\S+\\s\\S+\\s\\[([^\\]]+)\\]\\s"([A-Z]+)\\s+(\\S+)(?:\\s+HTTP/[0-9.]+)?"\\s(\\d{3})\\s(\\d+|-)\\s"(?:[^"\\\\]|\\\\.)*"\\s"(?:[^"\\\\]|\\\\.)*"\\s(\\d+)$' ],
    expected_matches: 6,
    date: { position: 1, format: "02/Jan/2006:15:04:05 -0700" },
    transform: {
      3: { replace_only_one: true, operations: [ [ 'replace', '^/(\\w+)/.*$', '/@@1@@/' ], [ 'replace', '^/[^/]*$', '/' ],
           [ 'match_or_default', '^/(|(buy|search|list|static|admin)/)$', 'other' ] ] },
      5: { operations: [ [ 'replace', '^-$', '0' ] ] }
    },
    key_prefix: 'apache',
    tags: { verb: 2, path: 3, status: 4 },
    metrics: {
      meter: [ { key_suffix: "executions", reference: [ [0, ""] ] } ],
      histogram: [ { key_suffix: "response_size.byte", reference: [ [5, ""] ] },
                   { key_suffix: "response_time.ms", divide: 1000, reference: [ [6, ""] ] } ]
    },
    interval: 60,
    histogram_size: 64,
    stale_removal: true,
    stale_threshold_min: 240
  },
  settings: { push_type: "tsd", state_file: "" }
}
`;
}

const text = (lines: string[]) => lines.map((l) => l + '\n').join('');
const MTIME = new Date('2026-06-01T00:00:00Z');

/** Writes the family (name -> content, gzipped when the name says so), all with one modification time. */
function family(sub: string, files: Array<[string, string]>): string {
  const d = path.join(dir, sub);
  fs.mkdirSync(d, { recursive: true });
  for (const [name, content] of files) {
    const f = path.join(d, name);
    fs.writeFileSync(f, name.endsWith('.gz') ? gzipSync(content) : content);
    fs.utimesSync(f, MTIME, MTIME);
  }
  return d;
}

async function replay(conf: string, j: number): Promise<string> {
  const r = await runCli(['-c', conf, '--once', '--dry-run', '-j', String(j), '--assume-now', ASSUME_NOW], { timeoutMs: 120_000 });
  expect(r.code, r.stderr.slice(-2000)).toBe(0);
  expect(r.stderr).not.toMatch(/"level":"(warn|error)"|WARN|ERROR/);
  return r.stdout;
}

/** The family's replay, under -j 1 and -j 2, equals the whole log's (computed once). */
async function expectSameAsWhole(mkConf: (files: string[]) => string, whole: string, glob: string): Promise<void> {
  const wholeConf = path.join(path.dirname(whole), 'whole.conf');
  fs.writeFileSync(wholeConf, mkConf([whole]));
  const famConf = path.join(path.dirname(glob), 'family.conf');
  fs.writeFileSync(famConf, mkConf([glob]));
  const want = await replay(wholeConf, 1);
  expect(want.split('\n').length).toBeGreaterThan(1000);
  expect(await replay(famConf, 1)).toBe(want);
  expect(await replay(famConf, 2)).toBe(want);
}

describe('rotated family replays', () => {
  const days = apacheDays();

  it('numbered with delaycompress (access.log.3.gz .. access.log): byte-identical to the whole log, -j 1 and -j 2', async () => {
    const d = family('numbered', [
      ['access.log.3.gz', text(days[0]!)], ['access.log.2.gz', text(days[1]!)], ['access.log.1', text(days[2]!)], ['access.log', text(days[3]!)],
    ]);
    const whole = path.join(dir, 'numbered-whole.log');
    fs.writeFileSync(whole, text(days.flat()));
    await expectSameAsWhole(apacheConfig, whole, path.join(d, 'access.log*'));
  }, 120_000);

  it('dateext (access.log-20260315.gz .. access.log): byte-identical to the whole log, -j 1 and -j 2', async () => {
    const d = family('dateext', [
      ['access.log-20260315.gz', text(days[0]!)], ['access.log-20260316.gz', text(days[1]!)],
      ['access.log-20260317', text(days[2]!)], ['access.log', text(days[3]!)],
    ]);
    const whole = path.join(dir, 'dateext-whole.log');
    fs.writeFileSync(whole, text(days.flat()));
    await expectSameAsWhole(apacheConfig, whole, path.join(d, 'access.log*'));
  }, 120_000);

  it('3 days of a year-less syslog-style log, 2 of them gzipped: byte-identical to the whole log, -j 1 and -j 2', async () => {
    const whole = path.join(dir, 'seed-whole.log');
    // 3 days at one line every 20 s (the seed log's format: "Feb  8 04:00:00 ...", no year)
    await generate(whole, 12_960, { perSecond: 0.05 });
    const lines = fs.readFileSync(whole, 'utf8').split('\n').slice(0, -1);
    const per = lines.length / 3;
    const d = family('seed', [
      ['app.log.2.gz', text(lines.slice(0, per))], ['app.log.1.gz', text(lines.slice(per, 2 * per))], ['app.log', text(lines.slice(2 * per))],
    ]);
    const conf = (files: string[]) => seedConfig(files, { push_type: 'tsd', state_file: '' }, { interval: 60 });
    await expectSameAsWhole(conf, whole, path.join(d, 'app.log*'));
  }, 120_000);

  it('names in no rotation order (b.log holds the first day, c.log the second, a.log the third): the first line\'s time orders them', async () => {
    const d = family('unnamed', [['b.log', text(days[0]!)], ['c.log', text(days[1]!)], ['a.log', text(days[2]!)]]);
    const whole = path.join(dir, 'unnamed-whole.log');
    fs.writeFileSync(whole, text(days.slice(0, 3).flat()));
    await expectSameAsWhole(apacheConfig, whole, path.join(d, '*.log'));
  }, 120_000);
});
