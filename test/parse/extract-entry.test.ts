// Lines of journal entries (spec sections 2 and 6): the date from the entry or from the message, the
// entry's fields at the positions after the regex's and filename_match's groups, and lines that have
// no entry (files, standard input) reading those positions as groups that took no part.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { LogGroup } from '../../src/config/types.js';
import { Extractor, Outcome, type FileCtx } from '../../src/parse/extract.js';
import { extractLines, type LineSink } from '../../src/process/lines.js';

const WALL = 1_800_000_000;
const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in µs

function group(extra: string): LogGroup {
  const r = parseConfigText(`{ g: { re: ['^(\\w+)\\s(\\d+)(?:\\s(\\d+))?$'], expected_matches: 3, key_prefix: "k",
    metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] }, ${extra} } }`, '/x/t.conf');
  expect(r.issues).toEqual([]);
  return r.config!.groups[0]!;
}

const journal = (fields: string[]) => `journal: { directory: "/j", fields: [${fields.join(', ')}] }`;
const file = (path: string, ex: Extractor): FileCtx => ({ path, extra: ex.fileExtra(path), newest: NaN });

/** Outcome, time, tag values and positions of each line, through the same loop as the engine. */
function run(ex: Extractor, f: FileCtx, lines: string[], entries: { timesUs: number[]; fields: Array<Array<string | undefined>> } | null) {
  const out: Array<{ o: Outcome; t?: number; tags?: unknown[]; pos?: unknown[] }> = [];
  const sink: LineSink = {
    matched: (_i, e) => out.push({ o: Outcome.Matched, t: e.t, tags: [...e.tagVals], pos: [...e.positions] }),
    failed: (_i, o) => out.push({ o }),
  };
  extractLines(ex, f, lines, WALL, sink, null, undefined, entries);
  return out;
}

describe('journal entries through the extractor', () => {
  it('date: {source: journal} takes the entry\'s time (µs, fractions kept); an entry without one is a bad date', () => {
    const ex = new Extractor(group(`${journal([])}, date: { source: journal }`));
    const f = file('journal:/j', ex);
    const r = run(ex, f, ['GET 200', 'GET 404', 'PUT 201'], { timesUs: [T0, T0 + 1_500_000, NaN], fields: [] });
    expect(r.map((x) => [x.o, x.t])).toEqual([[Outcome.Matched, 1_767_225_600], [Outcome.Matched, 1_767_225_601.5], [Outcome.BadDate, undefined]]);
    // beyond the window of log time like any date
    expect(run(ex, f, ['GET 200'], { timesUs: [(WALL + 10) * 1e6], fields: [] })[0]!.o).toBe(Outcome.Matched); // no skew limit given
    const bounded = new Extractor(group(`${journal([])}, date: { source: journal }`), { maxFutureSkew: 5 });
    expect(run(bounded, f, ['GET 200'], { timesUs: [(WALL + 10) * 1e6], fields: [] })[0]!.o).toBe(Outcome.DateRange);
  });

  it('a date in the message is parsed as for a file, whatever the entry\'s time', () => {
    const ex = new Extractor(group(`${journal([])}, date: { position: 2, format: unix }`));
    const r = run(ex, file('journal:/j', ex), ['GET 1767225700'], { timesUs: [T0], fields: [] });
    expect(r[0]!.t).toBe(1_767_225_700);
  });

  it('fields take the positions after the regex groups and the filename_match groups, as tags; files and stdin read them as absent', () => {
    const g = group(`files: ["/logs/*.log"], filename_match: '/logs/(\\w+)\\.log$', ${journal(['_HOSTNAME', 'PRIORITY'])},
      date: { position: 2, format: unix }, tags: { app: 4, host: 5, prio: 6 }`);
    const ex = new Extractor(g);
    const j = run(ex, file('journal:/j', ex), ['GET 1767225700 5', 'PUT 1767225701'], { timesUs: [T0, T0], fields: [['h1', '3'], [undefined, '6']] });
    expect(j.map((x) => x.tags)).toEqual([[undefined, 'h1', '3'], [undefined, undefined, '6']]);
    expect(j[0]!.pos).toEqual(['GET 1767225700 5', 'GET', '1767225700', '5', undefined, 'h1', '3']);
    const fromFile = run(ex, file('/logs/shop.log', ex), ['GET 1767225702'], null);
    expect(fromFile[0]!.tags).toEqual(['shop', undefined, undefined]);
    // after a file's line, the journal's filename_match position is empty again (not the file's)
    const again = run(ex, file('journal:/j', ex), ['GET 1767225703'], { timesUs: [T0], fields: [['h2', '4']] });
    expect(again[0]!.tags).toEqual([undefined, 'h2', '4']);
    const stdin = run(ex, file('-', ex), ['GET 1767225704'], null);
    expect(stdin[0]!.tags).toEqual([undefined, undefined, undefined]);
  });
});
