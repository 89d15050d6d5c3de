// Issue 19: values beyond 2^53 are recorded as floats, and a number that plain notation would print
// with more than 21 digits prints in exponent form (spec section 4), through the real CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { rmrf, tempDir } from './helpers/tail.js';

let dir = '';
afterEach(() => { if (dir) rmrf(dir); dir = ''; });

describe('values beyond 2^53', () => {
  it('are recorded, and print as at most 21 digits or in exponent form (bound: no value longer than 24 characters)', async () => {
    dir = tempDir('bigvals');
    const log = path.join(dir, 'b.log');
    fs.writeFileSync(log, [
      '1770523200 a 9007199254740993 1e308',
      '1770523201 a 100000000000000000000000000000 1.5e300',
      '1770523202 b 123456789012345678901 2.5',
      '1770523203 b 1234567890123456789012 0.000001',
    ].join('\n') + '\n');
    const conf = path.join(dir, 'b.conf');
    fs.writeFileSync(conf, `{ b: { files: ["${log}"], re: ['^(\\d+)\\s(\\w+)\\s(\\d+)\\s(\\S+)$'], expected_matches: 4,
      date: { position: 1, format: "unix" }, key_prefix: "b", tags: { k: 2 },
      metrics: { counter: [ { key_suffix: "c", reference: [ [3, ""] ] } ],
                 histogram: [ { key_suffix: "f", format: float, reference: [ [4, ""] ] } ] } },
      settings: { push_type: "tsd", state_file: "" } }\n`);
    const r = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const values = new Map(r.stdout.trim().split('\n').map((l) => { const f = l.split(' '); return [`${f[1]} ${f[4]}`, f[3]!]; }));
    for (const v of values.values()) expect(v.length).toBeLessThanOrEqual(24);
    expect(values.get('b.c.count k=a')).toBe('1.00000000000009e+29');
    expect(values.get('b.c.count k=b')).toBe('1.3580246791358026e+21');
    expect(values.get('b.f.max k=a')).toBe('1e+308');
    expect(values.get('b.f.min k=a')).toBe('1.5e+300');
    expect(values.get('b.f.max k=b')).toBe('2.5');
    expect(values.get('b.f.min k=b')).toBe('0.000001');
    expect(r.stdout).not.toMatch(/ \d{22,}/);
  });
});
