// --check on groups reading the journal or standard input; the run modes refuse them until they are
// wired in (issue 23, part 2) instead of leaving them unread.
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

  it('the run modes refuse such groups, naming them, with exit 2', async () => {
    const r = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe([
      `${conf}: log group "nginx": the journal input is checked by --check but cannot run in this version yet`,
      `${conf}: log group "gone": the journal input is checked by --check but cannot run in this version yet`,
      `${conf}: log group "piped": standard input (files: ["-"]) is checked by --check but cannot run in this version yet`,
      '',
    ].join('\n'));
  });
});
