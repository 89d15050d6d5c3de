// Issue 20: log_default_assign logs each default assigned (spec section 3; rate-limited as every
// per-line warning: at most one a second per kind and file, the rest counted in `suppressed`), on one
// thread and from the parse workers alike.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { logLines } from './helpers/collector.js';
import { rmrf, tempDir } from './helpers/tail.js';

let dir = '';
afterEach(() => { if (dir) rmrf(dir); dir = ''; });

describe('log_default_assign', () => {
  for (const threads of ['1', '2']) {
    it(`logs the default assigned, with the position, the value before and the default (-j ${threads})`, async () => {
      dir = tempDir('defaults');
      const log = path.join(dir, 'd.log');
      fs.writeFileSync(log, '1770523200 GET 1\n1770523201 BREW 2\n1770523202 POST 3\n1770523203 FLY 4\n');
      const conf = path.join(dir, 'd.conf');
      const group = (name: string, logIt: boolean) => `${name}: { files: ["${log}"], re: ['^(\\d+)\\s(\\w+)\\s(\\d+)$'], expected_matches: 3,
        date: { position: 1, format: "unix" }, key_prefix: "${name}", tags: { verb: 2 },
        transform: { 2: { log_default_assign: ${logIt}, operations: [ [match_or_default, '^(GET|POST)$', 'other'] ] } },
        metrics: { counter: [ { key_suffix: "n", reference: [ [3, ""] ] } ] } }`;
      fs.writeFileSync(conf, `{ ${group('loud', true)},\n ${group('quiet', false)},\n settings: { push_type: "tsd", state_file: "" } }\n`);
      const r = await runCli(['-c', conf, '--once', '--dry-run', '-j', threads]);
      expect(r.code, r.stderr).toBe(0);
      const logged = logLines(r.stderr).filter((l) => l.kind === 'default_assign');
      expect(logged.map((l) => [l.log_group, l.position, l.value, l.default, l.line])).toEqual([['loud', 2, 'BREW', 'other', '1770523201 BREW 2']]);
      expect(r.stdout).toContain('put loud.n.count 1770523203 6 verb=other');
      expect(r.stdout).toContain('put quiet.n.count 1770523203 6 verb=other');
    });
  }
});
