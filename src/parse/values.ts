// Value parsing (spec section 3): `int` is an optional sign and base-10 digits, nothing else;
// `float` adds a fraction and an exponent; NaN and infinities fail. NaN means "did not parse".

export function parseIntStrict(s: string): number {
  const n = s.length;
  if (n === 0) return NaN;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */ || c0 === 43 /* + */) { neg = c0 === 45; i = 1; if (n === 1) return NaN; }
  if (n - i > 15) return parseLongInt(s);
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

function parseLongInt(s: string): number {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : NaN;
}

const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export function parseFloatStrict(s: string): number {
  if (!FLOAT.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

export type ValueParser = (s: string) => number;

export function valueParser(format: 'int' | 'float'): ValueParser {
  return format === 'int' ? parseIntStrict : parseFloatStrict;
}
