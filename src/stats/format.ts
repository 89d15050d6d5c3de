// Every number the collector prints, in one place (behaviour spec section 4: "Integers print without
// a decimal point; mean, std-dev and rates with 6 decimals; min, max and percentiles print as the
// values they are"; "a number that plain notation would print with more than 21 digits prints in
// exponent form").
//
// Reference: Go's fmt "%.6f" / strconv.FormatFloat(v, 'f', 6, 64) (the Go original is written in
// Go): exact decimal expansion of the double, rounded half to EVEN on exact ties. JS toFixed rounds
// exact ties away from zero; the only doubles that are exact ties at 6 decimals are odd multiples
// of 2^-7 (e.g. 0.0078125), detected with one multiply and handled on a slow BigInt path, so both
// functions print what Go's "%.6f" prints.
//
//   formatFixed6(v):    mean, std-dev, rates.        29.5 -> "29.500000", -0 -> "0.000000"
//   formatPlain(v):     count, min, max, percentiles, sample_size. Integers without a decimal point
//                       (exact digits up to 2^53, JS's shortest digits beyond); other values with up
//                       to 6 decimals, trailing zeros trimmed: 29.5 -> "29.5", 1/3 -> "0.333333".
//   formatStatValue(v): the internal statistics (selfstats/points.ts): formatPlain, except that a
//                       non-finite value prints "0" (a gauge with nothing measured yet, e.g. the lag
//                       percentiles before the first push; user statistics are never non-finite).
//   writePlain / writeFixed6: the same bytes as formatPlain / formatFixed6, as ASCII straight into a
//                       buffer (--dry-run prints a whole replay through them), or -1 off their fast
//                       paths, where the caller prints the string instead.
// Magnitudes of 1e21 and more (22 or more integer digits) print in JS's exponent form, the shortest
// that reads back to the same double: 1e308 -> "1e+308", -1.5e300 -> "-1.5e+300", in both plain and
// fixed6 (never hundreds of digits). OpenTSDB (Java's Double.parseDouble), VictoriaMetrics, InfluxDB's
// line protocol and JSON all read that form. NaN and +-Infinity print as String(v) (callers never
// produce them; the pushers refuse them).

const TEN_POW_6 = 1000000n;
/** From here on, plain notation would need more than 21 digits: exponent form. */
const EXPONENT_FROM = 1e21;

/** Go-compatible "%.6f" for an exact tie (|v| * 128 an odd integer): round half to even. */
function fixed6Tie(v: number): string {
  const j = BigInt(Math.abs(v) * 128); // exact: |v| * 2^7 is an odd integer
  // |v| * 10^6 = j * 15625 / 2, whose fractional part is exactly .5
  let n = (j * 15625n - 1n) / 2n;
  if ((n & 1n) === 1n) n += 1n;
  const ip = n / TEN_POW_6;
  const frac = (n % TEN_POW_6).toString().padStart(6, '0');
  return (v < 0 ? '-' : '') + ip.toString() + '.' + frac;
}

// Fast path: for |v| * 1e6 < 2^43 the product is within 2^-10 of the exact decimal value, so unless
// its fraction is within 0.002 of .5 the rounded integer n = round(|v| * 1e6) is the exact
// correctly rounded one, and the string is built from n with integer arithmetic. Anything else
// (near-ties, exact ties, large magnitudes) takes the exact toFixed / BigInt path.
const FAST_LIMIT = 8796093022208; // 2^43
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000'];

/** Exact "%.6f" below 1e21 (slow path); exponent form from there on. */
function fixed6Exact(v: number): string {
  const r = (v * 128) % 2;
  if (r === 1 || r === -1) return fixed6Tie(v);
  if (v < EXPONENT_FROM && v > -EXPONENT_FROM) return v.toFixed(6);
  return String(v);
}

/** v with exactly 6 decimals, like Go's "%.6f" (exponent form from 1e21). -0 prints "0.000000". */
export function formatFixed6(v: number): string {
  const n = micros(v < 0 ? -v : v);
  if (n >= 0) {
    const ip = Math.floor(n / 1e6); // < 2^24: int32 arithmetic below
    const fs = '' + ((n - ip * 1e6) | 0);
    return (v < 0 ? '-' : '') + ip + '.' + ZEROS[6 - fs.length] + fs;
  }
  return fixed6Exact(v);
}

/**
 * |v| rounded to millionths, when that is safe in double arithmetic (below FAST_LIMIT and not near
 * a rounding tie); -1 otherwise, and the caller takes the exact path.
 */
function micros(a: number): number {
  const scaled = a * 1e6;
  if (!(scaled < FAST_LIMIT)) return -1;
  const fl = Math.floor(scaled);
  const f = scaled - fl;
  if (f >= 0.498 && f <= 0.502) return -1;
  return f < 0.5 ? fl : fl + 1;
}

/** Integers without a decimal point; others with up to 6 decimals, trailing zeros trimmed (exponent form from 1e21). */
export function formatPlain(v: number): string {
  // '' + v prints integers below 1e21 without an exponent, and uses one from there on; -0 prints "0".
  if (Number.isInteger(v)) return '' + v;
  const n = micros(v < 0 ? -v : v);
  if (n >= 0) {
    if (n === 0) return '0';
    const ip = Math.floor(n / 1e6); // < 2^24: int32 arithmetic below
    let frac = (n - ip * 1e6) | 0;
    const sign = v < 0 ? '-' : '';
    if (frac === 0) return sign + ip;
    let digits = 6;
    while (frac % 10 === 0) {
      frac = (frac / 10) | 0;
      digits--;
    }
    const fs = '' + frac;
    return sign + ip + '.' + ZEROS[digits - fs.length] + fs;
  }
  if (v !== v || v === Infinity || v === -Infinity) return String(v);
  // Non-integer doubles are below 2^52 in magnitude, so the fixed form has a '.' and 6 decimals.
  const s = fixed6Exact(v);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (s.charCodeAt(end - 1) === 46 /* . */) end--;
  const t = s.slice(0, end);
  return t === '-0' ? '0' : t;
}

/** An internal statistic: formatPlain, and "0" for a value not measured yet (NaN, infinities). */
export function formatStatValue(v: number): string {
  return Number.isFinite(v) ? formatPlain(v) : '0';
}

/** The most bytes the fast paths of writePlain / writeFixed6 write (sign, 16 digits, '.', 6 decimals). */
export const FAST_VALUE_BYTES = 32;

/** Decimal digits of a non-negative integer below 2^53; returns the new offset. */
function writeDigits(n: number, dst: Uint8Array, off: number): number {
  let len = 1;
  for (let p = 10; p <= n; p *= 10) len++;
  let i = off + len;
  if (n < 2147483648) {
    let m = n | 0;
    do { const q = (m / 10) | 0; dst[--i] = 48 + m - q * 10; m = q; } while (m !== 0);
  } else {
    do { const q = Math.floor(n / 10); dst[--i] = 48 + (n - q * 10); n = q; } while (n !== 0);
  }
  return off + len;
}

/** `frac` (< 10^width) as exactly `width` digits, zero-padded. */
function writeFraction(frac: number, width: number, dst: Uint8Array, off: number): number {
  for (let i = off + width - 1; i >= off; i--) { const q = (frac / 10) | 0; dst[i] = 48 + frac - q * 10; frac = q; }
  return off + width;
}

const TWO_POW_53 = 9007199254740992;

/** formatPlain(v) as ASCII at `off` (up to FAST_VALUE_BYTES); the new offset, or -1 off the fast paths. */
export function writePlain(v: number, dst: Uint8Array, off: number): number {
  if (Number.isInteger(v)) {
    if (!(v < TWO_POW_53 && v > -TWO_POW_53)) return -1;
    if (v < 0) { dst[off++] = 45; v = -v; } // -0 is not < 0: prints "0", as formatPlain does
    return writeDigits(v, dst, off);
  }
  const n = micros(v < 0 ? -v : v);
  if (n < 0) return -1;
  if (n === 0) { dst[off] = 48; return off + 1; }
  const ip = Math.floor(n / 1e6);
  let frac = (n - ip * 1e6) | 0;
  if (v < 0) dst[off++] = 45;
  off = writeDigits(ip, dst, off);
  if (frac === 0) return off;
  let width = 6;
  while (frac % 10 === 0) { frac = (frac / 10) | 0; width--; }
  dst[off++] = 46;
  return writeFraction(frac, width, dst, off);
}

/** formatFixed6(v) as ASCII at `off` (up to FAST_VALUE_BYTES); the new offset, or -1 off the fast path. */
export function writeFixed6(v: number, dst: Uint8Array, off: number): number {
  const n = micros(v < 0 ? -v : v);
  if (n < 0) return -1;
  const ip = Math.floor(n / 1e6);
  if (v < 0) dst[off++] = 45;
  off = writeDigits(ip, dst, off);
  dst[off++] = 46;
  return writeFraction((n - ip * 1e6) | 0, 6, dst, off);
}
