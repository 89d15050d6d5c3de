// Issue 19: no regex can freeze the collector. `^(\d+)\s(?=a)(a+)+$` on a 41-character line
// backtracks for minutes, and V8's linear-time fallback cannot take over (a lookaround; the same with
// a lookbehind). Such groups extract in a parse worker with a watchdog: the line is cut off, counted
// as failed (regex_timeout), the following lines are processed, the output is otherwise exact.
// Bound: live, the pipeline moves again within 1.5 s of the line's arrival (designed: cut off after
// 0.5-0.7 s, then a new worker starts, 0.1-0.3 s here under load); the replays report how much
// longer they took than without the line (not asserted: two whole runs on a shared host differ by
// more than that).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { NODE, runCli } from '../helpers/cli.js';
import { Daemon, report, rmrf, tempDir, until } from './helpers/tail.js';
import { logLines } from './helpers/collector.js';

const BASE = 1770523200;
const EVIL = '12345 ' + 'a'.repeat(34) + 'b';
const REGEXES = { lookahead: String.raw`^(\d+)\s(?=a)(a+)+$`, lookbehind: String.raw`^(\d+)\s(?<=\s)(a+)+$` };

function conf(dir: string, name: string, log: string, re: string, extra = ''): string {
  const file = path.join(dir, `${name}.conf`);
  fs.writeFileSync(file, `{ r: { files: ["${log}"], re: ['${re}'], expected_matches: 2, date: { position: 1, format: "unix" },
  key_prefix: "r", metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ], histogram: [ { key_suffix: "len", reference: [ [1, ""] ] } ] },
  interval: 60 ${extra} },
  settings: { push_type: "tsd", state_file: "", stats_interval: 3600, poll_interval: 1 } }\n`);
  return file;
}

/**
 * Whether the runtime the CLI runs on has a linear-time engine for `re` (then V8's fallback takes
 * over and the line merely fails to match: Node.js 24's engine runs lookbehinds, Node.js 20's does not).
 */
const linearOnCliNode = (re: string): boolean => execFileSync(NODE, ['--enable-experimental-regexp-engine', '-e',
  `try { new RegExp(${JSON.stringify(re)}, 'l'); console.log('yes'); } catch { console.log('no'); }`], { encoding: 'utf8' }).trim() === 'yes';

const good = (i: number): string => `${BASE + i} ${'a'.repeat(5 + (i % 7))}`;

/** The closing `Replay finished` log line of --once (its totals). */
const summary = (stderr: string) => logLines(stderr).find((l) => l.msg === 'Replay finished');

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => { daemon?.dispose(); daemon = undefined; if (dir) rmrf(dir); dir = ''; });

describe('a runaway regex on one line (replay)', () => {
  for (const [kind, re] of Object.entries(REGEXES)) {
    it(`${kind}: the line is cut off and counted, the lines after it count, the output is that of the log without it`, async () => {
      dir = tempDir(`runaway-${kind}`);
      const lines = Array.from({ length: 2000 }, (_, i) => good(i));
      const log = path.join(dir, 'r.log');
      const clean = path.join(dir, 'clean.log');
      fs.writeFileSync(log, [...lines.slice(0, 1000), EVIL, ...lines.slice(1000)].join('\n') + '\n');
      fs.writeFileSync(clean, lines.join('\n') + '\n');
      expect(EVIL.length).toBe(41);
      const t0 = Date.now();
      const r = await runCli(['-c', conf(dir, 'r', log, re), '--once', '--dry-run'], { timeoutMs: 60_000 });
      const withLine = Date.now() - t0;
      const t1 = Date.now();
      const c = await runCli(['-c', conf(dir, 'clean', clean, re), '--once', '--dry-run']);
      const without = Date.now() - t1;
      expect(r.code, r.stderr).toBe(0);
      // On a runtime whose linear engine runs this regex, the fallback answers at once: the line is a
      // plain failure to match, with no watchdog involved. The lookahead needs the watchdog on every
      // runtime this package supports.
      const linear = linearOnCliNode(re);
      if (kind === 'lookahead') expect(linear).toBe(false);
      expect(summary(r.stderr)).toMatchObject({ lines_read: 2001, lines_matched: 2000, lines_failed: 1, regex_timeouts: linear ? 0 : 1 });
      expect(r.stdout).toBe(c.stdout);
      expect(r.stdout).toContain(`put r.n.count ${BASE + 1999} 2000`);
      const warn = r.stderr.split('\n').filter((l) => l.includes('"regex_timeout"'));
      expect(warn.length).toBe(linear ? 0 : 1);
      if (!linear) expect(JSON.parse(warn[0]!)).toMatchObject({ level: 'warn', line: EVIL, log_group: 'r' });
      report(`runaway-replay-${kind}`, { with_ms: withLine, without_ms: without, extra_ms: withLine - without });
      // -j 2: the same
      const j2 = await runCli(['-c', conf(dir, 'r', log, re), '--once', '--dry-run', '-j', '2']);
      expect(j2.stdout).toBe(r.stdout);
    }, 90_000);
  }
});

describe('a runaway regex on one line (live daemon)', () => {
  it('the pipeline moves again within 1.5 s of the line: a point of a later line is pushed', async () => {
    dir = tempDir('runaway-live');
    const log = path.join(dir, 'r.log');
    fs.writeFileSync(log, '');
    const d = daemon = new Daemon(['-c', conf(dir, 'live', log, REGEXES.lookahead, ', live_poll: true, parse_from_start: true'), '--dry-run',
      '--assume-now', new Date((BASE + 3600) * 1000).toISOString()]);
    await d.started();
    fs.appendFileSync(log, [good(0), good(1)].join('\n') + '\n');
    await until(() => d.stdout().includes(`put r.n.count ${BASE} 1`), 10_000, () => `the first push; ${d.stderr().slice(-1500)}`);
    const t0 = Date.now();
    // The runaway line, then one a minute later in log time: its tick pushes every key.
    fs.appendFileSync(log, [EVIL, good(61)].join('\n') + '\n');
    await until(() => d.stdout().includes(`put r.n.count ${BASE + 61} 3`), 20_000, () => `the push after the line; ${d.stderr().slice(-1500)}`, 10);
    const moved = Date.now() - t0;
    report('runaway-live', { moved_again_ms: moved });
    expect(moved).toBeLessThan(1500);
    expect((await d.stop()).code).toBe(0);
    expect(d.log().filter((l) => l.kind === 'regex_timeout').map((l) => l.line)).toEqual([EVIL]);
  }, 60_000);
});
