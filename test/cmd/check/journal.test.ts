// --check on groups reading the journal or standard input, and the run modes' --input usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { unitEntries, writeJournal } from '../../helpers/journal.js';

let dir: string;
let conf: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmc-check-journal-'));
  writeJournal(path.join(dir, 'journal'), unitEntries('nginx.service', 2, (i) => `GET /${i} 200`, 1_767_225_600_000_000));
  conf = path.join(dir, 'j.conf');
  const rest = `re: [ '^(\\w+) (\\S+) (\\d+)' ], expected_matches: 3, key_prefix: "web",
    metrics: { counter: [ { key_suffix: "hits", reference: [ [0] ] } ] }`;
  writeFileSync(conf, `{
  nginx: {
    journal: { matches: [ "_SYSTEMD_UNIT=nginx.service" ], directory: "./journal", fields: [ _HOSTNAME, PRIORITY ] },
    date: { source: journal }, tags: { host: 4, status: 3 }, ${rest}
  },
  gone: { journal: { directory: "./nowhere" }, date: { source: journal }, ${rest} },
  piped: { files: [ "-" ], date: { position: 2, format: "unix" }, ${rest} }
}
`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--check with journal and standard input groups', () => {
  it('shows where each group reads, the fields\' positions and the date; warns about a journal that cannot be read now', async () => {
    const r = await runCli(['-c', conf, '--check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  journal: directory ${path.join(dir, 'journal')}, matches _SYSTEMD_UNIT=nginx.service, fields $4=_HOSTNAME $5=PRIORITY\n`);
    expect(r.stdout).toContain('  date: the journal entry\'s time\n');
    expect(r.stdout).toContain(`  journal: directory ${path.join(dir, 'nowhere')}, every entry  no such directory now\n`);
    expect(r.stdout).toContain('  files:\n    -: standard input\n');
    expect(r.stdout).toContain(`log group gone: journal directory ${path.join(dir, 'nowhere')} does not exist now`);
  });

  it('--input - is refused for groups dated by the journal entry (a piped line has none), and --input FILE outside --test-parser', async () => {
    const r = await runCli(['-c', conf, '--once', '--dry-run', '--input', '-']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('--input -: log groups "nginx", "gone" take the date from the journal entry (date: {source: journal}), '
      + 'and lines from standard input have none: give the date in the line (date.position and format)\n');
    const f = await runCli(['-c', conf, '--once', '--dry-run', '--input', conf]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain(`--input ${conf}: with --once or the daemon only "-" (standard input) is read`);
  });
});
