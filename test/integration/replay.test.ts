// Issue 3 end to end through the real CLI: reproducible replays, -j and goroutines not changing the
// output, config errors reported all at once, and bad input lines counted and skipped.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSUME_NOW, FIXTURES, runCli, sortedLines } from '../helpers/cli.js';
import { generate } from '../bench/gen.mjs';

const tmp = () => mkdtempSync(join(tmpdir(), 'lmc-replay-'));

async function replay(conf: string, extra: string[] = []) {
  const r = await runCli(['-c', conf, '--once', '--dry-run', '--assume-now', ASSUME_NOW, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

describe('replay determinism', () => {
  it('two runs over the same input are byte-identical', async () => {
    const dir = tmp();
    const log = join(dir, 'seed.log');
    await generate(log, 20_000);
    const conf = join(dir, 'seed.conf');
    writeFileSync(conf, readFileSync(FIXTURES + 'rest_api.conf', 'utf8').replace('./rest_api.perf.log', log));
    const a = await replay(conf);
    const b = await replay(conf);
    expect(a.stdout.length).toBeGreaterThan(100_000);
    expect(b.stdout).toBe(a.stdout);
  });

  it('-j 1 and -j 2 give the same output; goroutines 1 and 4 the same sorted output', async () => {
    const dir = tmp();
    const logs = [join(dir, 'a.log'), join(dir, 'b.log')];
    await generate(logs[0]!, 15_000, { seed: 1 });
    await generate(logs[1]!, 15_000, { seed: 2 });
    const base = readFileSync(FIXTURES + 'rest_api.conf', 'utf8').replace('"./rest_api.perf.log"', `"${dir}/*.log"`);
    const c1 = join(dir, 'g1.conf');
    const c4 = join(dir, 'g4.conf');
    writeFileSync(c1, base.replace('goroutines: 2', 'goroutines: 1'));
    writeFileSync(c4, base.replace('goroutines: 2', 'goroutines: 4'));
    const j1 = await replay(c1, ['-j', '1']);
    const j2 = await replay(c1, ['-j', '2']);
    expect(j1.stdout.length).toBeGreaterThan(100_000);
    expect(j2.stdout).toBe(j1.stdout);
    const g4 = await replay(c4, ['-j', '2']);
    expect(sortedLines(g4.stdout)).toEqual(sortedLines(j1.stdout));
  });

  it('-j 2: a series that went stale and comes back within one batch is created again, as on one thread', async () => {
    const dir = tmp();
    const log = join(dir, 'stale.log');
    const lines: string[] = [];
    // "a" at 0 s, "b" every 10 s until 350 s; a goes stale after 60 s and comes back at 310 s, after
    // which the new series is sent again (send_duplicates) on every tick.
    lines.push('1700000000 host=a 5');
    for (let t = 10; t <= 300; t += 10) lines.push(`${1700000000 + t} host=b ${t}`);
    lines.push('1700000310 host=a 7');
    for (let t = 320; t <= 350; t += 10) lines.push(`${1700000000 + t} host=b 1`);
    writeFileSync(log, lines.join('\n') + '\n');
    const conf = join(dir, 'stale.conf');
    writeFileSync(conf, `{
  s: {
    files: [ "${log}" ],
    re: [ '^(\\d+)\\s+host=(\\S+)\\s+(\\d+)$' ],
    expected_matches: 3,
    date: { position: 1, format: "unix" },
    key_prefix: "s",
    tags: { host: 2 },
    metrics: { counter: [ { key_suffix: "v", reference: [ [3, ""] ] } ] },
    live_poll: true, stale_removal: true, send_duplicates: true, stale_threshold_min: 1, interval: 10
  },
  settings: { push_type: "tsd", state_file: "" }
}
`);
    const j1 = await replay(conf, ['-j', '1']);
    const j2 = await replay(conf, ['-j', '2']);
    const a = j1.stdout.split('\n').filter((l) => l.includes('host=a'));
    // Sent every tick until it goes stale at 60 s (value 5), then a new series from 7, sent again on
    // every later tick (with a set that was not created again, -j 2 would lose those).
    expect(a.map((l) => l.split(' ')[3])).toEqual([...Array(7).fill('5'), ...Array(5).fill('7')]);
    expect(j2.stdout).toBe(j1.stdout);
  });
});

describe('bad input', () => {
  it('a config with a wrong type, an unknown key and a bad regex exits 2 naming all three with line:column', async () => {
    const dir = tmp();
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, [
      '{',
      '  app: {',
      '    files: [ "./x.log" ],',
      "    re: [ '^(\\d+ (oops' ],",
      '    expected_matches: 1,',
      '    date: { position: 1, format: "unix" },',
      '    key_prefix: app,',
      '    interval: "soon",',
      '    colour: blue,',
      '    metrics: { meter: [ { key_suffix: hits, reference: [ [0, ""] ] } ] }',
      '  }',
      '}',
      '',
    ].join('\n'));
    const r = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`${conf}:4:\\d+: app\\.re\\[0\\]: .*`));
    expect(r.stderr).toMatch(new RegExp(`${conf}:8:\\d+: app\\.interval: .*`));
    expect(r.stderr).toMatch(new RegExp(`${conf}:9:\\d+: app\\.colour: .*`));
    const check = await runCli(['-c', conf, '--check']);
    expect(check.code).toBe(2);
    expect(check.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(3);
  });

  it('binary garbage, a 2 MB line and invalid UTF-8 are counted and skipped; the lines after them still count', async () => {
    const dir = tmp();
    const line = (s: number, call: string) => `2026-02-08T04:00:${String(s).padStart(2, '0')}Z call=${call} ms=${s + 1}\n`;
    const parts: Buffer[] = [];
    parts.push(Buffer.from(line(0, 'a') + line(1, 'a')));
    parts.push(Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x02, 0x0a, 0x7f, 0x80, 0x0a]));             // binary garbage (2 lines)
    parts.push(Buffer.from('2026-02-08T04:00:02Z call=' + 'x'.repeat(2 * 1024 * 1024) + ' ms=1\n')); // 2 MB line
    parts.push(Buffer.concat([Buffer.from('2026-02-08T04:00:03Z call=b'), Buffer.from([0xc3, 0x28]), Buffer.from(' ms=4\n')])); // invalid UTF-8
    parts.push(Buffer.from(line(4, 'a') + line(5, 'a')));
    writeFileSync(join(dir, 'in.log'), Buffer.concat(parts));
    const conf = join(dir, 'c.conf');
    writeFileSync(conf, `{
  app: {
    files: [ "./in.log" ],
    re: [ '^(\\S+)\\scall=(\\S+)\\sms=(\\d+)$' ],
    expected_matches: 3,
    date: { position: 1, format: rfc3339 },
    key_prefix: app,
    tags: { call: 2 },
    metrics: { counter: [ { key_suffix: hits, reference: [ [0, ""] ] } ], histogram: [ { key_suffix: ms, reference: [ [3, ""] ] } ] },
    warn_on_regex_fail: true
  },
  settings: { state_file: "", push_type: tsd }
}
`);
    const r = await replay(conf, ['-d']);
    const out = sortedLines(r.stdout);
    // call=a: four lines around the bad ones; call=b: the invalid byte became U+FFFD, then '_' (and so did the '(').
    expect(out).toContain('put app.hits.count 1770523205 4 call=a');
    expect(out).toContain('put app.ms.max 1770523205 6 call=a');
    expect(out).toContain('put app.hits.count 1770523203 1 call=b__'); // 'b', U+FFFD, '('
    expect(out.some((l) => l.includes('xxxx'))).toBe(false);
    expect(r.stderr).toMatch(/lines_read=7 lines_matched=5 lines_failed=2 lines_too_long=1/);
  });
});
