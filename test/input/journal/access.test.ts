// Journals that cannot be read: one clear error naming the group and the fix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalError, checkSystemJournal, classifyExit } from '../../../src/input/journal/access.js';
import { unitEntries, writeJournal } from '../../helpers/journal.js';
import { readAll, startSource, tempDir } from './helpers.js';

const T0 = 1_767_225_600_000_000;
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'journalctl'];

let root: string;
let dir: string;
beforeAll(() => {
  root = tempDir('journal-access-');
  fs.chmodSync(root, 0o755);
  dir = path.join(root, 'j');
  writeJournal(dir, unitEntries('a.service', 3, (i) => `line ${i}`, T0));
  fs.chmodSync(dir, 0o755);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o640); // root:root, as journald's files are root:systemd-journal
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function failure(p: Promise<void>): Promise<JournalError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(JournalError);
  return e as JournalError;
}

describe('journal access errors', () => {
  // setpriv needs root to become nobody
  it.skipIf(process.getuid?.() !== 0)('journal files the user may not read: the group, and the systemd-journal group / SupplementaryGroups fix', async () => {
    const r = startSource({ directory: dir, start: { from: 'start' }, follow: true, command: AS_NOBODY });
    const e = await failure(r.source.done);
    expect(e.kind).toBe('permission');
    expect(e.message).toMatch(/^log group "g": cannot read the journal files in .*\/j \(.*insufficient permissions.*\)/);
    expect(e.message).toContain('systemd-journal group');
    expect(e.message).toContain('SupplementaryGroups=systemd-journal');
    expect(r.lines()).toEqual([]);
    // the same user in the files' group reads them: the fix the message gives
    const ok = await readAll({ directory: dir, start: { from: 'start' }, follow: false,
      command: ['setpriv', '--reuid=65534', '--regid=65534', '--groups=0', 'journalctl'] });
    expect(ok.lines()).toEqual(['line 0', 'line 1', 'line 2']);
  });

  it('journalctl reading on after saying it cannot see the system\'s entries (a user journal only) is stopped: a permission error', async () => {
    // only the follow run says it (the catch-up read before it ends well): that run never ends by itself
    const hinting = ['bash', '-c', 'case "$*" in *--follow*) echo "Hint: You are currently not seeing messages from other users and the system." >&2;; esac; exec journalctl "$@"', 'journalctl'];
    const e = await failure(startSource({ directory: dir, start: { from: 'start' }, follow: true, command: hinting }).source.done);
    expect(e.kind).toBe('permission');
    expect(e.message).toContain('(Hint: You are currently not seeing messages from other users and the system.)');
  });

  it('no journal on the host (reading the system journal)', async () => {
    const empty = [path.join(root, 'run-log-journal'), path.join(root, 'var-log-journal')];
    fs.mkdirSync(empty[1]!, { recursive: true });
    const e = await failure(startSource({ directory: null, start: { from: 'start' }, follow: true, systemDirs: empty }).source.done);
    expect(e.kind).toBe('no-journal');
    expect(e.message).toMatch(/^log group "g": there is no systemd journal on this host .*Storage=none/);
  });

  it('journalctl missing', async () => {
    const e = await failure(startSource({ directory: dir, start: { from: 'start' }, follow: false, command: [path.join(root, 'no-journalctl')] }).source.done);
    expect(e.kind).toBe('no-journalctl');
    expect(e.message).toMatch(/^log group "g": cannot run journalctl \(ENOENT\): install it/);
  });

  it('journal.directory that is a file', async () => {
    const f = path.join(root, 'file');
    fs.writeFileSync(f, 'x');
    const e = await failure(startSource({ directory: f, start: { from: 'start' }, follow: true }).source.done);
    expect(e.kind).toBe('not-a-directory');
  });
});

describe('checkSystemJournal', () => {
  it('fine with a readable system journal file; a user journal alone is not the system journal', () => {
    const base = path.join(root, 'sys');
    const mid = path.join(base, 'var', '0123456789abcdef0123456789abcdef');
    fs.mkdirSync(mid, { recursive: true });
    fs.writeFileSync(path.join(mid, 'user-1000.journal'), '');
    expect(checkSystemJournal('g', [path.join(base, 'run'), path.join(base, 'var')])?.kind).toBe('no-journal');
    fs.writeFileSync(path.join(mid, 'system.journal'), '');
    expect(checkSystemJournal('g', [path.join(base, 'run'), path.join(base, 'var')])).toBeNull();
  });
});

describe('classifyExit', () => {
  it('reads journalctl\'s failures', () => {
    expect(classifyExit('g', null, 0, null, '')).toBe('ok');
    expect(classifyExit('g', '/d', 1, null, 'Failed to seek to cursor: Invalid argument\n')).toBe('bad-cursor');
    expect(classifyExit('g', '/d', 1, null, 'Failed to open /d: No such file or directory\n')).toBe('directory-missing');
    const hint = classifyExit('g', null, 0, null, 'Hint: You are currently not seeing messages from other users and the system.\n');
    expect(hint).toBeInstanceOf(JournalError);
    expect((hint as JournalError).kind).toBe('permission');
    const other = classifyExit('g', null, null, 'SIGSEGV', '');
    expect((other as JournalError).message).toBe('log group "g": journalctl failed reading the systemd journal (killed by SIGSEGV)');
  });
});
