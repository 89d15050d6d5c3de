// Whether a journal can be read, and what journalctl's failures mean. Each problem that reading again
// cannot fix is one JournalError whose message names the group and the fix; the rest are classified
// so the source can act on them (wait for a directory, drop a bad cursor, restart).
import * as fs from 'node:fs';
import * as path from 'node:path';

export type JournalErrorKind = 'permission' | 'no-journal' | 'no-journalctl' | 'not-a-directory' | 'failed';

export class JournalError extends Error {
  constructor(readonly kind: JournalErrorKind, message: string) {
    super(message);
  }
}

/** Where journald keeps the system journal: volatile, then persistent. */
export const SYSTEM_JOURNAL_DIRS: readonly string[] = ['/run/log/journal', '/var/log/journal'];

const PERMISSION_FIX = 'add the user the collector runs as to the systemd-journal group ' +
  '(usermod -a -G systemd-journal USER; on Debian the adm group can read the journal too), ' +
  'and for the systemd service give its unit SupplementaryGroups=systemd-journal';

const where = (directory: string | null) => (directory === null ? 'the systemd journal' : `the journal files in ${directory}`);

export function permissionError(group: string, directory: string | null, detail: string): JournalError {
  return new JournalError('permission', `log group "${group}": cannot read ${where(directory)} (${detail}): ${PERMISSION_FIX}`);
}

export function noJournalError(group: string, dirs: readonly string[]): JournalError {
  return new JournalError('no-journal', `log group "${group}": there is no systemd journal on this host (no journal files in ` +
    `${dirs.join(' or ')}): journald is not running here or keeps nothing (Storage=none). ` +
    'Read the log files instead, or point journal.directory at a directory of journal files');
}

export function noJournalctlError(group: string, cause: string): JournalError {
  return new JournalError('no-journalctl', `log group "${group}": cannot run journalctl (${cause}): ` +
    'install it (Debian: the systemd package) or remove the group\'s journal block');
}

export function notDirectoryError(group: string, directory: string): JournalError {
  return new JournalError('not-a-directory', `log group "${group}": journal.directory ${directory} is not a directory: ` +
    'give the directory that holds the .journal files');
}

/**
 * The system journal can be read: some journal file exists under `dirs`, and a system one (not a
 * user-UID.journal) is readable. journalctl alone would read only the user's own journal files and
 * say so in a hint; the collector would then see nothing of the services, silently.
 */
export function checkSystemJournal(group: string, dirs: readonly string[] = SYSTEM_JOURNAL_DIRS): JournalError | null {
  let found = 0;
  let readable = 0;
  let denied: string | null = null;
  const visit = (dir: string, depth: number): void => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') denied ??= `${dir}: ${code}`;
      return;
    }
    for (const d of names) {
      const p = path.join(dir, d.name);
      if (d.isDirectory() && depth === 0) visit(p, 1);
      else if (d.isFile() && /\.journal~?$/.test(d.name) && !/^user-\d+[@.]/.test(d.name)) {
        found++;
        try { fs.accessSync(p, fs.constants.R_OK); readable++; } catch { denied ??= `${p}: EACCES`; }
      }
    }
  };
  for (const d of dirs) visit(d, 0);
  if (readable > 0) return null;
  if (denied !== null) return permissionError(group, null, denied);
  return found === 0 ? noJournalError(group, dirs) : null;
}

/** The state of journal.directory: present, missing (waited for), or an error that waiting cannot fix. */
export function checkDirectory(group: string, directory: string): 'ok' | 'missing' | JournalError {
  let st: fs.Stats;
  try {
    st = fs.statSync(directory);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    if (code === 'EACCES' || code === 'EPERM') return permissionError(group, directory, `${directory}: ${code}`);
    return new JournalError('failed', `log group "${group}": journal.directory ${directory}: ${(e as Error).message}`);
  }
  return st.isDirectory() ? 'ok' : notDirectoryError(group, directory);
}

export type ExitClass = 'ok' | 'bad-cursor' | 'directory-missing' | JournalError;

/**
 * journalctl says it cannot read (all of) the journal: no file opened, or only the user's own
 * (a hint, after which it goes on reading what it can: a follow run would never end to say so).
 */
export function deniedOnStderr(stderr: string): boolean {
  return /insufficient permissions|not seeing messages from other users and the system|Permission denied/i.test(stderr);
}

/** What a finished journalctl run means, from its exit status and what it wrote on stderr. */
export function classifyExit(group: string, directory: string | null, code: number | null, signal: string | null, stderr: string): ExitClass {
  if (deniedOnStderr(stderr)) return permissionError(group, directory, firstLine(stderr));
  if (code === 0) return 'ok';
  if (/Failed to seek to cursor/.test(stderr)) return 'bad-cursor';
  if (directory !== null && /No such file or directory/.test(stderr)) return 'directory-missing';
  if (directory !== null && /Not a directory/.test(stderr)) return notDirectoryError(group, directory);
  const how = signal !== null ? `killed by ${signal}` : `exit status ${code}`;
  return new JournalError('failed', `log group "${group}": journalctl failed reading ${where(directory)} (${how})` +
    (stderr.trim() ? `: ${firstLine(stderr)}` : ''));
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]!.slice(0, 300);
}
