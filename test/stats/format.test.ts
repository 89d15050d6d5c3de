import { describe, expect, it } from 'vitest';
import { formatFixed6, formatPlain, formatStatValue, writeFixed6, writePlain } from '../../src/stats/format.js';
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
    expect(formatPlain(2 ** 53 + 2)).toBe('9007199254740994');
    expect(formatPlain(999999999999999900000)).toBe('999999999999999900000'); // 21 digits: still plain
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
    expect(formatFixed6(1e20)).toBe('100000000000000000000.000000');
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

describe('beyond 21 digits: exponent form (spec section 4)', () => {
  it('prints 1e21 and more in the shortest exponent form that reads back, in both forms', () => {
    for (const f of [formatPlain, formatFixed6]) {
      expect(f(1e21)).toBe('1e+21');
      expect(f(-1e22)).toBe('-1e+22');
      expect(f(1e308)).toBe('1e+308');
      expect(f(Number.MAX_VALUE)).toBe('1.7976931348623157e+308');
      expect(f(1.5e300)).toBe('1.5e+300');
      expect(f(123456789012345678901234)).toBe('1.2345678901234569e+23');
    }
  });

  it('never prints more than 29 characters (sign, 21 digits, 6 decimals) for any finite double, and reads back to a close value', () => {
    const p = new Prng(99);
    for (let k = -320; k <= 308; k++) {
      for (let i = 0; i < 20; i++) {
        const v = (p.next() * 9 + 1) * 10 ** k * (i % 2 ? -1 : 1);
        if (!Number.isFinite(v)) continue;
        for (const f of [formatPlain, formatFixed6]) {
          const s = f(v);
          expect(s.length, `${f.name}(${v}) = ${s}`).toBeLessThanOrEqual(29);
          expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(Math.max(5e-7, Math.abs(v) * 1e-15));
        }
      }
    }
  });

  it('the byte printers decline there, so the string is printed', () => {
    const buf = Buffer.alloc(64);
    for (const v of [1e21, -1e21, 1e308, 2 ** 53]) {
      expect(writePlain(v, buf, 0)).toBe(-1);
      expect(writeFixed6(v, buf, 0)).toBe(-1);
    }
  });
});

describe('formatStatValue (internal statistics)', () => {
  it('prints what formatPlain prints, ties half to even included', () => {
    for (const v of [0, 3, -2, 29.5, 1 / 3, 0.0078125, 1e21, 2 ** 60]) expect(formatStatValue(v)).toBe(formatPlain(v));
  });
  it('prints 0 for a value not measured yet', () => {
    for (const v of [NaN, Infinity, -Infinity]) expect(formatStatValue(v)).toBe('0');
  });
});
