// A log group's inputs beyond file globs (spec sections 2 and 6): `journal: {matches, directory,
// fields}` and `files: ["-"]` (standard input). Journal fields are numbered as positions after the
// regex groups and the filename_match groups, in the order listed, so `tags`, `transform` and metric
// references name them like any other match group.
import path from 'node:path';
import { fieldNameProblem, matchProblems } from '../input/journal/command.js';
import { STDIN_PATH } from '../input/stdin.js';
import { Ctx, MapView, asMap, asSeq, isNull, items, join, readString, type Entry } from './node.js';
import { JOURNAL_KEYS } from './schema.js';
import type { JournalDef, LogGroup } from './types.js';

export function readJournal(ctx: Ctx, e: Entry, configDir: string): JournalDef {
  const j: JournalDef = { matches: [], directory: null, fields: [] };
  const map = asMap(ctx, e.value, e.path);
  if (!map) return j;
  const v = new MapView(ctx, map, e.path, e.key, JOURNAL_KEYS);
  let x = v.get('matches');
  if (x && !isNull(x.value)) j.matches = readMatches(ctx, x);
  if ((x = v.get('directory')) && !isNull(x.value)) {
    const d = readString(ctx, x.value, x.path, { nonEmpty: true });
    if (d !== undefined) j.directory = path.resolve(configDir, d);
  }
  if ((x = v.get('fields')) && !isNull(x.value)) j.fields = readFields(ctx, x);
  return j;
}

function readMatches(ctx: Ctx, e: Entry): string[] {
  const seq = asSeq(ctx, e.value, e.path);
  if (!seq) return [];
  const nodes = items(ctx, seq);
  const out: string[] = [];
  nodes.forEach((n, i) => {
    const s = readString(ctx, n, join(e.path, i), { nonEmpty: true });
    if (s !== undefined) out.push(s);
  });
  if (out.length !== nodes.length) return out; // already reported; indexes would not line up
  for (const p of matchProblems(out)) ctx.report(nodes[p.index], join(e.path, p.index), p.message);
  return out;
}

function readFields(ctx: Ctx, e: Entry): string[] {
  const seq = asSeq(ctx, e.value, e.path);
  if (!seq) return [];
  const out: string[] = [];
  items(ctx, seq).forEach((n, i) => {
    const p = join(e.path, i);
    const name = readString(ctx, n, p, { nonEmpty: true });
    if (name === undefined) return;
    const bad = fieldNameProblem(name);
    const problem = bad !== null ? `the field name ${bad}`
      : name === 'MESSAGE' ? 'MESSAGE is the line itself: use position 0'
        : name.startsWith('__') ? `${name} is not a field of the entry (for the entry's time, give date: {source: journal})` : null;
    if (problem) ctx.report(n, p, problem);
    else if (out.includes(name)) ctx.report(n, p, `${name} is listed twice`);
    else out.push(name);
  });
  return out;
}

/** Checks that need the whole group: some input, stdin at most once, filename_match and date.source against the inputs. */
export function checkInputs(ctx: Ctx, g: LogGroup, keys: { files?: Entry; journal?: Entry; filenameMatch?: Entry; date?: Entry }, anchor: Entry['key']): void {
  if (!keys.files && !keys.journal) ctx.report(anchor, join(g.name, 'files'), 'missing required key "files" (or "journal")');
  const stdin = g.files.filter((f) => f === STDIN_PATH).length;
  if (stdin > 1 && keys.files) ctx.report(keys.files.value, keys.files.path, `"${STDIN_PATH}" (standard input) is listed ${stdin} times`);
  const globs = g.files.length - stdin;
  if (keys.filenameMatch && g.filename_match !== null && globs === 0 && (keys.files || keys.journal)) {
    ctx.report(keys.filenameMatch.key, keys.filenameMatch.path, 'applies to file paths, and this group reads no file' +
      (g.journal ? ' (journal entries have no path)' : ' (standard input has no path)'));
  }
  if (keys.date && g.date.source === 'journal') {
    if (!g.journal) ctx.report(keys.date.value, join(keys.date.path, 'source'), 'is "journal" but the group has no journal block');
    else if (g.files.length > 0) {
      ctx.report(keys.date.value, join(keys.date.path, 'source'), 'is "journal", but the group also reads files, whose lines have no entry time: ' +
        'use a date in the line (position and format), or a separate group for the files');
    }
  }
}
