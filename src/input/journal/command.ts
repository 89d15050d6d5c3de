// The journalctl command lines of a journal source, and the rules for what a group may ask of it.
//
// Read modes:
// - `read`: from the start (or after a cursor) to the journal's current end, every boot; journalctl
//   exits at the end.
// - `follow`: after a cursor (or from the start) and then every entry as it is written. journalctl's
//   --follow keeps to the newest boot unless --merge is given: with a directory (journals copied
//   from or sent by other machines, whose boots change while we follow) --merge is given, which
//   with --directory changes nothing else; for the local journal the newest boot is this one, and
//   the source first reads to the end without --follow, so the rest of an older boot (a reboot
//   while the collector was stopped) is read too.
// - `last`: the last N entries (--test-parser); `lastCursor`: the last entry's cursor only (where a
//   daemon without a checkpoint starts, "at the end" as for a file).
// --lines=all: with --follow, journalctl would otherwise stop at 10 entries after a cursor.
// A position is passed as --cursor (the entry itself comes first when it matches, and the parser
// drops it), not --after-cursor: in systemd 252 (Debian 12; later versions fixed it) --after-cursor
// skips the first *matching* entry at the cursor's place, which loses one when the cursor's own
// entry does not match the group's matches (changed since the checkpoint) or is gone (vacuumed).

export interface JournalSpec {
  /** journalctl matches: `FIELD=value`, or `+` between two groups of them (OR of ANDs). */
  matches: readonly string[];
  /** A directory of journal files (`--directory`); null: the system journal. */
  directory: string | null;
  /** Fields handed out with each line (tags and values by position). */
  fields: readonly string[];
}

export type ReadMode =
  | { kind: 'read'; from: string | null }
  | { kind: 'follow'; from: string | null }
  | { kind: 'last'; entries: number }
  | { kind: 'lastCursor' };

export function journalctlArgs(spec: JournalSpec, mode: ReadMode): string[] {
  const args = ['--output=export', '--all', '--no-pager'];
  if (spec.directory !== null) args.push(`--directory=${spec.directory}`);
  args.push(`--output-fields=${['MESSAGE', ...spec.fields].join(',')}`);
  switch (mode.kind) {
    case 'read':
      if (mode.from !== null) args.push(`--cursor=${mode.from}`);
      break;
    case 'follow':
      args.push('--follow', '--lines=all');
      if (spec.directory !== null) args.push('--merge');
      if (mode.from !== null) args.push(`--cursor=${mode.from}`);
      break;
    case 'last':
      args.push(`--lines=${mode.entries}`);
      break;
    case 'lastCursor':
      args.push('--lines=1');
      break;
  }
  args.push('--', ...spec.matches);
  return args;
}

const FIELD_NAME = /^[A-Z_][A-Z0-9_]*$/;
const MAX_FIELD_NAME = 64;

/** Why `name` is not a journal field name (upper-case letters, digits, '_', not a digit first, 64 at most), or null. */
export function fieldNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_FIELD_NAME) return `is longer than ${MAX_FIELD_NAME} characters`;
  if (!FIELD_NAME.test(name)) return `"${name}" is not a journal field name (upper-case letters, digits and _, not starting with a digit)`;
  return null;
}

/** Problems of a `matches` list, by index: each is `FIELD=value` or a `+` between two matches. */
export function matchProblems(matches: readonly string[]): Array<{ index: number; message: string }> {
  const out: Array<{ index: number; message: string }> = [];
  matches.forEach((m, i) => {
    if (m === '+') {
      if (i === 0 || i === matches.length - 1 || matches[i - 1] === '+') {
        out.push({ index: i, message: '"+" (OR) must stand between two matches' });
      }
      return;
    }
    const eq = m.indexOf('=');
    if (eq < 0) {
      out.push({ index: i, message: `"${m}" is not a match: write FIELD=value (e.g. _SYSTEMD_UNIT=nginx.service), or "+" between two groups of matches` });
      return;
    }
    const problem = fieldNameProblem(m.slice(0, eq));
    if (problem) out.push({ index: i, message: `the field name ${problem}` });
  });
  return out;
}
