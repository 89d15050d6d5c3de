// Journal groups through the real CLI (--once --dry-run), over real journal files written by
// Debian's systemd-journal-remote (no journald needed): exact counts per unit, tags from journal
// fields, dates from the entry and from the message, byte-identical replays (and -j 2), and bad
// entries (binary MESSAGE, MESSAGE over max_line_bytes) counted and warned with nothing else lost.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { unitEntries, writeJournal } from '../helpers/journal.js';
import { lastPoints, rmrf, tempDir, type Last } from './helpers/tail.js';

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in µs
const T0S = T0 / 1e6;
const WEB = (i: number) => `GET /item/${i % 13} ${i % 97} ms`;
const SSH = (i: number) => `session ${T0S + 3600 + i * 2} user${i % 3} closed`; // its own date, an hour after the entry's

let dir: string;
let conf: string;
beforeAll(() => {
  dir = tempDir('journal-once');
  const j = path.join(dir, 'journal');
  writeJournal(j, unitEntries('nginx.service', 1200, WEB, T0, (i) => ({ PRIORITY: i % 10 === 0 ? '3' : '6', _HOSTNAME: i % 2 ? 'web1' : 'web2' })));
  writeJournal(j, unitEntries('sshd.service', 300, SSH, T0 + 500_000));
  writeJournal(j, unitEntries('cron.service', 45, (i) => `job ${i} done`, T0 + 250_000));
  conf = path.join(dir, 'j.conf');
  fs.writeFileSync(conf, `
settings: { push_type: tsd, state_file: "" }
web:
  journal: { matches: ["_SYSTEMD_UNIT=nginx.service"], directory: "./journal", fields: [_HOSTNAME, PRIORITY] }
  date: { source: journal }
  re: [ '^GET\\s(\\S+)\\s(\\d+)\\sms$' ]
  expected_matches: 2
  key_prefix: web
  tags: { host: 3, prio: 4 }
  metrics:
    counter: [ { key_suffix: hits, reference: [ [0, ""] ] } ]
    histogram: [ { key_suffix: ms, reference: [ [2, ""] ] } ]
    meter: [ { key_suffix: req, reference: [ [0, ""] ] } ]
ssh:
  journal: { matches: ["_SYSTEMD_UNIT=sshd.service"], directory: "./journal" }
  date: { position: 1, format: unix }
  re: [ '^session\\s(\\d+)\\s(\\w+)\\sclosed$' ]
  expected_matches: 2
  key_prefix: ssh
  tags: { user: 2 }
  metrics: { counter: [ { key_suffix: closed, reference: [ [0, ""] ] } ] }
units:
  journal: { directory: "./journal", fields: [_SYSTEMD_UNIT] }
  date: { source: journal }
  re: [ '^' ]
  expected_matches: 0
  key_prefix: units
  tags: { unit: 1 }
  metrics: { counter: [ { key_suffix: entries, reference: [ [0, ""] ] } ] }
`);
});
afterAll(() => rmrf(dir));

const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const AS_NOBODY_WORKS = process.getuid?.() === 0 && spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, CLI, '--version']).status === 0;

const count = (pts: Map<string, Last>, key: string) => pts.get(key)?.value;

describe('journal groups, --once --dry-run', () => {
  it('counts per unit are exact, tags come from fields, dates from the entry and from the message; replays and -j 2 are byte-identical', async () => {
    const a = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(a.code, a.stderr).toBe(0);
    const pts = lastPoints(a.stdout);
    // per unit, from the _SYSTEMD_UNIT field as a tag
    expect(count(pts, 'units.entries.count unit=nginx.service')).toBe(1200);
    expect(count(pts, 'units.entries.count unit=sshd.service')).toBe(300);
    expect(count(pts, 'units.entries.count unit=cron.service')).toBe(45);
    // tags from _HOSTNAME and PRIORITY
    const web = (host: string, prio: string) => count(pts, `web.hits.count host=${host} prio=${prio}`);
    expect([web('web2', '3'), web('web1', '6'), web('web2', '6'), web('web1', '3')]).toEqual([120, 600, 480, undefined]);
    // date from the entry: the last nginx entry is at T0 + 1199 s
    const webTimes = [...pts].filter(([k]) => k.startsWith('web.hits.count')).map(([, v]) => v.ts);
    expect(Math.max(...webTimes)).toBe(T0S + 1199);
    // date from the message: an hour after the entries' own times
    const ssh = [...pts].filter(([k]) => k.startsWith('ssh.closed.count'));
    expect(ssh.map(([k, v]) => [k, v.value]).sort()).toEqual([0, 1, 2].map((u) => [`ssh.closed.count user=user${u}`, 100]));
    expect(Math.max(...ssh.map(([, v]) => v.ts))).toBe(T0S + 3600 + 299 * 2);
    expect(a.stderr).toContain('"lines_read":3045'); // 1200 + 300 + 1545: each group reads its own entries

    const b = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(b.stdout).toBe(a.stdout);
    const j2 = await runCli(['-c', conf, '--once', '--dry-run', '-j', '2']);
    expect(j2.code, j2.stderr).toBe(0);
    expect(j2.stdout).toBe(a.stdout);
  });

  it('a binary MESSAGE and one over max_line_bytes are counted and warned; every other entry counts', async () => {
    const j = path.join(dir, 'bad');
    writeJournal(j, unitEntries('app.service', 100, (i) => i === 10 ? Buffer.from([0x47, 0x45, 0x54, 0x20, 0xff, 0x00, 0x31])
      : i === 20 ? `GET ${'x'.repeat(5000)}` : `GET ${i}`, T0));
    const c = path.join(dir, 'bad.conf');
    fs.writeFileSync(c, `
settings: { push_type: tsd, state_file: "", max_line_bytes: 1024 }
app:
  journal: { directory: "./bad" }
  date: { source: journal }
  re: [ '^GET\\s' ]
  expected_matches: 0
  key_prefix: app
  metrics: { counter: [ { key_suffix: n, reference: [ [0, ""] ] } ] }
`);
    const r = await runCli(['-c', c, '--once', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(count(lastPoints(r.stdout), 'app.n.count')).toBe(99); // the binary one matches (U+FFFD for the bad bytes), the long one is skipped
    expect(r.stderr).toContain('journal entry with a binary MESSAGE');
    expect(r.stderr).toContain('journal entry with a MESSAGE longer than max_line_bytes skipped');
    expect(r.stderr).toContain('"lines_read":99');
    expect(r.stderr).toContain('"lines_too_long":1');
  });

  it('a journal that cannot be read is one error naming the group and the fix: --once and the daemon exit 1', async () => {
    const c = path.join(dir, 'notdir.conf');
    fs.writeFileSync(path.join(dir, 'afile'), '');
    fs.writeFileSync(c, fs.readFileSync(conf, 'utf8').replace('units:\n  journal: { directory: "./journal"', 'units:\n  journal: { directory: "./afile"'));
    const fix = `log group \\"units\\": journal.directory ${path.join(dir, 'afile')} is not a directory: give the directory that holds the .journal files`;
    const once = await runCli(['-c', c, '--once', '--dry-run']);
    expect(once.code).toBe(1);
    expect(once.stderr).toContain(fix);
    const daemon = await runCli(['-c', c, '--dry-run']);
    expect(daemon.code).toBe(1);
    expect(daemon.stderr).toContain(fix);
    expect(daemon.stderr).toContain('"reason":"input failed"');
  });

  // setpriv needs root to become nobody, and nobody must be able to run this checkout's CLI
  it.runIf(AS_NOBODY_WORKS)('a journal the user cannot read: the error names the group and the fix (systemd-journal group, SupplementaryGroups=)', async () => {
    const j = path.join(dir, 'private');
    fs.cpSync(path.join(dir, 'journal'), j, { recursive: true });
    fs.chmodSync(j, 0o700);
    fs.chmodSync(dir, 0o755);
    const c = path.join(dir, 'private.conf');
    fs.writeFileSync(c, fs.readFileSync(conf, 'utf8').replace(/directory: "\.\/journal"/g, 'directory: "./private"'), { mode: 0o644 });
    const r = await runCli(['-c', c, '--once', '--dry-run'], { runAs: AS_NOBODY });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`log group \\"web\\": cannot read the journal files in ${j}`);
    expect(r.stderr).toContain('add the user the collector runs as to the systemd-journal group');
    expect(r.stderr).toContain('give its unit SupplementaryGroups=systemd-journal');
  });

  it('a journal directory that does not exist is warned about and the other groups are read', async () => {
    const c = path.join(dir, 'gone.conf');
    fs.writeFileSync(c, fs.readFileSync(conf, 'utf8').replace('units:\n  journal: { directory: "./journal"', 'units:\n  journal: { directory: "./nowhere"'));
    const r = await runCli(['-c', c, '--once', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('journal directory does not exist; nothing to read');
    expect(count(lastPoints(r.stdout), 'web.hits.count host=web2 prio=3')).toBe(120);
  });
});
