// --check on valid configs: the files each glob matches now, and the keys each group can produce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES, runCli } from '../../helpers/cli.js';

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

warnings:
  log group web: ${dir}/none/*.log matches no file now
  log group web: ${logs}/other.log matches the globs but not filename_match; it would be skipped
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
    expect(r.stdout).not.toContain('warnings:');
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
});
