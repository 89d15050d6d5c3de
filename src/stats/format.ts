// How statistic values print in a `put` line (behaviour spec section 4: "Integers print without a
// decimal point; mean, std-dev and rates with 6 decimals; min, max and percentiles print as the
// values they are").
//
// Reference: Go's fmt "%.6f" / strconv.FormatFloat(v, 'f', 6, 64) (the Go original is written in
// Go): exact decimal expansion of the double, rounded half to EVEN on exact ties. JS toFixed rounds
// exact ties away from zero; the only doubles that are exact ties at 6 decimals are odd multiples
// of 2^-7 (e.g. 0.0078125), detected with one multiply and handled on a slow BigInt path, so both
// functions print what Go's "%.6f" prints.
//
//   formatFixed6(v): mean, std-dev, rates.          29.5 -> "29.500000", -0 -> "0.000000"
//   formatPlain(v):  count, min, max, percentiles, sample_size. Integers without a decimal point or
//                    exponent (exact up to and beyond 2^53); other values with up to 6 decimals,
//                    trailing zeros trimmed: 29.5 -> "29.5", 1/3 -> "0.333333", -0 -> "0".
// NaN and +-Infinity print as String(v) (callers never produce them).

const TEN_POW_6 = 1000000n;

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

/** Exact "%.6f" (slow path). */
function fixed6Exact(v: number): string {
  const r = (v * 128) % 2;
  if (r === 1 || r === -1) return fixed6Tie(v);
  if (v < 1e21 && v > -1e21) return v.toFixed(6);
  if (v !== v || v === Infinity || v === -Infinity) return String(v);
  return BigInt(v).toString() + '.000000';
}

/** v with exactly 6 decimals, like Go's "%.6f". -0 prints "0.000000". */
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
 * a rounding tie); -1 otherwise, and the caller takes the exact path. Also used by the byte
 * writers of output/format/opentsdb.ts, which must print what these functions print.
 */
export function micros(a: number): number {
  const scaled = a * 1e6;
  if (!(scaled < FAST_LIMIT)) return -1;
  const fl = Math.floor(scaled);
  const f = scaled - fl;
  if (f >= 0.498 && f <= 0.502) return -1;
  return f < 0.5 ? fl : fl + 1;
}

/** Integers without a decimal point; others with up to 6 decimals, trailing zeros trimmed. */
export function formatPlain(v: number): string {
  if (Number.isInteger(v)) {
    // '' + v never uses an exponent below 1e21; -0 prints "0".
    if (v < 1e21 && v > -1e21) return '' + v;
    return BigInt(v).toString();
  }
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
