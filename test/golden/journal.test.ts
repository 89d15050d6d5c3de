// Golden test of a journal replay: fixtures/journal_web.export (journal export format: two units,
// three hosts, two priorities) is written into a journal file by systemd-journal-remote, replayed
// with --once --dry-run by the groups below, and the output compared with
// fixtures/journal_web.expected byte for byte, on one thread and with -j 2. The journal file itself is
// not a fixture: it is binary, 8 MB as written, and its cursors differ at each write (they are not in
// the output). UPDATE_GOLDEN=1 rewrites the expected file (review the diff before committing it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers/cli.js';
import { JOURNAL_REMOTE } from '../helpers/journal.js';

let dir: string;
let conf: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmc-golden-journal-'));
  mkdirSync(path.join(dir, 'j'));
  const r = spawnSync(JOURNAL_REMOTE, [`--output=${path.join(dir, 'j', 'remote.journal')}`, '-'], { input: readFileSync(FIXTURES + 'journal_web.export') });
  expect(r.status, String(r.stderr)).toBe(0);
  conf = path.join(dir, 'journal.conf');
  writeFileSync(conf, `
settings: { push_type: tsd, state_file: "" }
nginx:
  journal: { matches: ["_SYSTEMD_UNIT=nginx.service"], directory: "./j", fields: [_HOSTNAME, PRIORITY] }
  date: { source: journal }
  re: [ '^(\\S+)\\s"(\\w+)\\s(\\S+)[^"]*"\\s(\\d+)\\s(\\d+)\\s(\\d+)$' ]   # client 1, verb 2, path 3, status 4, bytes 5, ms 6
  expected_matches: 6
  key_prefix: web
  interval: 60
  tags: { host: 7, status: 4, prio: 8 }
  transform: { 8: { operations: [ [match_or_default, '^3$', 'info'] ] } }
  metrics:
    meter: [ { key_suffix: requests, reference: [ [0, ""], [0, "verb=get"] ] } ]
    histogram: [ { key_suffix: ms, reference: [ [6, ""] ] } ]
    counter: [ { key_suffix: bytes, reference: [ [5, ""] ] } ]
api:
  journal: { matches: ["_SYSTEMD_UNIT=api.service"], directory: "./j", fields: [_HOSTNAME] }
  date: { source: journal }
  re: [ '^api\\scall\\s(\\w+)\\stook\\s(\\d+)\\sms$' ]
  expected_matches: 2
  key_prefix: api
  interval: 120
  histogram_kind: hdr
  tags: { call: 1, host: 3 }
  metrics: { histogram: [ { key_suffix: ms, reference: [ [2, ""] ] } ] }
`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('golden journal replay', () => {
  const expectedFile = FIXTURES + 'journal_web.expected';
  for (const threads of ['1', '2']) {
    it(`fixtures/journal_web.export with -j ${threads}`, async () => {
      const r = await runCli(['-c', conf, '--once', '--dry-run', '-j', threads]);
      expect(r.stderr.split('\n').filter((l) => /"level":"(warn|error|fatal)"/.test(l))).toEqual([]);
      expect(r.code).toBe(0);
      if (process.env.UPDATE_GOLDEN === '1' && threads === '1') writeFileSync(expectedFile, r.stdout);
      expect(existsSync(expectedFile), `${expectedFile} missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(r.stdout).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
});
