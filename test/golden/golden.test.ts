// Golden tests: every fixtures/NAME.conf is replayed with --once --dry-run and its output compared
// with fixtures/NAME.expected, byte for byte, on one thread and with -j 2. UPDATE_GOLDEN=1 rewrites the expected files (review
// the diff before committing them).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ASSUME_NOW, FIXTURES, runCli } from '../helpers/cli.js';

const configs = readdirSync(FIXTURES).filter((f) => f.endsWith('.conf')).sort();

describe('golden replays', () => {
  it('has fixtures', () => expect(configs.length).toBeGreaterThanOrEqual(4));

  for (const conf of configs) {
    it(conf, async () => {
      const r = await runCli(['-c', FIXTURES + conf, '--once', '--dry-run', '--assume-now', ASSUME_NOW]);
      expect(r.stderr.split('\n').filter((l) => /"level":"(error|fatal)"/.test(l))).toEqual([]);
      expect(r.code).toBe(0);
      const expectedFile = FIXTURES + conf.replace(/\.conf$/, '.expected');
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, r.stdout);
      expect(existsSync(expectedFile), `${expectedFile} missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(r.stdout).toBe(readFileSync(expectedFile, 'utf8'));
    });

    // Parse workers (-j 2, tag tuples resolved once a batch, sets re-resolved after stale removal)
    // must give the same bytes.
    it(`${conf} with -j 2`, async () => {
      const r = await runCli(['-c', FIXTURES + conf, '--once', '--dry-run', '-j', '2', '--assume-now', ASSUME_NOW]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(readFileSync(FIXTURES + conf.replace(/\.conf$/, '.expected'), 'utf8'));
    });
  }
});
