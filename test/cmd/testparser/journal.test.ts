// --test-parser on groups reading the journal (its last entries, with their times and fields) and
// standard input (files: ["-"]), through the real CLI, over journal files written by
// systemd-journal-remote.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { unitEntries, writeJournal } from '../../helpers/journal.js';

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in µs
let dir: string;
let conf: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmc-tp-journal-'));
  writeJournal(path.join(dir, 'journal'), unitEntries('nginx.service', 12_000, (i) => (i === 11_990 ? 'garbage' : `GET /a ${i % 50} ms`), T0,
    (i) => ({ PRIORITY: i % 2 ? '6' : '3' })));
  fs.writeFileSync(path.join(dir, 'afile'), '');
  conf = path.join(dir, 'j.conf');
  const rest = `re: [ '^GET\\s(\\S+)\\s(\\d+)\\sms$' ], expected_matches: 2, key_prefix: "web",
    metrics: { histogram: [ { key_suffix: "ms", reference: [ [2, ""] ] } ] }`;
  fs.writeFileSync(conf, `{
  web: { journal: { directory: "./journal", fields: [PRIORITY] }, date: { source: journal }, tags: { prio: 3 }, ${rest} },
  notdir: { journal: { directory: "./afile" }, date: { source: journal }, ${rest} },
  piped: { files: [ "-" ], date: { position: 2, format: "unix" }, ${rest} }
}
`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('--test-parser on journal and stdin groups', () => {
  it('a journal group: its last 10000 entries, dated by the entry, fields as tags, failures located', async () => {
    const r = await runCli(['-c', conf, '--test-parser', 'web', '--show-keys', '--max-samples', '1']);
    expect(r.code, r.stderr).toBe(1);
    const src = `journal:${path.join(dir, 'journal')}`;
    expect(r.stdout).toContain(`  ${src} (its last 10000 entries)\n`);
    expect(r.stdout).toContain('  lines read:         10000\n');
    expect(r.stdout).toContain('    no match:         1\n');
    // the first of the last 10000 entries is entry 2000: its own time, its PRIORITY as a tag
    expect(r.stdout).toContain(`${src}:1: matched log time 2026-01-01T00:33:20Z\n`);
    expect(r.stdout).toContain('web.ms (histogram) 1767227600 0 prio=3\n');
    expect(r.stdout).toContain(`${src}:9991: no match at column 1`);
  });

  it('a journal that cannot be read is one error naming the group, exit 2', async () => {
    const r = await runCli(['-c', conf, '--test-parser', 'notdir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--test-parser: log group "notdir": journal.directory ${path.join(dir, 'afile')} is not a directory`);
  });

  it('a group reading standard input reads it without --input', async () => {
    const r = await runCli(['-c', conf, '--test-parser', 'piped'], { input: 'GET 1767225600 5 ms\nGET 1767225601 6 ms\n' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('  <stdin>\n');
    expect(r.stdout).toContain('  matched:            2\n');
  });

  it('--input FILE for a group dated by the journal entry says why every line fails', async () => {
    const f = path.join(dir, 'lines.log');
    fs.writeFileSync(f, 'GET /a 5 ms\n');
    const r = await runCli(['-c', conf, '--test-parser', 'web', '--input', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('lines of --input have none: they fail as unparsable dates');
  });
});
