// Log timestamps -> epoch seconds. `date.format` is a Go reference layout (parsed with Go's
// time.Parse leniency, see date-layout.ts) or one of 'unix', 'unix_ms', 'rfc3339'; `date.timezone`
// places layouts that carry no offset (date-zone.ts). Runs on every line, so: no regex, no Date and no
// allocation per call on the usual paths, and a one-entry cache for runs of lines with the same stamp.
//
// Decisions (spec section 2 `date.*` and 3 leave these open):
// - Zone precedence, as Go: 'Z' or "UTC" in the value > a numeric offset in the value > a zone
//   abbreviation (MST element) the configured zone uses (its offset; "EST" with America/New_York) >
//   the configured zone. Any other abbreviation reads the time as UTC (Go keeps the wall clock and
//   labels it with a made-up zone of offset 0; GMT+3 likewise).
// - Wall times a DST change skips or repeats resolve as Go's time.Date does: wall - offsetAt(wall -
//   offsetAt(wall)). For zones east of UTC (Europe/Paris) a skipped 02:30 becomes 03:30 summer time
//   and a repeated 02:30 the second (winter) one; for zones west of UTC (America/New_York) a skipped
//   02:30 becomes 01:30 standard time and a repeated 01:30 the first (daylight) one.
// - A layout is rejected when it is empty, holds no Go layout element (e.g. strftime's "%Y-%m-%d"),
//   or holds no date element (year, month, day or day of year): Go would read "15:04:05" as 1 Jan of
//   year 0, which no time series can use.
// - 'unix' / 'unix_ms': an optional '-', digits, optionally '.' and digits; nothing else (no spaces,
//   exponent or '+'). 'rfc3339' is Go's RFC3339 layout "2006-01-02T15:04:05Z07:00" (fraction accepted
//   with '.' or ',', 'T' and 'Z' upper case only, as Go). The three names are case-insensitive.
// - Year-less layouts: candidates are the years around yearRef (its UTC year, -1, +1); those more than
//   one day past wallNow are dropped; the closest to yearRef wins (a tie: the earlier). When none of the
//   three qualifies (only 29 Feb can do that) the search goes back up to four years for the latest one.
//   A NaN yearRef falls back to wallNow; both NaN gives NaN.
import { compileLayout, El, Fields, K, scan } from './date-layout.js';
import { getZone, type Zone } from './date-zone.js';
import { DAYS_BEFORE, daysFromCivil, daysIn, isLeap, yearOfEpoch } from './date-civil.js';

export interface DateParser {
  readonly hasYear: boolean;   // false for year-less layouts such as syslog's "Jan _2 15:04:05"
  /** Epoch seconds (a float: fractional seconds kept), or NaN when the text does not parse.
   *  yearRef: for year-less layouts, the newest time (epoch s) seen so far in that file, or the wall clock
   *  before the file's first line; wallNow: the wall clock (epoch s). Both ignored when hasYear. */
  parse(text: string, yearRef: number, wallNow: number): number;
}

export interface DateParserOptions {
  /** Remember the previous text's result (default true). Off only to test that it changes nothing. */
  cache?: boolean;
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const FUTURE_SLACK = 86400; // a year-less stamp may be at most one day past the wall clock

/** Compiles `date.format` / `date.timezone`. Throws an Error naming the problem when either is invalid. */
export function compileDateParser(format: string, timezone: string, opts: DateParserOptions = {}): DateParser {
  const zone = getZone(timezone);
  const cache = opts.cache ?? true;
  switch (format.toLowerCase()) {
    case 'unix': return new UnixParser(1);
    case 'unix_ms': return new UnixParser(1000);
    case 'rfc3339': return new LayoutParser(compileLayout(RFC3339), zone, cache);
    default:
  }
  if (format.trim() === '') throw new Error('empty date format: expected a Go layout such as "Jan _2 15:04:05", or unix, unix_ms, rfc3339');
  const els = compileLayout(format);
  const fields = els.filter((e) => e.k !== K.Lit && e.k !== K.Char && e.k !== K.Space);
  if (fields.length === 0) {
    throw new Error(`date format ${JSON.stringify(format)} holds no Go layout element (write the reference time ` +
      `Mon Jan 2 15:04:05 MST 2006 as your logs show it, e.g. "2006-01-02 15:04:05"; strftime %Y/%m/%d is not understood)`);
  }
  const dateKinds = [K.Year2, K.Year4, K.MonShort, K.MonLong, K.MonNum, K.Day, K.Yday];
  if (!fields.some((e) => dateKinds.includes(e.k))) {
    throw new Error(`date format ${JSON.stringify(format)} has no date (year, month or day): a time of day alone cannot place a line in time`);
  }
  return new LayoutParser(els, zone, cache);
}

/**
 * What a valid layout lacks among day, month and hour (for --check: such a layout parses, but every
 * line lands on the 1st of its month, in January, or at midnight), each with a hint. Empty for the
 * named formats (unix, unix_ms, rfc3339) and for complete layouts.
 */
export function layoutGaps(format: string): string[] {
  if (['unix', 'unix_ms', 'rfc3339'].includes(format.toLowerCase())) return [];
  const kinds = compileLayout(format).map((e) => e.k);
  const has = (...ks: K[]): boolean => ks.some((k) => kinds.includes(k));
  const months = kinds.filter((k) => k === K.MonShort || k === K.MonLong || k === K.MonNum).length;
  const gaps: string[] = [];
  if (!has(K.Day, K.Yday)) {
    gaps.push(`no day (02, _2 or 2): every line lands on the 1st of its month${months > 1 ? '; in a Go layout 01 is the month, the day is 02' : ''}`);
  }
  if (!has(K.MonShort, K.MonLong, K.MonNum, K.Yday)) gaps.push('no month (Jan, January, 01 or 1): every line lands in January');
  if (!has(K.Hour, K.Hour12)) gaps.push('no hour (15, 03 or 3): every line lands at midnight');
  return gaps;
}

class UnixParser implements DateParser {
  readonly hasYear = true;
  constructor(private readonly div: number) {}

  parse(text: string): number {
    const n = text.length;
    let p = text.charCodeAt(0) === 45 ? 1 : 0;
    const d0 = p;
    while (p < n && isDigitCode(text.charCodeAt(p))) p++;
    if (p === d0) return NaN;
    if (p < n) {
      if (text.charCodeAt(p) !== 46) return NaN;
      const f0 = ++p;
      while (p < n && isDigitCode(text.charCodeAt(p))) p++;
      if (p === f0 || p < n) return NaN;
    }
    return Number(text) / this.div;
  }
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

// Past this distance from yearRef, the neighbouring year's candidate may be the closer one. Two
// candidates are at least 364 days less an hour of DST apart (364: a day of year across a leap day),
// so within it the candidate of yearRef's own year wins and its neighbours need not be computed.
const HALF_YEAR = 180 * 86400;

class LayoutParser implements DateParser {
  readonly hasYear: boolean;
  private readonly f = new Fields();
  private readonly fixedZone: boolean;
  // One-entry cache: the previous text, whether it scanned, and its result (hasYear) or, for year-less
  // layouts, its instants in years cY-1, cY, cY+1, computed on demand (`have` bit k for ck).
  private cText: string | undefined = undefined;
  private cOk = false;
  private cResult = NaN;
  private cY = NaN;
  private have = 0;
  private c0 = NaN;
  private c1 = NaN;
  private c2 = NaN;
  // The previous year-less answer and the yearRef and wallNow it was for (same text, same answer).
  private cRef = NaN;
  private cWall = NaN;
  private cAns = NaN;
  // Civil year of the previous yearRef, valid for refs in [yLo, yHi).
  private yLo = 0;
  private yHi = -1;
  private y = 0;

  constructor(private readonly els: El[], private readonly zone: Zone, private readonly cache: boolean) {
    this.hasYear = els.some((e) => e.k === K.Year2 || e.k === K.Year4);
    this.fixedZone = zone.id === 'UTC';
  }

  parse(text: string, yearRef: number, wallNow: number): number {
    if (this.hasYear) {
      if (this.cache && text === this.cText) return this.cResult;
      const f = this.f;
      f.reset();
      const t = scan(this.els, text, f) ? this.instant(f.year) : NaN;
      this.cText = text;
      this.cResult = t;
      return t;
    }
    const ref = yearRef === yearRef ? yearRef : wallNow;
    if (this.cache && text === this.cText && ref === this.cRef && wallNow === this.cWall) return this.cAns;
    if (!Number.isFinite(ref)) return NaN;
    const y = this.yearOf(ref);
    if (!this.cache || text !== this.cText || y !== this.cY) {
      const f = this.f;
      f.reset();
      this.cText = text;
      this.cY = y;
      this.have = 0;
      this.cOk = scan(this.els, text, f);
    }
    const t = this.cOk ? this.choose(ref, wallNow + FUTURE_SLACK) : NaN;
    this.cRef = ref;
    this.cWall = wallNow;
    this.cAns = t;
    return t;
  }

  /** The candidate closest to ref and not past limit (ties: the earlier). */
  private choose(ref: number, limit: number): number {
    const c1 = this.cand(1);
    let best = c1 === c1 && !(c1 > limit) ? c1 : NaN;
    if (best !== best || c1 - ref > HALF_YEAR) {
      const c0 = this.cand(0);
      if (c0 === c0 && !(c0 > limit) && (best !== best || Math.abs(c0 - ref) <= Math.abs(best - ref))) best = c0;
    }
    if (c1 !== c1 || ref - c1 > HALF_YEAR) {
      const c2 = this.cand(2);
      if (c2 === c2 && !(c2 > limit) && (best !== best || Math.abs(c2 - ref) < Math.abs(best - ref))) best = c2;
    }
    if (best === best) return best;
    // Only 29 February (or a stamp past the wall clock in every nearby year) gets here.
    for (let yy = this.cY - 2; yy >= this.cY - 4; yy--) {
      const t = this.instant(yy);
      if (t === t && !(t > limit)) return t;
    }
    return NaN;
  }

  private cand(k: 0 | 1 | 2): number {
    const bit = 1 << k;
    if ((this.have & bit) === 0) {
      const t = this.instant(this.cY - 1 + k);
      if (k === 0) this.c0 = t;
      else if (k === 1) this.c1 = t;
      else this.c2 = t;
      this.have |= bit;
    }
    return k === 0 ? this.c0 : k === 1 ? this.c1 : this.c2;
  }

  private yearOf(t: number): number {
    if (t >= this.yLo && t < this.yHi) return this.y;
    const y = yearOfEpoch(t);
    this.y = y;
    this.yLo = daysFromCivil(y, 1, 1) * 86400;
    this.yHi = daysFromCivil(y + 1, 1, 1) * 86400;
    return y;
  }

  /** Epoch seconds of the scanned fields in `year`, NaN when the date does not exist (Go's checks). */
  private instant(year: number): number {
    const f = this.f;
    let month = f.month;
    let day = f.day;
    if (f.yday >= 0) {
      let yday = f.yday;
      let d = 0;
      let m = 0;
      if (isLeap(year)) {
        if (yday === 31 + 29) { m = 2; d = 29; } else if (yday > 31 + 29) yday--;
      }
      if (yday < 1 || yday > 365) return NaN;
      if (m === 0) {
        m = Math.floor((yday - 1) / 31) + 1;
        if (DAYS_BEFORE[m + 1]! < yday) m++;
        d = yday - DAYS_BEFORE[m]!;
      }
      if (month >= 0 && month !== m) return NaN;
      if (day >= 0 && day !== d) return NaN;
      month = m;
      day = d;
    } else {
      if (month < 0) month = 1;
      if (day < 0) day = 1;
    }
    if (day < 1 || day > daysIn(month, year)) return NaN;
    let hour = f.hour;
    if (f.pm && hour < 12) hour += 12;
    else if (f.am && hour === 12) hour = 0;
    const wall = daysFromCivil(year, month, day) * 86400 + hour * 3600 + f.min * 60 + f.sec;
    let t: number;
    if (f.zUtc) t = wall;
    else if (f.hasOffset) t = wall - f.offset;
    else if (f.zoneName !== '') t = this.named(wall);
    else t = this.fixedZone ? wall : this.zone.wallToUtc(wall);
    return f.nsec === 0 ? t : t + f.nsec / 1e9;
  }

  /** A wall time labelled with a zone abbreviation: the configured zone's offset for it, else UTC. */
  private named(wall: number): number {
    const off = this.zone.abbrevOffset(this.f.zoneName, wall);
    return off === undefined ? wall : wall - off;
  }
}
