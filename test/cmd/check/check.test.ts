// --check on valid configs: the files each glob matches now, and the keys each group can produce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES, runCli } from '../../helpers/cli.js';
import { loadRe2 } from '../../../src/parse/matcher.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmc-check-'));
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'logs', 'web_a.log'), 'x'.repeat(10));
  writeFileSync(path.join(dir, 'logs', 'web_b.log'), 'x'.repeat(2048));
  writeFileSync(path.join(dir, 'logs', 'other.log'), '');
  writeFileSync(path.join(dir, 'check.conf'), `{
  web: {
    files: [ "./logs/*.log", "./none/*.log" ],
    filename_match: 'web_(\\w+)\\.log$',
    re: [ '^(\\S+)\\s   # date 1 \\n (\\w+)\\s  # verb 2 \\n (\\d+)\\s(\\d+)  # time 3, wait 4' ],
    expected_matches: 4,
    date: { position: 1, format: "rfc3339", timezone: "UTC" },
    key_prefix: "web",
    tags: { verb: 2, site: 5, product: "shop" },
    metrics: {
      meter: [ { key_suffix: "hits", reference: [ [0, "kind=all"], [4, "kind=wait"] ] } ],
      histogram: [ { key_suffix: "time.s", format: "float", divide: 1000, reference: [ [3, "", { sub: [4] }] ] } ],
      counter: [ { key_suffix: "waited", never_stale: true, reference: [ [4] ] } ]
    },
    goroutines: 3,
    interval: 60,
    stale_removal: true
  },
  settings: { push_type: "tsd", push_proto: "tcp", push_host: [ "tsd1", "tsd2" ], push_number: 2, state_file: "" }
}
`);
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('--check', () => {
  it('lists settings, the files each glob matches now, the group, and its keys', async () => {
    const r = await runCli(['--check', '-c', path.join(dir, 'check.conf')], { env: { FORCE_COLOR: '', NO_COLOR: '' } });
    expect(r.code).toBe(0);
    const logs = path.join(dir, 'logs');
    expect(r.stdout).toBe(`${dir}/check.conf: OK, 1 log group
push: tsd over tcp to tsd1:4242, tsd2:4242 (2 pushers)
state_file: none; status_listen: none

log group web
  files:
    ${logs}/*.log: 3 files now
    ${dir}/none/*.log: no file now
    in reading order (oldest first by their first line's time, then rotation order):
      ${logs}/other.log (0 B)  skipped: does not match filename_match
      ${logs}/web_a.log (10 B)
      ${logs}/web_b.log (2.00 KiB)
  filename_match: web_(\\w+)\\.log$
  regex 1/1: 3 pieces, 4 groups, regex_engine js
  date: $1, layout "rfc3339", timezone UTC
  tags: product=shop site=$5 verb=$2
  push: every 60 s of log time (live_poll false), 3 shards, stale after 60 min
  keys: 19 series per combination of site, verb
    meter web.hits.{count,rate._1min,rate._5min,rate._15min}
      product=shop site verb kind=all   <- 1 per matched line
      product=shop site verb kind=wait  <- $4
    histogram web.time.s.{min,max,mean,std-dev,p50,p75,p95,p99,p999,sample_size} (forward_decay, 256 samples)
      product=shop site verb  <- $3 / 1000 - $4 (float)
    counter web.waited.count never_stale
      product=shop site verb  <- $4
  limits: max_tag_values 10000, max_keys 100000; worst case 100,000 keys, about 271 MiB
    tag verb = $2 (\\w+) can take any number of values

warnings:
  log group web: ${dir}/none/*.log matches no file now
  log group web: ${logs}/other.log matches the globs but not filename_match; it would be skipped
  log group web: tag verb comes from $2 (\\w+), which can take any number of values: past max_tag_values (10000) its new values count as _other_; bound it with a transform (match_or_default) or set max_tag_values
`);
  });

  it('lists the README group of fixtures/rest_api.conf with its file and every reference', async () => {
    const r = await runCli(['--check', '-c', FIXTURES + 'rest_api.conf']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`    ${FIXTURES}rest_api.perf.log: 1 file now\n    in reading order (oldest first by their first line's time, then rotation order):\n      ${FIXTURES}rest_api.perf.log (`);
    expect(r.stdout).toContain('  keys: 94 series per combination of call, class, host\n');
    expect(r.stdout).toContain('    meter rest.api.executions.{count,rate._1min,rate._5min,rate._15min}\n');
    expect(r.stdout).toContain('      call class host resource=local     <- 1 per matched line\n');
    expect(r.stdout).toContain('      call class host resource=local     <- $6 - $8 - $10 - $12 - $14 - $16\n');
    expect(r.stdout).toContain('      call class host resource=other     <- $16\n');
    // The README's group takes call and host from \S+ groups, bounded only by the default limit.
    expect(r.stdout).toContain('  limits: max_tag_values 10000, max_keys 100000; worst case 100,000 keys, about ');
    expect(r.stdout.split('\n').filter((l) => l.includes('can take any number of values: past max_tag_values')).map((l) => l.split(',')[0]))
      .toEqual(['  log group rest.api: tag call comes from $5 (\\S+)', '  log group rest.api: tag host comes from $2 (([a-z])+\\d+\\.\\S+)']);
  });

  it('reports every problem of an invalid config and exits 2', async () => {
    const bad = path.join(dir, 'bad.conf');
    writeFileSync(bad, '{ g: { files: ["x"], re: ["(a"], expected_matches: 1, bogus: 1 } }\n');
    const r = await runCli(['--check', '-c', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('bad.conf');
    expect(r.stdout).toContain('bogus');
    expect(r.stdout).not.toContain('OK');
  });

  it('colours the report on request only', async () => {
    const r = await runCli(['--check', '-c', FIXTURES + 'rest_api.conf'], { env: { FORCE_COLOR: '1' } });
    expect(r.stdout).toContain('\x1b[32mOK\x1b[39m');
    const p = await runCli(['--check', '-c', FIXTURES + 'rest_api.conf'], { env: { FORCE_COLOR: '', NO_COLOR: '1' } });
    expect(p.stdout).not.toContain('\x1b[');
  });

  it('names the regexes V8 cannot bound and suggests regex_engine: re2; the same regex under re2 is not named', async () => {
    const conf = path.join(dir, 'runaway.conf');
    const group = (name: string, re: string, extra = '') => `  ${name}: { files: ["./none.log"], re: [ '${re}' ], expected_matches: 2,
    date: { position: 1, format: "unix" }, key_prefix: "${name}", metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } ${extra} }`;
    writeFileSync(conf, `{\n${[
      group('ahead', String.raw`^(\d+)\s(?=a)(a+)+$`),
      group('behind', String.raw`^(\d+)\s(?<=\s)(a+)+$`),
      group('backref', String.raw`^(\d+)\s(\w)\2$`),
      group('plain', String.raw`^(\d+)\s(a+)+$`),
      group('tr', String.raw`^(\d+)\s(\w+)$`, `, transform: { 2: { operations: [ [replace, '^(?!x)(.*)$', 'y'] ] } }`),
    ].join(',\n')}\n}\n`);
    const r = await runCli(['--check', '-c', conf], { env: { FORCE_COLOR: '', NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    const w = r.stdout.slice(r.stdout.indexOf('warnings:')).split('\n').filter((l) => l.includes('V8 cannot bound it'));
    expect(w.map((l) => l.trim().split(':')[0])).toEqual(['log group ahead', 'log group behind', 'log group backref', 'log group tr']);
    expect(w[0]).toContain(String.raw`regex 1/1 ^(\d+)\s(?=a)(a+)+$`);
    expect(w[0]).toContain('regex_engine: re2');
    expect(w[3]).toContain('transform of $2');
  });

  it.runIf(loadRe2() !== null)('a regex under regex_engine: re2 is not named (linear time); the same under js is', async () => {
    const text = (engine: string) => `{ r: { files: ["./none.log"], re: [ '^(\\d+)\\s(a{1,1000})$' ], expected_matches: 2, regex_engine: ${engine},
    date: { position: 1, format: "unix" }, key_prefix: "r", metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } } }\n`;
    for (const engine of ['re2', 'js']) {
      const conf = path.join(dir, `engine-${engine}.conf`);
      writeFileSync(conf, text(engine));
      const r = await runCli(['--check', '-c', conf]);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout.includes('V8 cannot bound it'), engine).toBe(engine === 'js');
    }
  });

  it('warns about spaces between tokens in an extended-style regex, and about a date layout without a day, month or hour', async () => {
    const conf = path.join(dir, 'mistakes.conf');
    writeFileSync(conf, `{
  spaced: { files: ["./none.log"], re: [ '^(\\S+) (\\S+) (\\d+)$' ], expected_matches: 3,
    date: { position: 1, format: "02/Jan/2006:15:04:05" }, key_prefix: "s", metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } },
  folded: { files: ["./none.log"], re: [ '^(\\S+)\\s+
      (\\S+)\\s+(\\d+)$' ], expected_matches: 3,
    date: { position: 1, format: "01/Jan/2006:15:04:05 -0700" }, key_prefix: "f", metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } },
  midnight: { files: ["./none.log"], re: [ '^(\\S+)\\s(\\S+)\\s(\\d+)$' ], expected_matches: 3,
    date: { position: 1, format: "2006-01-02" }, key_prefix: "m", metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } }
}
`);
    const r = await runCli(['--check', '-c', conf], { env: { FORCE_COLOR: '', NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    const w = r.stdout.slice(r.stdout.indexOf('warnings:')).split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('no file now'));
    expect(w).toEqual([
      'warnings:',
      String.raw`log group spaced: regex 1/1, piece 1 (config line 2): extended style removes every space, so '^(\S+) (\S+) (\d+)$' is read as '^(\S+)(\S+)(\d+)$'; write a space the line holds as \s or \x20`,
      'log group folded: date layout "01/Jan/2006:15:04:05 -0700" has no day (02, _2 or 2): every line lands on the 1st of its month; in a Go layout 01 is the month, the day is 02',
      'log group midnight: date layout "2006-01-02" has no hour (15, 03 or 3): every line lands at midnight',
    ]);
  });

  it('reports a YAML syntax error on its own, not the missing keys it caused', async () => {
    const bad = path.join(dir, 'syntax.conf');
    writeFileSync(bad, '{\n  g: {\n    files: [ "a.log" ],\n    re: [ \'^(\\d+)\' ],\n    expected_matches: 1\n    date: { position: 1, format: "unix" },\n    key_prefix: "k",\n    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] }\n  }\n}\n');
    const r = await runCli(['--check', '-c', bad]);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^\S+syntax\.conf:5:\d+: YAML: /);
  });
});
