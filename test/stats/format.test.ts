import { describe, expect, it } from 'vitest';
import { formatFixed6, formatPlain } from '../../src/stats/format.js';
import { Prng } from '../../src/stats/prng.js';

// Reference: JS toFixed is the exact decimal expansion, differing from Go only on exact ties
// (|v| * 128 an odd integer), which these generated values avoid.
function isExactTie(v: number): boolean {
  const r = (v * 128) % 2;
  return r === 1 || r === -1;
}

function trimmedToFixed(v: number): string {
  if (Number.isInteger(v)) return String(Object.is(v, -0) ? 0 : v);
  let s = v.toFixed(6);
  s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function sampleValues(): number[] {
  const p = new Prng(2024);
  const out: number[] = [];
  for (let k = -9; k <= 16; k++) {
    for (let i = 0; i < 2000; i++) out.push((p.next() - 0.5) * 10 ** k);
  }
  // near-ties at the 7th decimal, and short decimals
  for (let i = 0; i < 20000; i++) {
    const base = Math.floor(p.next() * 1e9) / 1e6;
    out.push(base + 5e-7, base - 5e-7, base + 4.999e-7, base + 0.25, Math.round(p.next() * 1e4) / 1e3);
  }
  return out.filter((v) => !isExactTie(v));
}

describe('formatters agree with toFixed away from exact ties', () => {
  const values = sampleValues();
  it('formatFixed6', () => {
    const bad = values.filter((v) => formatFixed6(v) !== v.toFixed(6));
    expect(bad.slice(0, 5).map((v) => [v, formatFixed6(v), v.toFixed(6)])).toEqual([]);
  });
  it('formatPlain', () => {
    const bad = values.filter((v) => formatPlain(v) !== trimmedToFixed(v));
    expect(bad.slice(0, 5).map((v) => [v, formatPlain(v), trimmedToFixed(v)])).toEqual([]);
  });
});

describe('formatPlain', () => {
  it('prints integers without a decimal point or exponent', () => {
    expect(formatPlain(0)).toBe('0');
    expect(formatPlain(-0)).toBe('0');
    expect(formatPlain(4)).toBe('4');
    expect(formatPlain(-17)).toBe('-17');
    expect(formatPlain(1391745780)).toBe('1391745780');
    expect(formatPlain(2 ** 53)).toBe('9007199254740992');
    expect(formatPlain(1e21)).toBe('1000000000000000000000');
    expect(formatPlain(-1e22)).toBe('-10000000000000000000000');
  });

  it('prints other values with up to 6 decimals, trailing zeros trimmed', () => {
    expect(formatPlain(29.5)).toBe('29.5');
    expect(formatPlain(48.25)).toBe('48.25');
    expect(formatPlain(1 / 3)).toBe('0.333333');
    expect(formatPlain(2 / 3)).toBe('0.666667');
    expect(formatPlain(0.1)).toBe('0.1');
    expect(formatPlain(-2.5)).toBe('-2.5');
    expect(formatPlain(1.0000001)).toBe('1');
    expect(formatPlain(-0.0000001)).toBe('0');
    expect(formatPlain(0.000001)).toBe('0.000001');
    expect(formatPlain(123456.75)).toBe('123456.75');
    expect(formatPlain(4503599627370495.5)).toBe('4503599627370495.5');
  });

  it('rounds exact ties half to even like Go', () => {
    expect(formatPlain(0.0078125)).toBe('0.007812');
    expect(formatPlain(0.0234375)).toBe('0.023438');
  });
});

describe('formatFixed6', () => {
  it('prints exactly 6 decimals', () => {
    expect(formatFixed6(0)).toBe('0.000000');
    expect(formatFixed6(-0)).toBe('0.000000');
    expect(formatFixed6(4)).toBe('4.000000');
    expect(formatFixed6(31.5)).toBe('31.500000');
    expect(formatFixed6(14.256577429383253)).toBe('14.256577');
    expect(formatFixed6(4 / 42)).toBe('0.095238');
    expect(formatFixed6(2 / 3)).toBe('0.666667');
    expect(formatFixed6(-1.25)).toBe('-1.250000');
    expect(formatFixed6(1e21)).toBe('1000000000000000000000.000000');
  });

  it('rounds exact ties half to even like Go %.6f', () => {
    // Python/Go: '%.6f' % 0.0078125 == '0.007812'; JS toFixed gives '0.007813'
    expect(formatFixed6(0.0078125)).toBe('0.007812');
    expect(formatFixed6(0.0234375)).toBe('0.023438');
    expect(formatFixed6(-0.0078125)).toBe('-0.007812');
    expect(formatFixed6(1.0078125)).toBe('1.007812');
    expect(formatFixed6(123456789.0078125)).toBe('123456789.007812');
  });
});
