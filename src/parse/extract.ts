// From a line to a log time, group-tag values and one value per metric reference (spec section 3).
// One Extractor per log group; it reuses its buffers, so a result is valid until the next call.
import type { LogGroup } from '../config/types.js';
import { compileDateParser, type DateParser } from './date.js';
import { compileMatcher, type Matcher } from './matcher.js';
import { applyTransform, compileTransform, type CompiledTransform, type TransformResult } from './transform.js';
import type { ValueParser } from './values.js';
import { flattenRefs, type FlatRef } from './refs.js';
import { boundedCall, linearTime, TIMED_OUT } from './runaway.js';
import { hash53 } from '../stats/hash64.js';

/** Per-file context the extractor needs: filename_match groups and the newest time seen (year inference). */
export interface FileCtx {
  readonly path: string;
  /** Values of filename_match groups, positions expected_matches+1 ... (null when the path does not match). */
  readonly extra: Array<string | undefined> | null;
  /** Newest log time seen in this file (epoch s), NaN before its first dated line. */
  newest: number;
}

/**
 * Per line of a journal batch (input/journal/batch.ts): the entry's own time (µs, NaN if absent) and
 * the values of the group's journal.fields, which take the positions after the filename_match groups.
 */
export interface EntryData {
  readonly timesUs: readonly number[];
  /** Empty when the group asks for no field. */
  readonly fields: ReadonlyArray<ReadonlyArray<string | undefined>>;
}

/**
 * What became of a line. BadDate: no date, or one that does not parse. DateRange: a date before 1970,
 * past what OpenTSDB reads as seconds (2^32 - 1), or more than max_future_skew past the wall clock.
 * Timeout: the regexes ran for more than the guard allows (process/parallel/workers.ts). Every
 * outcome but Matched drops the line and leaves the log clocks where they were.
 */
export const enum Outcome { Matched = 0, NoMatch = 1, BadDate = 2, DateRange = 3, Timeout = 4 }

/** OpenTSDB reads a timestamp of 2^32 or more as milliseconds: the last second it reads as seconds. */
export const MAX_LOG_TIME = 4294967295;

export interface ExtractorOptions {
  /**
   * Seconds a line's date may lie past the wall clock given to extract() (settings.max_future_skew);
   * Infinity: no limit (--once without --assume-now). Default: Infinity.
   */
  maxFutureSkew?: number;
}

export class Extractor {
  readonly regexes: Matcher[];
  readonly refs: FlatRef[];
  readonly tagPositions: Array<number | null>;
  /** After a Matched outcome: log time in seconds (float); after DateRange, the time refused. */
  t = 0;
  /** After a Matched outcome: group tag values (transformed, NOT sanitised); constants are null here. */
  readonly tagVals: Array<string | undefined>;
  /** After a Matched outcome: per reference, the value to record or NaN (not recorded); for a
   *  distinct reference, the hash53() of its value. */
  readonly vals: Float64Array;
  /** After a Matched outcome: references whose value did not parse / was absent, and that went negative. */
  valueFails = 0;
  negatives = 0;
  /** After a Matched outcome: transforms that assigned their default. */
  defaults = 0;
  /**
   * After a Matched outcome: the defaults assigned by transforms with log_default_assign, three
   * entries each: position, value before the transform (undefined: the group did not take part),
   * value after it.
   */
  readonly assigned: Array<number | string | undefined> = [];
  /** The index of the regex that matched (for --test-parser). */
  matchedRegex = -1;
  /**
   * The group's line and transform regexes that V8's linear-time engine cannot run (parse/runaway.ts):
   * one line can keep them busy for minutes. Empty for regex_engine re2 (linear by construction).
   */
  readonly runaway: readonly string[];

  private readonly pos: Array<string | undefined>;

  /** After a Matched (or BadDate) outcome: every position's value after transforms (0 = the line). */
  get positions(): ReadonlyArray<string | undefined> {
    const m = this.lastMatch;
    if (m !== null) {
      this.lastMatch = null;
      const pos = this.pos;
      pos[0] = this.lastLine;
      for (let i = 1; i < this.nLine; i++) pos[i] = m[i];
    }
    return this.pos;
  }
  // Positions read straight from the match (see extract): `pos` is only filled from `lastMatch` when
  // `positions` is read, which --test-parser alone does.
  private readonly direct: boolean;
  private lastMatch: ArrayLike<string | undefined> | null = null;
  private lastLine = '';
  private readonly transforms: CompiledTransform[];
  /** null for date: {source: journal}: the time is the entry's (setEntry), no date is parsed. */
  private date: DateParser | null;
  private readonly nExtra: number;
  private readonly nFields: number;
  // The line being extracted: its journal entry's time (s) and fields (setEntry), NaN and null for a file's line.
  private entryT = NaN;
  private entryFields: ReadonlyArray<string | undefined> | null = null;
  private readonly fileMatch: RegExp | null;
  private readonly fileMatchLinear: boolean;
  private readonly datePos: number;
  private readonly nLine: number;
  private readonly tr: TransformResult = { value: '', defaulted: false };
  // Per-line cache of parsed values: every (position, format) some reference reads is parsed once a
  // line (the seed config reads 11 positions 18 times).
  private readonly slotPos: number[];
  private readonly slotParse: ValueParser[];
  private readonly nums: Float64Array;
  private readonly skew: number;

  constructor(readonly group: LogGroup, opts: ExtractorOptions = {}) {
    this.skew = opts.maxFutureSkew ?? Infinity;
    this.regexes = group.re.map((r) => compileMatcher(r, group.regex_engine));
    this.transforms = group.transform.map(compileTransform);
    const jsRegexes = [...(group.regex_engine === 'js' ? group.re : []), ...group.transform.flatMap((t) => t.operations.map((o) => o.regex))];
    this.runaway = jsRegexes.filter((r) => !linearTime(r));
    this.fileMatch = group.filename_match ? new RegExp(group.filename_match) : null;
    this.fileMatchLinear = group.filename_match ? linearTime(group.filename_match) : true;
    this.date = group.date.source === 'journal' ? null : compileDateParser(group.date.format, group.date.timezone);
    this.datePos = group.date.position;
    this.nLine = group.expected_matches + 1;
    const nExtra = group.filename_match ? groupCountOf(group.filename_match) : 0;
    this.nExtra = nExtra;
    this.nFields = group.journal?.fields.length ?? 0;
    this.pos = new Array(this.nLine + nExtra + this.nFields).fill(undefined);
    this.tagPositions = group.tags.map((t) => t.position);
    this.tagVals = new Array(group.tags.length).fill(undefined);
    const flat = flattenRefs(group);
    this.refs = flat.refs;
    this.slotPos = flat.slotPos;
    this.slotParse = flat.slotParse;
    this.vals = new Float64Array(this.refs.length);
    this.direct = this.transforms.length === 0 && nExtra === 0 && this.nFields === 0 && this.datePos !== 0
      && !this.tagPositions.includes(0) && !this.slotPos.includes(0);
    this.nums = new Float64Array(this.slotPos.length);
  }

  /**
   * The filename_match groups for a path, or null when it does not match (or, for a regex V8's
   * linear engine cannot run, when matching it took more than a second: the file is skipped).
   */
  fileExtra(path: string): Array<string | undefined> | null {
    const fm = this.fileMatch;
    if (fm === null) return [];
    // The journal ('journal', 'journal:/dir') and standard input ('-') have no path: their filename_match positions are empty.
    if (!path.startsWith('/')) return new Array<string | undefined>(this.nExtra).fill(undefined);
    const m = this.fileMatchLinear ? fm.exec(path) : boundedCall(() => fm.exec(path), RUNAWAY_MS);
    return m && m !== TIMED_OUT ? Array.from(m).slice(1) : null;
  }

  /**
   * extract(), cut off after `ms` milliseconds (Outcome.Timeout) when the group has runaway regexes;
   * for the odd line extracted on the main thread (--test-parser, dating a file's first line). It
   * costs ~0.1-0.6 ms a call for such groups, nothing for the others.
   */
  extractBounded(line: string, file: FileCtx, wallNow: number, ms = RUNAWAY_MS): Outcome {
    if (this.runaway.length === 0) return this.extract(line, file, wallNow);
    const o = boundedCall(() => this.extract(line, file, wallNow), ms);
    if (o !== TIMED_OUT) return o;
    // Cut off anywhere: the date parser's one-entry cache may be half written.
    if (this.date !== null) this.date = compileDateParser(this.group.date.format, this.group.date.timezone);
    return Outcome.Timeout;
  }

  /**
   * The journal entry of the next lines extracted: its time (µs since the epoch, NaN if absent) and
   * its fields (null: none, as for a file's line). Stays until the next call.
   */
  setEntry(timeUs: number, fields: ReadonlyArray<string | undefined> | null): void {
    this.entryT = timeUs / 1e6;
    this.entryFields = fields;
  }

  extract(line: string, file: FileCtx, wallNow: number): Outcome {
    let m: ArrayLike<string | undefined> | null = null;
    const res = this.regexes;
    for (let i = 0; i < res.length; i++) {
      m = res[i]!.exec(line);
      if (m !== null) { this.matchedRegex = i; break; }
    }
    if (m === null) return Outcome.NoMatch;

    // Without transforms or filename_match values, and when only counts read position 0 (the line,
    // where the match has the matched text), every position read is a capture as is: read them from
    // the match and leave `positions` to copy them only when asked.
    const extra = file.extra;
    let pos: ArrayLike<string | undefined>;
    if (this.direct && (extra === null || extra.length === 0)) {
      this.lastLine = line;
      this.lastMatch = m;
      pos = m;
    } else {
      this.lastMatch = null;
      this.fill(line, m, extra);
      pos = this.pos;
    }

    let t: number;
    if (this.date === null) {
      t = this.entryT;
    } else {
      const dateText = pos[this.datePos];
      if (dateText === undefined) return Outcome.BadDate;
      const ref = Number.isNaN(file.newest) ? wallNow : file.newest;
      t = this.date.parse(dateText, ref, wallNow);
    }
    if (Number.isNaN(t)) return Outcome.BadDate;
    this.t = t;
    if (!(t >= 0 && t <= MAX_LOG_TIME && t - wallNow <= this.skew)) return Outcome.DateRange;

    const tp = this.tagPositions;
    for (let i = 0; i < tp.length; i++) {
      const p = tp[i];
      this.tagVals[i] = p === null ? undefined : pos[p!];
    }

    const nums = this.nums;
    const sp = this.slotPos;
    const sparse = this.slotParse;
    for (let i = 0; i < sp.length; i++) {
      const raw = pos[sp[i]!];
      nums[i] = raw === undefined ? NaN : sparse[i]!(raw);
    }
    let fails = 0;
    let negs = 0;
    const refs = this.refs;
    const vals = this.vals;
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i]!;
      if (r.unparsed) {
        if (r.counts) { vals[i] = 1; continue; }
        // distinct: the value as written, hashed (an empty or absent group is no value).
        const raw = pos[r.position];
        if (raw === undefined || raw === '') { vals[i] = NaN; fails++; } else vals[i] = hash53(raw);
        continue;
      }
      let v = nums[r.slot]!;
      if (Number.isNaN(v)) { vals[i] = NaN; fails++; continue; }
      if (r.multiply !== 1) v *= r.multiply;
      if (r.divide !== 1) v /= r.divide;
      if (r.truncate) v = Math.trunc(v);
      const as = r.addSlots;
      for (let j = 0; j < as.length; j++) v += nums[as[j]!]!;
      const ss = r.subSlots;
      for (let j = 0; j < ss.length; j++) v -= nums[ss[j]!]!;
      if (Number.isNaN(v)) { vals[i] = NaN; fails++; continue; }
      if (v < 0) { vals[i] = NaN; negs++; continue; }
      vals[i] = v;
    }
    this.valueFails = fails;
    this.negatives = negs;
    return Outcome.Matched;
  }

  /** Copies the line, the captures and the filename_match values into `pos`, then runs the transforms. */
  private fill(line: string, m: ArrayLike<string | undefined>, extra: Array<string | undefined> | null): void {
    const pos = this.pos;
    const n = this.nLine;
    pos[0] = line;
    for (let i = 1; i < n; i++) pos[i] = m[i];
    if (extra !== null) for (let i = 0; i < extra.length; i++) pos[n + i] = extra[i];
    const nf = this.nFields;
    const f = this.entryFields;
    for (let i = 0; i < nf; i++) pos[n + this.nExtra + i] = f !== null ? f[i] : undefined;

    this.defaults = 0;
    this.assigned.length = 0;
    const trs = this.transforms;
    for (let i = 0; i < trs.length; i++) {
      const tr = trs[i]!;
      const before = pos[tr.position];
      const r = applyTransform(tr, before ?? '', this.tr);
      if (r.value !== (before ?? '') || before !== undefined) pos[tr.position] = r.value;
      if (r.defaulted) {
        this.defaults++;
        if (tr.logDefaultAssign) this.assigned.push(tr.position, before, r.value);
      }
    }
  }
}

/** How long one line (or one path, for filename_match) may keep a runaway regex busy. */
export const RUNAWAY_MS = 1000;

function groupCountOf(src: string): number {
  const m = new RegExp(src + '|').exec('');
  return m ? m.length - 1 : 0;
}
