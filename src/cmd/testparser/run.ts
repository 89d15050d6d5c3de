// --test-parser GROUP [--input FILE|-] [--show-keys] [--max-samples N] (spec section 10).
//
// Runs one log group's extraction over its files (every file its globs match now, in sorted order,
// each from its start) or over --input (a file, or `-` for stdin), sends nothing, reads and writes no
// state, and prints a report on stdout:
//
//   test-parser: log group <name>, <n> regex(es), regex_engine <engine>, <n> file(s)
//     <file>                                              (one line per file)
//
//   <file>:<line>: no match at column <c>: [regex <r>/<R>, ]piece <p>/<P> "<comment>" (config line <l>)
//       <the line, or a window of it around the column>
//       <caret under the column>
//       piece <p> pattern: <the piece's cleaned pattern>
//       failed at: <the regex token that could not match there>
//
//   <file>:<line>: unparsable date: "<date text>" does not match layout "<format>" (timezone <tz>)
//   <file>:<line>: line too long: <n> bytes, max_line_bytes is <m> (skipped, as the collector does)
//
// for up to --max-samples (default 10) failing lines, and with --show-keys, for up to --max-samples
// matched lines, in input order:
//
//   <file>:<line>: matched [regex <r>, ]log time <ISO time>
//       <the line>
//       <key_prefix>.<key_suffix> (<meter|histogram|counter>) <log time, s> <value> <tags>
//       ... one line per metric reference (see keys.ts)
//
// then the summary:
//
//   summary: log group <name>
//     files:              <n>
//     lines read:         <n>
//     matched:            <n>
//     failed:             <n>
//       no match:         <n>
//       unparsable date:  <n>
//       date refused:     <n>      (only when some: before 1970, past 2^32-1 s, or past max_future_skew
//                                  with --assume-now)
//       regex too slow:   <n>      (only when some: a runaway regex cut off after 1 s)
//       too long:         <n>
//     unparsable values:  <n>      (references not recorded: value did not parse or group absent)
//     negative values:    <n>      (references not recorded: result below 0)
//     time:               <s> s
//     lines/s:            <n>
//
//   where lines failed[ (first 2000 failing lines)]:
//     <count>  [regex <r>/<R>, ]piece <p>/<P> "<comment>" (config line <l>)
//     <count>  unparsable date
//     <count>  too long
//
// Exit 0 when every line read matched, 1 when some failed or there was nothing to read (no file
// matches the group's globs), 2 for an unknown group, an unreadable --input or a regex engine that
// is not available. The column is 1-based, in characters (UTF-16 code units), and points at the
// first character the failing regex token could not consume (locate.ts).
import { createReadStream, fstatSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../../config/types.js';
import type { CliOptions } from '../options.js';
import type { Logger } from '../../core/log.js';
import { Extractor, MAX_LOG_TIME, Outcome, RUNAWAY_MS, type FileCtx } from '../../parse/extract.js';
import { expandGlob } from '../../tail/glob.js';
import { boundedCall, TIMED_OUT } from '../../parse/runaway.js';
import { startProgress, totalSize } from '../progress.js';
import { readLines, type InputLine } from './lines.js';
import { RegexLocator, locateFailure, type Location } from './locate.js';
import { keyLines, positions, refInfos } from './keys.js';
import { makeStyle, printable, useColour, windowAround, type Style } from '../style.js';
import { shiftedClock } from '../../core/clock.js';

/** Failing lines whose failure is located for the "where lines failed" table. */
const ANALYSE_CAP = 2000;
/** Longer lines are not located (prefix regexes on them could take long); they are still counted. */
const LOCATE_MAX_CHARS = 65536;
const INDENT = '    ';

interface Source {
  name: string;                 // shown in reports: the path, or <stdin>
  path: string | null;
  open(): Readable;
  size: number | null;
  extra: Array<string | undefined> | null;   // filename_match groups; null: skipped
}

interface Counts {
  read: number;
  matched: number;
  noMatch: number;
  badDate: number;
  dateRange: number;
  timeout: number;
  tooLong: number;
  valueFails: number;
  negatives: number;
  analysed: number;
  where: Map<string, { n: number; order: number }>;
}

class Output {
  constructor(private readonly out: NodeJS.WritableStream) {}
  async write(s: string): Promise<void> {
    if (!this.out.write(s)) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }
}

export async function runTestParser(config: Config, o: CliOptions, log: Logger): Promise<number> {
  void log;
  const err = (s: string): void => { process.stderr.write(s); };
  const group = config.groups.find((g) => g.name === o.testParser);
  if (!group) {
    const known = config.groups.map((g) => g.name);
    err(`--test-parser: no log group "${o.testParser}" in ${config.file}\n`);
    err(known.length ? `known log groups: ${known.join(', ')}\n` : 'the configuration has no log group\n');
    return 2;
  }
  let ex: Extractor;
  try {
    // As --once: the future-date window applies only against --assume-now.
    ex = new Extractor(group, { maxFutureSkew: o.assumeNow === undefined ? Infinity : config.settings.max_future_skew });
  } catch (e) {
    err(`--test-parser: log group ${group.name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  const stdout = process.stdout;
  const st = makeStyle(useColour(stdout));
  const out = new Output(stdout);
  const width = stdout.isTTY ? Math.max(40, (stdout.columns ?? 120) - INDENT.length - 2) : 240;
  const locators = group.re.map((src, i) => new RegexLocator(i, src, group.re_pieces[i] ?? [], group.regex_engine));
  const refs = refInfos(group, config.settings.push_type);

  // ---- inputs
  const sources: Source[] = [];
  const notes: string[] = [];
  if (o.input !== undefined) {
    if (o.input === '-') {
      let size: number | null = null;
      try { const s = fstatSync(0); if (s.isFile()) size = s.size; } catch { /* not a file */ }
      if (group.filename_match) notes.push(`filename_match positions are empty for <stdin>`);
      sources.push({ name: '<stdin>', path: null, open: () => process.stdin, size, extra: [] });
    } else {
      const p = path.resolve(o.input);
      let size: number;
      try {
        const s = statSync(p);
        if (!s.isFile()) throw new Error('not a regular file');
        size = s.size;
      } catch (e) {
        err(`--test-parser: cannot read --input ${o.input}: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
      let extra = ex.fileExtra(p);
      if (extra === null) {
        notes.push(`${p} does not match filename_match ${JSON.stringify(group.filename_match)}: its positions are empty`);
        extra = [];
      }
      sources.push({ name: p, path: p, open: () => createReadStream(p, { highWaterMark: 256 * 1024 }), size, extra });
    }
  } else {
    const files = new Set<string>();
    for (const glob of group.files) for (const f of await expandGlob(glob)) files.add(f);
    for (const f of [...files].sort()) {
      const extra = ex.fileExtra(f);
      if (extra === null) notes.push(`${f} skipped: does not match filename_match ${JSON.stringify(group.filename_match)} (the collector skips it too)`);
      let size: number | null = null;
      try { size = statSync(f).size; } catch { /* vanished */ }
      sources.push({ name: f, path: f, open: () => createReadStream(f, { highWaterMark: 256 * 1024 }), size, extra });
    }
  }
  const active = sources.filter((s) => s.extra !== null);

  // ---- header
  const nRe = group.re.length;
  let head = `test-parser: log group ${st.bold(group.name)}, ${nRe} regex${nRe === 1 ? '' : 'es'}, regex_engine ${group.regex_engine}, `;
  head += o.input !== undefined ? `input ${sources[0]!.name}\n` : `${active.length} file${active.length === 1 ? '' : 's'}\n`;
  if (o.input === undefined) {
    for (const s of sources.slice(0, 20)) head += `  ${s.name}${s.extra === null ? ' (skipped)' : ''}\n`;
    if (sources.length > 20) head += `  ... ${sources.length - 20} more\n`;
    if (sources.length === 0) head += `  ${st.red('no file matches')} ${group.files.join(' ')}\n`;
  }
  for (const n of notes) head += `  ${st.yellow('note:')} ${n}\n`;
  await out.write(head);

  // ---- run
  const c: Counts = { read: 0, matched: 0, noMatch: 0, badDate: 0, dateRange: 0, timeout: 0, tooLong: 0, valueFails: 0, negatives: 0, analysed: 0, where: new Map() };
  let failSamples = 0;
  let keySamples = 0;
  let bytesRead = 0;
  const nowMs = shiftedClock(o.assumeNow);
  const total = active.every((s) => s.size !== null) ? await totalSize(active.map((s) => s.path!).filter((p) => p !== null)) : null;
  const progress = startProgress({
    label: `test-parser ${group.name}`,
    total: o.input === '-' ? (active[0]?.size ?? null) : total,
    sample: () => ({ bytes: bytesRead, lines: c.read }),
  });
  const started = process.hrtime.bigint();
  let pausedNs = 0n; // time spent waiting for stdout, not parsing

  try {
    for (const src of active) {
      const ctx: FileCtx = { path: src.path ?? '-', extra: src.extra, newest: NaN };
      const stream = src.open();
      for await (const batch of readLines(stream, config.settings.max_line_bytes, (n) => { bytesRead += n; })) {
        const wallSec = nowMs() / 1000;
        let text = '';
        for (const line of batch) {
          c.read++;
          const block = handleLine(line, ctx, wallSec);
          if (block) text += block;
        }
        if (text) {
          const t0 = process.hrtime.bigint();
          await out.write(text);
          pausedNs += process.hrtime.bigint() - t0;
        }
      }
    }
  } finally {
    progress.stop();
  }
  const elapsed = Number(process.hrtime.bigint() - started - pausedNs) / 1e9;

  // ---- summary
  const failed = c.noMatch + c.badDate + c.dateRange + c.timeout + c.tooLong;
  const shownFails = Math.min(failed, o.maxSamples);
  let s = '';
  if (failed > shownFails) s += `\n(${failed - shownFails} more failing line${failed - shownFails === 1 ? '' : 's'} not shown; see --max-samples)\n`;
  const row = (label: string, v: string): string => `  ${(label + ':').padEnd(20)}${v}\n`;
  s += `\n${st.bold(`summary: log group ${group.name}`)}\n`;
  s += row('files', String(active.length));
  s += row('lines read', String(c.read));
  s += row('matched', c.matched === c.read ? st.green(String(c.matched)) : String(c.matched));
  s += row('failed', failed ? st.red(String(failed)) : String(failed));
  s += row('  no match', String(c.noMatch));
  s += row('  unparsable date', String(c.badDate));
  if (c.dateRange) s += row('  date refused', String(c.dateRange));
  if (c.timeout) s += row('  regex too slow', String(c.timeout));
  s += row('  too long', String(c.tooLong));
  s += row('unparsable values', c.valueFails ? st.yellow(String(c.valueFails)) : '0');
  s += row('negative values', c.negatives ? st.yellow(String(c.negatives)) : '0');
  s += row('time', `${elapsed.toFixed(3)} s`);
  s += row('lines/s', String(elapsed > 0 ? Math.round(c.read / elapsed) : c.read));
  if (c.where.size > 0) {
    s += `\n${st.bold('where lines failed')}${c.analysed < failed ? ` (first ${c.analysed} failing lines)` : ''}:\n`;
    const rows = [...c.where.entries()].sort((a, b) => b[1].n - a[1].n || a[1].order - b[1].order);
    const w = String(rows[0]![1].n).length;
    for (const [where, e] of rows) s += `  ${String(e.n).padStart(w)}  ${where}\n`;
  }
  if (active.length === 0) s += `\n${st.red('nothing was tested:')} no file to read\n`;
  await out.write(s);
  return failed > 0 || active.length === 0 ? 1 : 0;

  // ---- per line: counts, and the sample block to print (or '')
  function handleLine(line: InputLine, ctx: FileCtx, wallSec: number): string {
    const where = `${st.bold(`${ctx.path === '-' ? '<stdin>' : ctx.path}:${line.no}:`)}`;
    if (line.tooLong) {
      c.tooLong++;
      if (c.analysed < ANALYSE_CAP) { c.analysed++; bump('too long', 2e9); }
      if (failSamples >= o.maxSamples) return '';
      failSamples++;
      return `\n${where} ${st.red('line too long')}: ${line.bytes} bytes, max_line_bytes is ${config.settings.max_line_bytes} (skipped, as the collector does)\n`
        + `${INDENT}${printable(line.text.slice(0, width))}…\n`;
    }
    const outcome = ex.extractBounded(line.text, ctx, wallSec);
    if (outcome === Outcome.Matched) {
      c.matched++;
      if (!(ex.t <= ctx.newest)) ctx.newest = ex.t;
      c.valueFails += ex.valueFails;
      c.negatives += ex.negatives;
      if (!o.showKeys || keySamples >= o.maxSamples) return '';
      keySamples++;
      return matchedBlock(where, line.text);
    }
    if (outcome === Outcome.BadDate) {
      c.badDate++;
      if (c.analysed < ANALYSE_CAP) { c.analysed++; bump('unparsable date'); }
      if (failSamples >= o.maxSamples) return '';
      failSamples++;
      return dateBlock(where, line.text);
    }
    if (outcome === Outcome.DateRange) {
      c.dateRange++;
      if (c.analysed < ANALYSE_CAP) { c.analysed++; bump('date out of range', 1.5e9); }
      if (failSamples >= o.maxSamples) return '';
      failSamples++;
      return `\n${where} ${st.red('date out of range')}: ${rangeReason(ex.t, wallSec)}\n${INDENT}${windowAround(line.text, 0, width).text}\n`;
    }
    if (outcome === Outcome.Timeout) {
      c.timeout++;
      if (c.analysed < ANALYSE_CAP) { c.analysed++; bump('regex too slow', 2.5e9); }
      if (failSamples >= o.maxSamples) return '';
      failSamples++;
      return `\n${where} ${st.red('regex too slow')}: cut off after ${RUNAWAY_MS} ms (a lookaround or backreference: see --check)\n${INDENT}${windowAround(line.text, 0, width).text}\n`;
    }
    c.noMatch++;
    let loc: Location | null = null;
    const locatable = line.text.length <= LOCATE_MAX_CHARS;
    if (c.analysed < ANALYSE_CAP) {
      c.analysed++;
      loc = locatable ? locate(line.text) : null;
      if (loc) bump(describe(loc, locators, plain), loc.regex * 1e6 + loc.piece);
      else bump('no match (line too long to locate)', 3e9);
    }
    if (failSamples >= o.maxSamples) return '';
    failSamples++;
    if (!loc && locatable) loc = locate(line.text);
    return noMatchBlock(where, line.text, loc);
  }

  /** Where a line stopped matching. Locating runs prefixes of the regexes: bounded, as the line was, when they could run away. */
  function locate(text: string): Location | null {
    if (ex.runaway.length === 0) return locateFailure(locators, text);
    const loc = boundedCall(() => locateFailure(locators, text), RUNAWAY_MS);
    return loc === TIMED_OUT ? null : loc;
  }

  /** Why a date was refused (Outcome.DateRange). */
  function rangeReason(t: number, wallSec: number): string {
    const when = Number.isFinite(t) && Math.abs(t) < 8.64e12 ? new Date(t * 1000).toISOString() : String(t);
    if (t < 0) return `${when} is before 1970`;
    if (t > MAX_LOG_TIME) return `${when} is past ${new Date(MAX_LOG_TIME * 1000).toISOString()}, the last second OpenTSDB takes`;
    return `${when} is more than max_future_skew (${config.settings.max_future_skew} s) past the wall clock`;
  }

  /** Counts one failure under `key`; `order` sorts rows of equal counts (regex, then piece). */
  function bump(key: string, order = 1e9): void {
    const e = c.where.get(key);
    if (e) e.n++;
    else c.where.set(key, { n: 1, order });
  }

  function noMatchBlock(where: string, text: string, loc: Location | null): string {
    if (!loc) return `\n${where} ${st.red('no match')} (line of ${text.length} characters: too long to locate the failure)\n${INDENT}${windowAround(text, 0, width).text}\n`;
    const col = loc.column;
    let b = `\n${where} ${st.red('no match')} at column ${col}: ${describe(loc, locators, st)}\n`;
    b += showLine(text, col - 1, loc.matchStart);
    const piece = locators[loc.regex]!.pieces[loc.piece]!;
    b += `${INDENT}piece ${loc.piece + 1} pattern: ${piece.pattern}\n`;
    if (loc.whole) b += `${INDENT}${st.yellow('note:')} the regex has a top-level '|': its pieces cannot be tested one by one\n`;
    else b += `${INDENT}failed at: ${st.red(loc.token)}\n`;
    return b;
  }

  function dateBlock(where: string, text: string): string {
    const pos = positions(ex);
    const dp = group!.date.position;
    const dateText = pos[dp];
    const d = group!.date;
    const re = ex.matchedRegex;
    const reNote = group!.re.length > 1 ? ` (regex ${re + 1})` : '';
    let b = `\n${where} ${st.red('unparsable date')}: `;
    b += dateText === undefined
      ? `date position ${dp} did not take part in the match${reNote}\n`
      : `${JSON.stringify(dateText)} does not match layout ${JSON.stringify(d.format)} (timezone ${d.timezone})${reNote}\n`;
    const at = dateColumn(text, re, dp);
    if (at !== null) b += showLine(text, at, at);
    else b += `${INDENT}${windowAround(text, 0, width).text}\n`;
    return b;
  }

  /** 0-based index of the date group in the line (js engine, date taken from the line), or null. */
  function dateColumn(text: string, re: number, dp: number): number | null {
    if (group!.regex_engine !== 'js' || dp > group!.expected_matches || dp === 0 || re < 0) return null;
    try {
      const m = new RegExp(group!.re[re]!, 'd').exec(text);
      const ix = m?.indices?.[dp];
      return ix ? ix[0] : null;
    } catch { return null; }
  }

  function matchedBlock(where: string, text: string): string {
    const t = new Date(Math.floor(ex.t * 1000)).toISOString().replace('.000Z', 'Z');
    let b = `\n${where} ${st.green('matched')}${group!.re.length > 1 ? ` regex ${ex.matchedRegex + 1},` : ''} log time ${t}\n`;
    b += `${INDENT}${windowAround(text, 0, width).text}\n`;
    for (const k of keyLines(group!, ex, refs, st, config.settings.push_type)) b += `${INDENT}${k}\n`;
    return b;
  }

  /** The line (or a window of it) with a caret under index `at`; the matched part [from, at) in green. */
  function showLine(text: string, at: number, from: number): string {
    const w = windowAround(text, at, width);
    let shown = w.text;
    if (st.enabled && at > from) {
      const head = w.from > 0 ? 1 : 0;
      const a = head + Math.max(0, from - w.from);
      const z = head + Math.min(w.to, at) - w.from;
      if (z > a) shown = shown.slice(0, a) + st.green(shown.slice(a, z)) + shown.slice(z);
    }
    let b = `${INDENT}${shown}\n${INDENT}${' '.repeat(w.caret)}${st.red('^')}\n`;
    if (w.cut) b += `${INDENT}${st.dim(`(characters ${w.from + 1}-${w.to} of ${text.length})`)}\n`;
    return b;
  }
}

const plain = makeStyle(false);

/** `[regex r/R, ]piece p/P "comment" (config line l)`, the comment as written in the config. */
export function describe(loc: Location, locators: RegexLocator[], st: Style): string {
  const piece = locators[loc.regex]?.pieces[loc.piece];
  let s = locators.length > 1 ? `regex ${loc.regex + 1}/${locators.length}, ` : '';
  s += `piece ${loc.piece + 1}/${loc.pieceCount}`;
  if (piece && piece.comment) s += ' ' + st.yellow(`"${piece.comment}"`);
  if (piece && piece.line > 0) s += ` (config line ${piece.line})`;
  return s;
}

