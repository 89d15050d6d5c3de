// Go reference layouts (https://pkg.go.dev/time#pkg-constants), compiled once into a flat list of
// elements and scanned on char codes with Go's time.Parse leniency (src/time/format.go): the tokenizer
// follows its nextStdChunk, the scanner its parse() loop. Field values land in a reusable Fields;
// turning them into an instant (year, zone) is date.ts's job.

export const enum K {
  Lit, Char, Space, Year2, Year4, MonShort, MonLong, MonNum, WdShort, WdLong, Day, Yday,
  Hour, Hour12, Min, Sec, PM, TzNum, TzName, Frac0, Frac9,
}

// Shapes of numeric offsets: ±hhmm, ±hh:mm, ±hh, ±hhmmss, ±hh:mm:ss.
const enum Tz { HHMM, HH_MM, HH, HHMMSS, HH_MM_SS }

/** One compiled layout element. `a`, `b` are kind-specific (fixed width, shape, digits...). */
export class El {
  constructor(readonly k: K, readonly a: number, readonly b: number, readonly lit: string, readonly src: string) {}
}

/** Fields read from one value, in Go's conventions (-1 = absent for month/day/yday). */
export class Fields {
  year = 0; month = -1; day = -1; yday = -1;
  hour = 0; min = 0; sec = 0; nsec = 0;
  pm = false; am = false;
  zUtc = false; hasOffset = false; offset = 0; zoneName = '';

  reset(): void {
    this.year = 0; this.month = -1; this.day = -1; this.yday = -1;
    this.hour = 0; this.min = 0; this.sec = 0; this.nsec = 0;
    this.pm = false; this.am = false;
    this.zUtc = false; this.hasOffset = false; this.offset = 0; this.zoneName = '';
  }
}

// ---- tokenizer (nextStdChunk) ----

interface Std { k: K; a: number; b: number; end: number }

const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
const isDigitCh = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The first layout element at or after i: its start index and Std, or null when only literal text is left. */
function nextStd(l: string, i0: number): { at: number; std: Std } | null {
  for (let i = i0; i < l.length; i++) {
    const c = l[i]!;
    const from = (k: K, len: number, a = 0, b = 0): { at: number; std: Std } => ({ at: i, std: { k, a, b, end: i + len } });
    switch (c) {
      case 'J':
        if (l.startsWith('Jan', i)) {
          if (l.startsWith('January', i)) return from(K.MonLong, 7);
          if (!isLower(l[i + 3])) return from(K.MonShort, 3);
        }
        break;
      case 'M':
        if (l.startsWith('Mon', i)) {
          if (l.startsWith('Monday', i)) return from(K.WdLong, 6);
          if (!isLower(l[i + 3])) return from(K.WdShort, 3);
        }
        if (l.startsWith('MST', i)) return from(K.TzName, 3);
        break;
      case '0': {
        const d = l[i + 1];
        if (d !== undefined && d >= '1' && d <= '6') {
          const std0x = [K.MonNum, K.Day, K.Hour12, K.Min, K.Sec, K.Year2][d.charCodeAt(0) - 49]!;
          // a = 1: fixed two digits (Day: 2 = zero-padded)
          return from(std0x, 2, std0x === K.Day ? 2 : 1);
        }
        if (l[i + 1] === '0' && l[i + 2] === '2') return from(K.Yday, 3, 2);
        break;
      }
      case '1':
        if (l[i + 1] === '5') return from(K.Hour, 2);
        return from(K.MonNum, 1, 0);
      case '2':
        if (l.startsWith('2006', i)) return from(K.Year4, 4);
        return from(K.Day, 1, 0);
      case '_':
        if (l[i + 1] === '2') {
          if (l.startsWith('2006', i + 1)) return { at: i + 1, std: { k: K.Year4, a: 0, b: 0, end: i + 5 } };
          return from(K.Day, 2, 1);
        }
        if (l[i + 1] === '_' && l[i + 2] === '2') return from(K.Yday, 3, 1);
        break;
      case '3': return from(K.Hour12, 1, 0);
      case '4': return from(K.Min, 1, 0);
      case '5': return from(K.Sec, 1, 0);
      case 'P': if (l[i + 1] === 'M') return from(K.PM, 2, 0); break;
      case 'p': if (l[i + 1] === 'm') return from(K.PM, 2, 1); break;
      case '-':
      case 'Z': {
        const iso = c === 'Z' ? 1 : 0;
        if (l.startsWith('070000', i + 1)) return from(K.TzNum, 7, Tz.HHMMSS, iso);
        if (l.startsWith('07:00:00', i + 1)) return from(K.TzNum, 9, Tz.HH_MM_SS, iso);
        if (l.startsWith('0700', i + 1)) return from(K.TzNum, 5, Tz.HHMM, iso);
        if (l.startsWith('07:00', i + 1)) return from(K.TzNum, 6, Tz.HH_MM, iso);
        if (l.startsWith('07', i + 1)) return from(K.TzNum, 3, Tz.HH, iso);
        break;
      }
      case '.':
      case ',': {
        const d = l[i + 1];
        if (d === '0' || d === '9') {
          let j = i + 1;
          while (l[j] === d) j++;
          if (!isDigitCh(l[j])) return from(d === '0' ? K.Frac0 : K.Frac9, j - i, 0, j - i - 1);
        }
        break;
      }
      default:
    }
  }
  return null;
}

/** Compiles a Go layout. Literal text becomes Lit runs and Space runs (a run of spaces matches one or more). */
export function compileLayout(layout: string): El[] {
  const els: El[] = [];
  const literal = (text: string): void => {
    for (let i = 0; i < text.length;) {
      let j = i;
      if (text[i] === ' ') {
        while (text[j] === ' ') j++;
        els.push(new El(K.Space, 0, 0, '', text.slice(i, j)));
      } else {
        while (j < text.length && text[j] !== ' ') j++;
        const lit = text.slice(i, j);
        els.push(lit.length === 1 ? new El(K.Char, lit.charCodeAt(0), 0, lit, lit) : new El(K.Lit, 0, 0, lit, lit));
      }
      i = j;
    }
  };
  let i = 0;
  for (;;) {
    const next = nextStd(layout, i);
    if (next === null) { literal(layout.slice(i)); break; }
    literal(layout.slice(i, next.at));
    const s = next.std;
    els.push(new El(s.k, s.a, s.b, '', layout.slice(next.at, s.end)));
    i = s.end;
  }
  // Go accepts a fraction after the seconds unless the next element is itself a fraction: b = 1 then.
  for (let e = 0; e < els.length; e++) {
    const el = els[e]!;
    if (el.k !== K.Sec) continue;
    const nextStdEl = els.slice(e + 1).find((x) => x.k !== K.Lit && x.k !== K.Char && x.k !== K.Space);
    const fracNext = nextStdEl !== undefined && (nextStdEl.k === K.Frac0 || nextStdEl.k === K.Frac9);
    els[e] = new El(K.Sec, el.a, fracNext ? 1 : 0, '', el.src);
  }
  return els;
}

// ---- scanner (parse) ----

const SHORT_MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LONG_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september',
  'october', 'november', 'december'];
const SHORT_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const LONG_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

// Go's match() folds ASCII letters only. c | 0x20 lands on a lower-case letter exactly when c is a
// letter, so comparing folded codes against all-lower-case names is that same rule.
function key3(s: string, p: number): number {
  const a = s.charCodeAt(p);
  const b = s.charCodeAt(p + 1);
  const c = s.charCodeAt(p + 2);
  if ((a | b | c) > 0x7f) return -1; // keeps the packing exact (and no name is non-ASCII)
  return ((a | 0x20) << 16) | ((b | 0x20) << 8) | (c | 0x20);
}
const keys = (names: readonly string[]): Int32Array => Int32Array.from(names, (n) => key3(n, 0));
const SHORT_MONTH_KEYS = keys(SHORT_MONTHS);
const SHORT_DAY_KEYS = keys(SHORT_DAYS);

/** Index of the 3-letter name at p (any case), -1 when none. */
function lookup3(tab: Int32Array, s: string, p: number): number {
  if (s.length - p < 3) return -1;
  const k = key3(s, p);
  for (let i = 0; i < tab.length; i++) if (tab[i] === k) return i;
  return -1;
}

/** Index of the long name at p (any case), -1 when none. Long names have distinct 3-letter prefixes. */
function lookupLong(short: Int32Array, long: readonly string[], s: string, p: number): number {
  const i = lookup3(short, s, p);
  if (i < 0) return -1;
  const name = long[i]!;
  if (s.length - p < name.length) return -1;
  for (let j = 3; j < name.length; j++) if ((s.charCodeAt(p + j) | 0x20) !== name.charCodeAt(j)) return -1;
  return i;
}

const digit = (s: string, p: number): number => {
  const d = s.charCodeAt(p) - 48; // NaN past the end
  return d >= 0 && d <= 9 ? d : -1;
};

let np = 0; // position after the last getnum/getnum3

/** Go's getnum: one or two digits (fixed: exactly two). -1 when absent. */
function getnum(s: string, p: number, fixed: boolean): number {
  const d0 = digit(s, p);
  if (d0 < 0) return -1;
  const d1 = digit(s, p + 1);
  if (d1 < 0) {
    if (fixed) return -1;
    np = p + 1;
    return d0;
  }
  np = p + 2;
  return d0 * 10 + d1;
}

function getnum3(s: string, p: number, fixed: boolean): number {
  let n = 0;
  let i = 0;
  for (; i < 3; i++) {
    const d = digit(s, p + i);
    if (d < 0) break;
    n = n * 10 + d;
  }
  if (i === 0 || (fixed && i !== 3)) return -1;
  np = p + i;
  return n;
}

/** Go's atoi on s[a:b]: optional sign, then only digits (possibly none). NaN on failure. */
function goAtoi(s: string, a: number, b: number): number {
  let neg = false;
  const c = s.charCodeAt(a);
  if (a < b && (c === 45 || c === 43)) { neg = c === 45; a++; }
  let x = 0;
  for (; a < b; a++) {
    const d = digit(s, a);
    if (d < 0) return NaN;
    x = x * 10 + d;
  }
  return neg ? -x : x;
}

const commaOrPeriod = (c: number): boolean => c === 46 || c === 44;

/** Go's parseNanoseconds on s[p:p+nbytes] ([.,] then digits). -1 on failure. */
function nanos(s: string, p: number, nbytes: number): number {
  if (!commaOrPeriod(s.charCodeAt(p))) return -1;
  if (nbytes > 10) nbytes = 10;
  let ns = goAtoi(s, p + 1, p + nbytes);
  if (!(ns >= 0)) return -1;
  for (let i = 10 - nbytes; i > 0; i--) ns *= 10;
  return ns;
}

/** Go's parseSignedOffset: length of "+N"/"-N" with N <= 23, else 0. */
function signedOffsetLen(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c !== 43 && c !== 45) return 0;
  let i = p + 1;
  let x = 0;
  while (digit(s, i) >= 0 && x <= 23) { x = x * 10 + digit(s, i); i++; }
  while (digit(s, i) >= 0) i++; // Go consumes every digit (then rejects x > 23)
  if (i === p + 1 || x > 23) return 0;
  return i - p;
}

/** Go's parseTimeZone: length of a zone abbreviation at p, or 0. */
function zoneNameLen(s: string, p: number): number {
  const n = s.length - p;
  if (n < 3) return 0;
  if (s.startsWith('ChST', p) || s.startsWith('MeST', p)) return 4;
  if (s.startsWith('GMT', p)) return n === 3 ? 3 : 3 + signedOffsetLen(s, p + 3);
  const c0 = s.charCodeAt(p);
  if (c0 === 43 || c0 === 45) return signedOffsetLen(s, p);
  let up = 0;
  while (up < 6 && up < n) {
    const c = s.charCodeAt(p + up);
    if (c < 65 || c > 90) break;
    up++;
  }
  switch (up) {
    case 3: return 3;
    case 4: return s.charCodeAt(p + 3) === 84 || s.startsWith('WITA', p) ? 4 : 0;
    case 5: return s.charCodeAt(p + 4) === 84 ? 5 : 0;
    default: return 0;
  }
}

/** Two fixed digits at p (Go's getnum(x, true) on a 2-byte slice), -1 otherwise. */
function fixed2(s: string, p: number): number {
  const a = digit(s, p);
  const b = digit(s, p + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** Numeric offset at p in the given shape; sets f.offset/hasOffset. Returns the new position or -1. */
function scanOffset(s: string, p: number, shape: number, f: Fields): number {
  const n = s.length - p;
  let hh: number, mm = 0, ss = 0, len: number;
  switch (shape) {
    case Tz.HH_MM:
      if (n < 6 || s.charCodeAt(p + 3) !== 58) return -1;
      hh = fixed2(s, p + 1); mm = fixed2(s, p + 4); len = 6; break;
    case Tz.HH:
      if (n < 3) return -1;
      hh = fixed2(s, p + 1); len = 3; break;
    case Tz.HH_MM_SS:
      if (n < 9 || s.charCodeAt(p + 3) !== 58 || s.charCodeAt(p + 6) !== 58) return -1;
      hh = fixed2(s, p + 1); mm = fixed2(s, p + 4); ss = fixed2(s, p + 7); len = 9; break;
    case Tz.HHMMSS:
      if (n < 7) return -1;
      hh = fixed2(s, p + 1); mm = fixed2(s, p + 3); ss = fixed2(s, p + 5); len = 7; break;
    default:
      if (n < 5) return -1;
      hh = fixed2(s, p + 1); mm = fixed2(s, p + 3); len = 5;
  }
  // Go's ranges use > (offsets of 24 h or 60 min are written by some).
  if (hh < 0 || mm < 0 || ss < 0 || hh > 24 || mm > 60 || ss > 60) return -1;
  const sign = s.charCodeAt(p);
  if (sign !== 43 && sign !== 45) return -1;
  const off = hh * 3600 + mm * 60 + ss;
  f.offset = sign === 45 ? -off : off;
  f.hasOffset = true;
  return p + len;
}

/** Scans the whole of s against the layout; false on any mismatch, range error or extra text. */
export function scan(els: readonly El[], s: string, f: Fields): boolean {
  const n = s.length;
  let p = 0;
  let v: number;
  for (let i = 0; i < els.length; i++) {
    const e = els[i]!;
    switch (e.k) {
      case K.Lit: {
        const lit = e.lit;
        for (let j = 0; j < lit.length; j++) if (s.charCodeAt(p + j) !== lit.charCodeAt(j)) return false;
        p += lit.length;
        break;
      }
      case K.Char:
        if (s.charCodeAt(p) !== e.a) return false;
        p++;
        break;
      case K.Space:
        if (p < n && s.charCodeAt(p) !== 32) return false;
        while (p < n && s.charCodeAt(p) === 32) p++;
        break;
      case K.Year2:
        if (n - p < 2) return false;
        v = goAtoi(s, p, p + 2);
        if (v !== v) return false;
        f.year = v >= 69 ? v + 1900 : v + 2000;
        p += 2;
        break;
      case K.Year4:
        if (n - p < 4 || digit(s, p) < 0) return false;
        v = goAtoi(s, p, p + 4);
        if (v !== v) return false;
        f.year = v;
        p += 4;
        break;
      case K.MonShort:
        if ((v = lookup3(SHORT_MONTH_KEYS, s, p)) < 0) return false;
        f.month = v + 1;
        p += 3;
        break;
      case K.MonLong:
        if ((v = lookupLong(SHORT_MONTH_KEYS, LONG_MONTHS, s, p)) < 0) return false;
        f.month = v + 1;
        p += LONG_MONTHS[v]!.length;
        break;
      case K.MonNum:
        if ((v = getnum(s, p, e.a === 1)) < 0 || v === 0 || v > 12) return false;
        f.month = v;
        p = np;
        break;
      case K.WdShort:
        if (lookup3(SHORT_DAY_KEYS, s, p) < 0) return false;
        p += 3;
        break;
      case K.WdLong:
        if ((v = lookupLong(SHORT_DAY_KEYS, LONG_DAYS, s, p)) < 0) return false;
        p += LONG_DAYS[v]!.length;
        break;
      case K.Day:
        if (e.a === 1 && s.charCodeAt(p) === 32) p++;
        if ((v = getnum(s, p, e.a === 2)) < 0) return false;
        f.day = v;
        p = np;
        break;
      case K.Yday:
        if (e.a === 1) {
          if (s.charCodeAt(p) === 32) p++;
          if (s.charCodeAt(p) === 32) p++;
        }
        if ((v = getnum3(s, p, e.a === 2)) < 0) return false;
        f.yday = v;
        p = np;
        break;
      case K.Hour:
        if ((v = getnum(s, p, false)) < 0 || v >= 24) return false;
        f.hour = v;
        p = np;
        break;
      case K.Hour12:
        if ((v = getnum(s, p, e.a === 1)) < 0 || v > 12) return false;
        f.hour = v;
        p = np;
        break;
      case K.Min:
        if ((v = getnum(s, p, e.a === 1)) < 0 || v >= 60) return false;
        f.min = v;
        p = np;
        break;
      case K.Sec:
        if ((v = getnum(s, p, e.a === 1)) < 0 || v >= 60) return false;
        f.sec = v;
        p = np;
        // A fraction the layout does not mention is still accepted, as Go does.
        if (e.b === 0 && commaOrPeriod(s.charCodeAt(p)) && digit(s, p + 1) >= 0) {
          let q = p + 2;
          while (digit(s, q) >= 0) q++;
          if ((v = nanos(s, p, q - p)) < 0) return false;
          f.nsec = v;
          p = q;
        }
        break;
      case K.PM: {
        if (n - p < 2) return false;
        const c0 = s.charCodeAt(p);
        const c1 = s.charCodeAt(p + 1);
        const upper = e.a === 0;
        if (c1 !== (upper ? 77 : 109)) return false;
        if (c0 === (upper ? 80 : 112)) f.pm = true;
        else if (c0 === (upper ? 65 : 97)) f.am = true;
        else return false;
        p += 2;
        break;
      }
      case K.TzNum:
        if (e.b === 1 && s.charCodeAt(p) === 90) { f.zUtc = true; p++; break; }
        if ((p = scanOffset(s, p, e.a, f)) < 0) return false;
        break;
      case K.TzName:
        if (s.startsWith('UTC', p)) { f.zUtc = true; p += 3; break; }
        if ((v = zoneNameLen(s, p)) === 0) return false;
        f.zoneName = s.slice(p, p + v);
        p += v;
        break;
      case K.Frac0:
        if (n - p < 1 + e.b) return false;
        if ((v = nanos(s, p, 1 + e.b)) < 0) return false;
        f.nsec = v;
        p += 1 + e.b;
        break;
      case K.Frac9:
        if (n - p < 2 || !commaOrPeriod(s.charCodeAt(p)) || digit(s, p + 1) < 0) break;
        v = p + 2;
        while (digit(s, v) >= 0) v++;
        if ((f.nsec = nanos(s, p, v - p)) < 0) return false;
        p = v;
        break;
      default:
        return false;
    }
  }
  return p === n;
}
