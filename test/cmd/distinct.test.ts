// --check and --test-parser on a config with distinct metrics (issue 24): --check names each
// distinct metric's stats, its windows (and their zone) and its error bound; --show-keys shows the
// value each distinct reference counts, as written.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ASSUME_NOW, FIXTURES, runCli } from '../helpers/cli.js';

const CONF = FIXTURES + 'apache_distinct.conf';

describe('distinct metrics in the command-line reports', () => {
  it('--check: stats, windows, zone and error bound', async () => {
    const r = await runCli(['-c', CONF, '--check']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.trim());
    expect(lines).toContain('distinct apache.clients.{distinct.count,distinct.count_total} (windows of 1440 min from midnight UTC ' +
      '(the dates carry their own offset), precision 14: exact to 768 values, then ±0.81% standard error)');
    expect(lines).toContain('distinct apache.live.clients.{distinct.count,distinct.count_total} (windows of 60 min from midnight UTC ' +
      '(the dates carry their own offset), precision 14: exact to 768 values, then ±0.81% standard error)');
    expect(lines).toContain('keys: 3 series per combination of status');
    // The worst case counts a distinct key at full precision (two dense sketches): 18.3 KB.
    expect(lines).toContain('limits: max_tag_values 10000, max_keys 100000; worst case 10,001 keys, about 175 MiB');
  });

  it('--test-parser --show-keys: the value a distinct reference counts, quoted', async () => {
    const first = readFileSync(FIXTURES + 'apache_distinct.log', 'utf8').split('\n')[0]!;
    const r = await runCli(['-c', CONF, '--test-parser', 'apache_day', '--input', '-', '--show-keys', '--assume-now', ASSUME_NOW], { input: first + '\n' });
    expect(r.code, r.stderr).toBe(0);
    const keys = r.stdout.split('\n').filter((l) => /^\s{4}apache\./.test(l)).map((l) => l.trim());
    expect(keys).toEqual(['apache.executions (counter) 1773561601 1 status=500', 'apache.clients (distinct) 1773561601 "10.1.0.0" status=500']);
  });
});
