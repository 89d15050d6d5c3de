import { afterEach, describe, expect, it } from 'vitest';
import { compileDateParser, type DateParser } from '../../src/parse/date.js';

/** Epoch seconds of a UTC civil time (month 1..12), cross-checked against hand-written literals below. */
const U = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

const NOW = U(2026, 6, 15, 12); // a wall clock well inside 2026

/**
 * Parses with a cached and an uncached parser, twice each (the second call of the cached one hits its
 * cache), and checks all four agree before returning the value.
 */
function parse(format: string, text: string, tz = 'UTC', yearRef = NOW, wallNow = NOW): number {
  const cached = compileDateParser(format, tz);
  const plain = compileDateParser(format, tz, { cache: false });
  const a = cached.parse(text, yearRef, wallNow);
  const b = cached.parse(text, yearRef, wallNow);
  const c = plain.parse(text, yearRef, wallNow);
  const d = plain.parse(text, yearRef, wallNow);
  expect(Object.is(a, b) && Object.is(a, c) && Object.is(a, d), `${format} / ${text}: ${a} ${b} ${c} ${d}`).toBe(true);
  return a;
}

describe('hand-computed anchors', () => {
  it('U() agrees with literal epochs', () => {
    expect(U(2026, 2, 8, 4)).toBe(1770523200);
    expect(U(1970, 1, 1)).toBe(0);
    expect(U(2024, 2, 29, 12)).toBe(1709208000);
  });
});

describe('the brief\'s examples', () => {
  it('two spaces in the layout match one or more spaces in the value', () => {
    expect(parse('Jan  2 15:04:05', 'Feb  8 04:00:00')).toBe(1770523200);
    expect(parse('Jan  2 15:04:05', 'Feb 18 04:00:00')).toBe(1770523200 + 10 * 86400);
    expect(parse('Jan 2 15:04:05', 'Feb    8 04:00:00')).toBe(1770523200);
    expect(parse('Jan 2 15:04:05', 'Feb8 04:00:00')).toBeNaN(); // a layout space needs at least one
    expect(parse('2006-01-02 ', '2026-02-08')).toBe(U(2026, 2, 8)); // ...unless the value has ended (Go)
  });

  it('apache layouts with a numeric offset', () => {
    expect(parse('02/Jan/2006:15:04:05 -0700', '08/Feb/2026:04:00:00 +0000')).toBe(1770523200);
    expect(parse('2/Jan/2006:15:04:05 -0700', '08/Feb/2026:04:00:00 +0000')).toBe(1770523200);
    expect(parse('2/Jan/2006:15:04:05 -0700', '8/Feb/2026:04:00:00 +0000')).toBe(1770523200);
    expect(parse('02/Jan/2006:15:04:05 -0700', '08/Feb/2026:05:00:00 +0100')).toBe(1770523200);
    expect(parse('02/Jan/2006:15:04:05 -0700', '07/Feb/2026:21:00:00 -0700')).toBe(1770523200);
    // the offset wins over the configured zone
    expect(parse('02/Jan/2006:15:04:05 -0700', '08/Feb/2026:04:00:00 +0000', 'Europe/Paris')).toBe(1770523200);
  });

  it('2006-01-02T15:04:05.000Z07:00', () => {
    const L = '2006-01-02T15:04:05.000Z07:00';
    expect(parse(L, '2026-02-08T04:00:00.000Z')).toBe(1770523200);
    expect(parse(L, '2026-02-08T05:00:00.500+01:00')).toBe(1770523200.5);
    expect(parse(L, '2026-02-07T23:30:00.250-04:30')).toBe(1770523200.25);
    expect(parse(L, '2026-02-08T04:00:00Z')).toBeNaN(); // .000 demands three digits
    expect(parse(L, '2026-02-08T04:00:00.000z')).toBeNaN();
  });

  it('fractional seconds the layout does not mention', () => {
    expect(parse('2006-01-02 15:04:05', '2026-02-08 04:00:00.250')).toBe(1770523200.25);
    expect(parse('2006-01-02 15:04:05', '2026-02-08 04:00:00,5')).toBe(1770523200.5);
    expect(parse('2006-01-02 15:04:05', '2026-02-08 04:00:00.123456789012')).toBeCloseTo(1770523200.123456789, 6);
    expect(parse('Jan _2 15:04:05', 'Feb  8 04:00:00.250', 'UTC', NOW, NOW)).toBe(1770523200.25);
    expect(parse('2006-01-02 15:04:05', '2026-02-08 04:00:00.')).toBeNaN();
  });

  it('month and day names ignore case', () => {
    for (const m of ['Feb', 'feb', 'FEB', 'fEb']) expect(parse('Jan 2 2006', `${m} 8 2026`)).toBe(U(2026, 2, 8));
    for (const m of ['February', 'february', 'FEBRUARY']) expect(parse('January 2 2006', `${m} 8 2026`)).toBe(U(2026, 2, 8));
    expect(parse('Mon Jan 2 2006', 'sUN feb 8 2026')).toBe(U(2026, 2, 8));
    expect(parse('Monday Jan 2 2006', 'SUNDAY Feb 8 2026')).toBe(U(2026, 2, 8));
  });

  it('failures', () => {
    const L = '2006-01-02 15:04:05';
    expect(parse(L, '2026-02-08 04:00:00 extra')).toBeNaN();
    expect(parse(L, '2026-02-08 04:00:00 ')).toBeNaN();
    expect(parse(L, ' 2026-02-08 04:00:00')).toBeNaN();
    expect(parse(L, '2026-13-08 04:00:00')).toBeNaN();
    expect(parse(L, '2026-00-08 04:00:00')).toBeNaN();
    expect(parse(L, '2026-02-30 04:00:00')).toBeNaN();
    expect(parse(L, '2026-02-29 04:00:00')).toBeNaN();
    expect(parse(L, '2024-02-29 04:00:00')).toBe(U(2024, 2, 29, 4));
    expect(parse(L, '2026-04-31 04:00:00')).toBeNaN();
    expect(parse(L, '2026-02-00 04:00:00')).toBeNaN();
    expect(parse(L, '2026-02-08 24:00:00')).toBeNaN();
    expect(parse(L, '2026-02-08 04:60:00')).toBeNaN();
    expect(parse(L, '2026-02-08 04:00:60')).toBeNaN();
    expect(parse(L, '')).toBeNaN();
    expect(parse(L, '2026-02-08')).toBeNaN();
    expect(parse('Jan 2 2006', 'Foo 8 2026')).toBeNaN();
    expect(parse('Jan 2 2006', 'February 8 2026')).toBeNaN(); // "Feb" then "ruary" is extra
    expect(parse('Jan _2 15:04:05', '', 'UTC')).toBeNaN();
  });
});

describe('every layout element', () => {
  it('2006 and 06', () => {
    expect(parse('2006-01-02', '2026-02-08')).toBe(U(2026, 2, 8));
    expect(parse('2006-01-02', '0999-02-08')).toBe(U(999, 2, 8));
    expect(parse('2006-01-02', '+026-02-08')).toBeNaN();
    expect(parse('02/01/06', '08/02/26')).toBe(U(2026, 2, 8));
    expect(parse('02/01/06', '08/02/68')).toBe(U(2068, 2, 8));
    expect(parse('02/01/06', '08/02/69')).toBe(U(1969, 2, 8));
    expect(parse('02/01/06', '08/02/2')).toBeNaN();
    expect(parse('_2006', '_2026')).toBe(U(2026, 1, 1)); // "_2006" is a literal _ then the year
  });

  it('1 and 01', () => {
    expect(parse('1/2/2006', '2/8/2026')).toBe(U(2026, 2, 8));
    expect(parse('1/2/2006', '02/08/2026')).toBe(U(2026, 2, 8));
    expect(parse('1/2/2006', '12/8/2026')).toBe(U(2026, 12, 8));
    expect(parse('01/02/2006', '2/08/2026')).toBeNaN();
    expect(parse('01/02/2006', '02/08/2026')).toBe(U(2026, 2, 8));
  });

  it('2, _2 and 02', () => {
    expect(parse('Jan 2 2006', 'Feb 8 2026')).toBe(U(2026, 2, 8));
    expect(parse('Jan 2 2006', 'Feb 18 2026')).toBe(U(2026, 2, 18));
    expect(parse('Jan _2 2006', 'Feb  8 2026')).toBe(U(2026, 2, 8));
    expect(parse('Jan _2 2006', 'Feb 8 2026')).toBe(U(2026, 2, 8));
    expect(parse('Jan _2 2006', 'Feb 18 2026')).toBe(U(2026, 2, 18));
    expect(parse('2006-01-_2', '2026-02- 8')).toBe(U(2026, 2, 8));
    expect(parse('2006-01-_2', '2026-02-8')).toBe(U(2026, 2, 8));
    expect(parse('Jan 02 2006', 'Feb 08 2026')).toBe(U(2026, 2, 8));
    expect(parse('Jan 02 2006', 'Feb 8 2026')).toBeNaN();
  });

  it('002 and __2 (day of year)', () => {
    expect(parse('2006 002', '2026 039')).toBe(U(2026, 2, 8));
    expect(parse('2006 002', '2026 39')).toBeNaN();
    expect(parse('2006.__2', '2026. 39')).toBe(U(2026, 2, 8));
    expect(parse('2006.__2', '2026.  9')).toBe(U(2026, 1, 9));
    expect(parse('2006.__2', '2026.365')).toBe(U(2026, 12, 31));
    expect(parse('2006 002', '2024 060')).toBe(U(2024, 2, 29));
    expect(parse('2006 002', '2024 366')).toBe(U(2024, 12, 31));
    expect(parse('2006 002', '2026 366')).toBeNaN();
    expect(parse('2006 002', '2026 000')).toBeNaN();
    expect(parse('2006-01 002', '2026-02 039')).toBe(U(2026, 2, 8));
    expect(parse('2006-01 002', '2026-03 039')).toBeNaN();
  });

  it('15, 3, 03 with PM and pm', () => {
    expect(parse('2006-01-02 15:04', '2026-02-08 4:05')).toBe(U(2026, 2, 8, 4, 5));
    expect(parse('2006-01-02 3:04PM', '2026-02-08 4:05PM')).toBe(U(2026, 2, 8, 16, 5));
    expect(parse('2006-01-02 3:04PM', '2026-02-08 4:05AM')).toBe(U(2026, 2, 8, 4, 5));
    expect(parse('2006-01-02 3:04PM', '2026-02-08 12:05AM')).toBe(U(2026, 2, 8, 0, 5));
    expect(parse('2006-01-02 3:04PM', '2026-02-08 12:05PM')).toBe(U(2026, 2, 8, 12, 5));
    expect(parse('2006-01-02 3:04PM', '2026-02-08 13:05PM')).toBeNaN();
    expect(parse('2006-01-02 3:04PM', '2026-02-08 4:05pm')).toBeNaN(); // PM is upper case only
    expect(parse('2006-01-02 03:04pm', '2026-02-08 04:05pm')).toBe(U(2026, 2, 8, 16, 5));
    expect(parse('2006-01-02 03:04pm', '2026-02-08 4:05pm')).toBeNaN();
  });

  it('4, 04, 5, 05', () => {
    expect(parse('2006-01-02 15:4:5', '2026-02-08 04:7:9')).toBe(U(2026, 2, 8, 4, 7, 9));
    expect(parse('2006-01-02 15:4:5', '2026-02-08 04:17:39')).toBe(U(2026, 2, 8, 4, 17, 39));
    expect(parse('2006-01-02 15:04:05', '2026-02-08 04:7:09')).toBeNaN();
    expect(parse('2006-01-02 15:04:05', '2026-02-08 04:07:9')).toBeNaN();
  });

  it('MST: UTC, the configured zone\'s abbreviations, anything else as UTC', () => {
    const L = 'Mon Jan _2 15:04:05 MST 2006';
    expect(parse(L, 'Sun Feb  8 04:00:00 UTC 2026', 'Europe/Paris')).toBe(1770523200);
    expect(parse(L, 'Sun Feb  8 04:00:00 XYZ 2026')).toBe(1770523200);
    expect(parse(L, 'Sun Feb  8 04:00:00 GMT+3 2026')).toBe(1770523200);
    expect(parse(L, 'Sun Feb  8 04:00:00 ChST 2026')).toBe(1770523200);
    expect(parse(L, 'Sun Feb  7 23:00:00 EST 2026', 'America/New_York')).toBe(1770523200);
    expect(parse(L, 'Sun Feb  8 00:00:00 EDT 2026', 'America/New_York')).toBe(1770523200);
    expect(parse(L, 'Wed Jul  1 14:00:00 CEST 2026', 'Europe/Paris')).toBe(U(2026, 7, 1, 12));
    expect(parse(L, 'Sun Feb  8 05:00:00 CET 2026', 'Europe/Paris')).toBe(1770523200);
    expect(parse(L, 'Sun Feb  8 04:00:00 EST 2026', 'UTC')).toBe(1770523200);
    expect(parse(L, 'Sun Feb  8 04:00:00 Xy 2026')).toBeNaN();
    expect(parse(L, 'Sun Feb  8 04:00:00 ABCDEF 2026')).toBeNaN();
    expect(parse(L, 'Xyz Feb  8 04:00:00 UTC 2026')).toBeNaN();
    expect(parse(L, 'Mon Feb  8 04:00:00 UTC 2026')).toBe(1770523200); // the weekday is not checked
  });

  it('Z0700, Z07:00, Z07, Z070000, Z07:00:00', () => {
    const base = '2006-01-02 15:04:05 ';
    expect(parse(`${base}Z0700`, '2026-02-08 04:00:00 Z')).toBe(1770523200);
    expect(parse(`${base}Z0700`, '2026-02-08 05:30:00 +0130')).toBe(1770523200);
    expect(parse(`${base}Z07:00`, '2026-02-08 05:30:00 +01:30')).toBe(1770523200);
    expect(parse(`${base}Z07:00`, '2026-02-08 05:30:00 +0130')).toBeNaN();
    expect(parse(`${base}Z07`, '2026-02-08 02:00:00 -02')).toBe(1770523200);
    expect(parse(`${base}Z070000`, '2026-02-08 02:29:30 -013030')).toBe(1770523200);
    expect(parse(`${base}Z07:00:00`, '2026-02-08 05:30:30 +01:30:30')).toBe(1770523200);
    expect(parse(`${base}Z07:00:00`, '2026-02-08 04:00:00 Z')).toBe(1770523200);
    expect(parse(`${base}Z0700`, '2026-02-08 04:00:00 z')).toBeNaN();
  });

  it('-0700, -07:00, -07, -070000, -07:00:00', () => {
    const base = '2006-01-02 15:04:05 ';
    expect(parse(`${base}-0700`, '2026-02-07 21:00:00 -0700')).toBe(1770523200);
    expect(parse(`${base}-0700`, '2026-02-08 04:00:00 Z')).toBeNaN();
    expect(parse(`${base}-0700`, '2026-02-08 04:00:00 0700')).toBeNaN();
    expect(parse(`${base}-0700`, '2026-02-08 04:00:00 +2500')).toBeNaN();
    expect(parse(`${base}-0700`, '2026-02-08 04:00:00 +2400')).toBe(1770523200 - 86400); // Go allows 24
    expect(parse(`${base}-07:00`, '2026-02-08 09:30:00 +05:30')).toBe(1770523200);
    expect(parse(`${base}-07`, '2026-02-08 13:00:00 +09')).toBe(1770523200);
    expect(parse(`${base}-070000`, '2026-02-08 04:00:10 +000010')).toBe(1770523200);
    expect(parse(`${base}-07:00:00`, '2026-02-08 03:59:50 -00:00:10')).toBe(1770523200);
  });

  it('fractions .0, .000, ,000, .9, .999', () => {
    const base = '2006-01-02 15:04:05';
    expect(parse(`${base}.000`, '2026-02-08 04:00:00.250')).toBe(1770523200.25);
    expect(parse(`${base}.000`, '2026-02-08 04:00:00,250')).toBe(1770523200.25); // either separator, as Go
    expect(parse(`${base},000`, '2026-02-08 04:00:00,250')).toBe(1770523200.25);
    expect(parse(`${base}.000`, '2026-02-08 04:00:00.25')).toBeNaN();
    expect(parse(`${base}.000`, '2026-02-08 04:00:00.2500')).toBeNaN();
    expect(parse(`${base}.0`, '2026-02-08 04:00:00.5')).toBe(1770523200.5);
    expect(parse(`${base}.999`, '2026-02-08 04:00:00')).toBe(1770523200);
    expect(parse(`${base}.999`, '2026-02-08 04:00:00.5')).toBe(1770523200.5);
    expect(parse(`${base}.999`, '2026-02-08 04:00:00.123456')).toBeCloseTo(1770523200.123456, 6);
    expect(parse(`${base}.9`, '2026-02-08 04:00:00.75')).toBe(1770523200.75);
    expect(parse(`${base}.000000000`, '2026-02-08 04:00:00.000000001')).toBeCloseTo(1770523200, 6);
  });

  it('literal text around elements', () => {
    expect(parse('[02/Jan/2006:15:04:05 -0700]', '[08/Feb/2026:04:00:00 +0000]')).toBe(1770523200);
    expect(parse('[02/Jan/2006:15:04:05 -0700]', '(08/Feb/2026:04:00:00 +0000]')).toBeNaN();
    expect(parse('date=2006-01-02T15:04:05', 'date=2026-02-08T04:00:00')).toBe(1770523200);
    expect(parse('date=2006-01-02T15:04:05', 'date=2026-02-08t04:00:00')).toBeNaN();
  });
});

describe('unix, unix_ms, rfc3339', () => {
  it('unix', () => {
    expect(parse('unix', '1770523200')).toBe(1770523200);
    expect(parse('unix', '1770523200.25')).toBe(1770523200.25);
    expect(parse('unix', '-1.5')).toBe(-1.5);
    expect(parse('unix', '0')).toBe(0);
    for (const bad of ['', '-', 'abc', '1e9', ' 1', '1 ', '1.', '.5', '0x10', '+1', '1,5', 'Infinity']) {
      expect(parse('unix', bad), bad).toBeNaN();
    }
    expect(compileDateParser('unix', 'UTC').hasYear).toBe(true);
  });

  it('unix_ms', () => {
    expect(parse('unix_ms', '1770523200250')).toBe(1770523200.25);
    expect(parse('unix_ms', '1770523200250.5')).toBeCloseTo(1770523200.2505, 6);
    expect(parse('unix_ms', '1770523200250x')).toBeNaN();
    expect(parse('UNIX_MS', '1770523200000')).toBe(1770523200);
  });

  it('rfc3339 as Go parses it', () => {
    expect(parse('rfc3339', '2026-02-08T04:00:00Z')).toBe(1770523200);
    expect(parse('rfc3339', '2026-02-08T05:00:00+01:00')).toBe(1770523200);
    expect(parse('rfc3339', '2026-02-08T04:00:00.5Z')).toBe(1770523200.5);
    expect(parse('rfc3339', '2026-02-08T04:00:00,5Z')).toBe(1770523200.5);
    expect(parse('rfc3339', '2026-02-08T04:00:00.123456789Z')).toBeCloseTo(1770523200.123456789, 6);
    expect(parse('rfc3339', '2026-02-08t04:00:00Z')).toBeNaN();
    expect(parse('rfc3339', '2026-02-08T04:00:00z')).toBeNaN();
    expect(parse('rfc3339', '2026-02-08 04:00:00Z')).toBeNaN();
    expect(parse('rfc3339', '2026-02-08T04:00:00')).toBeNaN();
    expect(parse('rfc3339', '2026-02-08T04:00:00+0100')).toBeNaN();
    // the configured zone does not apply: the offset is mandatory
    expect(parse('rfc3339', '2026-02-08T04:00:00Z', 'America/New_York')).toBe(1770523200);
  });
});

describe('time zones', () => {
  const L = '2006-01-02 15:04:05';

  it('UTC, Europe/Paris and America/New_York, winter and summer', () => {
    expect(parse(L, '2026-01-15 12:00:00', 'UTC')).toBe(U(2026, 1, 15, 12));
    expect(parse(L, '2026-01-15 12:00:00', 'Europe/Paris')).toBe(U(2026, 1, 15, 11));
    expect(parse(L, '2026-07-15 12:00:00', 'Europe/Paris')).toBe(U(2026, 7, 15, 10));
    expect(parse(L, '2026-01-15 12:00:00', 'America/New_York')).toBe(U(2026, 1, 15, 17));
    expect(parse(L, '2026-07-15 12:00:00', 'America/New_York')).toBe(U(2026, 7, 15, 16));
    expect(parse(L, '2026-07-15 12:00:00', 'Asia/Kolkata')).toBe(U(2026, 7, 15, 6, 30));
  });

  it('Europe/Paris across its 2026 changes (29 Mar 01:00Z, 25 Oct 01:00Z)', () => {
    const P = 'Europe/Paris';
    expect(parse(L, '2026-03-29 01:59:59', P)).toBe(U(2026, 3, 29, 0, 59, 59));
    expect(parse(L, '2026-03-29 03:00:00', P)).toBe(U(2026, 3, 29, 1));
    expect(parse(L, '2026-03-29 02:30:00', P)).toBe(U(2026, 3, 29, 1, 30)); // skipped: Go gives 03:30 CEST
    expect(parse(L, '2026-10-25 01:30:00', P)).toBe(U(2026, 10, 24, 23, 30));
    expect(parse(L, '2026-10-25 02:30:00', P)).toBe(U(2026, 10, 25, 1, 30)); // repeated: Go gives CET
    expect(parse(L, '2026-10-25 03:00:00', P)).toBe(U(2026, 10, 25, 2));
  });

  it('America/New_York across its 2026 changes (8 Mar 07:00Z, 1 Nov 06:00Z)', () => {
    const N = 'America/New_York';
    expect(parse(L, '2026-03-08 01:59:59', N)).toBe(U(2026, 3, 8, 6, 59, 59));
    expect(parse(L, '2026-03-08 03:00:00', N)).toBe(U(2026, 3, 8, 7));
    expect(parse(L, '2026-03-08 02:30:00', N)).toBe(U(2026, 3, 8, 6, 30)); // skipped: Go gives 01:30 EST
    expect(parse(L, '2026-11-01 01:30:00', N)).toBe(U(2026, 11, 1, 5, 30)); // repeated: Go gives EDT
    expect(parse(L, '2026-11-01 02:00:00', N)).toBe(U(2026, 11, 1, 7));
    expect(parse(L, '2026-11-01 00:59:59', N)).toBe(U(2026, 11, 1, 4, 59, 59));
  });

  it('a zone walks through a whole year of hourly stamps in order', () => {
    const p = compileDateParser(L, 'Europe/Paris');
    // wall time in Paris from Intl, independent of the parser's tables
    const paris = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    let prev = -Infinity;
    for (let t = U(2026, 1, 1); t < U(2027, 1, 1); t += 3600) {
      const parts = Object.fromEntries(paris.formatToParts(t * 1000).map((x) => [x.type, x.value]));
      const text = `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}`;
      const got = p.parse(text, NaN, NaN);
      // only the repeated hour (25 Oct, 02:xx) is ambiguous: Go takes the later (CET) instant for both
      expect(got, text).toBe(t === U(2026, 10, 25, 0) ? t + 3600 : t);
      expect(got).toBeGreaterThanOrEqual(prev);
      prev = got;
    }
  });

  describe("'local' follows TZ", () => {
    const saved = process.env['TZ'];
    afterEach(() => {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    });

    for (const tz of ['America/New_York', 'Europe/Paris', 'UTC', 'Asia/Kolkata']) {
      it(`TZ=${tz}`, () => {
        process.env['TZ'] = tz; // Node re-reads the zone when TZ is assigned
        for (const [mo, d, h] of [[1, 15, 12], [7, 15, 12], [3, 29, 4], [11, 1, 3]] as const) {
          const text = `2026-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')} ${String(h).padStart(2, '0')}:00:00`;
          const want = new Date(2026, mo - 1, d, h).getTime() / 1000;
          expect(parse(L, text, 'local'), `${tz} ${text}`).toBe(want);
          expect(parse(L, text, 'local')).toBe(parse(L, text, tz));
        }
      });
    }

    it('New York local differs from UTC by the hand-computed 5 h in winter', () => {
      process.env['TZ'] = 'America/New_York';
      expect(parse(L, '2026-02-07 23:00:00', 'local')).toBe(1770523200);
    });
  });
});

describe('year-less layouts (syslog)', () => {
  const S = 'Jan _2 15:04:05';
  const y = (text: string, yearRef: number, wallNow: number, tz = 'UTC'): number => parse(S, text, tz, yearRef, wallNow);

  it('hasYear', () => {
    expect(compileDateParser(S, 'UTC').hasYear).toBe(false);
    expect(compileDateParser('2006-01-02', 'UTC').hasYear).toBe(true);
    expect(compileDateParser('02/01/06', 'UTC').hasYear).toBe(true);
    expect(compileDateParser('rfc3339', 'UTC').hasYear).toBe(true);
  });

  it('the current year when nothing else applies', () => {
    expect(y('Feb  8 04:00:00', NOW, NOW)).toBe(1770523200);
    expect(y('Jun 15 11:00:00', NOW, NOW)).toBe(U(2026, 6, 15, 11));
    expect(y('Jul 15 11:00:00', NOW, NOW)).toBe(U(2025, 7, 15, 11)); // a month ahead of NOW (June 15)
  });

  it('December lines read in January stay in December', () => {
    const wall = U(2027, 1, 2, 10);
    expect(y('Dec 31 23:59:00', wall, wall)).toBe(U(2026, 12, 31, 23, 59));
    expect(y('Dec 20 08:00:00', wall, wall)).toBe(U(2026, 12, 20, 8));
    expect(y('Jan  2 09:00:00', wall, wall)).toBe(U(2027, 1, 2, 9));
  });

  it('Dec 31 -> Jan 1 within one file goes to the next year', () => {
    const newest = U(2026, 12, 31, 23, 59);
    // live: the wall clock is just past midnight
    expect(y('Jan  1 00:00:10', newest, U(2027, 1, 1, 0, 0, 20))).toBe(U(2027, 1, 1, 0, 0, 10));
    // live, the log a little ahead of the wall clock (still within a day)
    expect(y('Jan  1 00:00:10', newest, U(2026, 12, 31, 23, 59, 30))).toBe(U(2027, 1, 1, 0, 0, 10));
    // replayed weeks later
    expect(y('Jan  1 00:00:10', newest, U(2027, 3, 1))).toBe(U(2027, 1, 1, 0, 0, 10));
  });

  it('replayed long after: a slightly older line after New Year stays in the old year', () => {
    // newest seen Jan 10 2027, wall clock a year later: Dec 20 2027 is allowed but Dec 20 2026 is closer
    expect(y('Dec 20 12:00:00', U(2027, 1, 10), U(2028, 3, 1))).toBe(U(2026, 12, 20, 12));
    expect(y('Jan 20 12:00:00', U(2026, 12, 20), U(2028, 3, 1))).toBe(U(2027, 1, 20, 12));
  });

  it('a gap of 40 days does not move a line to another year', () => {
    const wall = U(2027, 3, 1);
    expect(y('Dec 30 12:00:00', U(2026, 11, 20), wall)).toBe(U(2026, 12, 30, 12));
    expect(y('Jan 29 12:00:00', U(2026, 12, 20, 12), wall)).toBe(U(2027, 1, 29, 12));
    expect(y('Nov 10 12:00:00', U(2026, 12, 20, 12), wall)).toBe(U(2026, 11, 10, 12)); // older line, same year
  });

  it('a line more than a day past the wall clock goes to the previous year', () => {
    const wall = U(2026, 3, 1);
    expect(y('Mar  5 00:00:00', wall, wall)).toBe(U(2025, 3, 5));
    expect(y('Mar  1 12:00:00', wall, wall)).toBe(U(2026, 3, 1, 12));
    expect(y('Mar  2 00:00:00', wall, wall)).toBe(U(2026, 3, 2)); // exactly one day: allowed
    expect(y('Mar  2 00:00:01', wall, wall)).toBe(U(2025, 3, 2, 0, 0, 1));
  });

  it('29 February only in leap years', () => {
    expect(y('Feb 29 12:00:00', U(2027, 3, 1), U(2027, 3, 1))).toBe(U(2024, 2, 29, 12));
    expect(y('Feb 29 12:00:00', U(2028, 3, 10), U(2028, 3, 10))).toBe(U(2028, 2, 29, 12));
    expect(y('Feb 29 12:00:00', U(2028, 2, 1), U(2028, 2, 1))).toBe(U(2024, 2, 29, 12)); // 2028's is in the future
    expect(y('Feb 30 12:00:00', U(2028, 3, 10), U(2028, 3, 10))).toBeNaN();
  });

  it('a NaN yearRef falls back to the wall clock', () => {
    expect(y('Feb  8 04:00:00', NaN, NOW)).toBe(1770523200);
    expect(y('Feb  8 04:00:00', NaN, NaN)).toBeNaN();
  });

  it('year inference in a zone with DST', () => {
    const wall = U(2027, 1, 2);
    expect(y('Dec 31 23:30:00', wall, wall, 'Europe/Paris')).toBe(U(2026, 12, 31, 22, 30));
    expect(y('Jul  1 12:00:00', wall, wall, 'America/New_York')).toBe(U(2026, 7, 1, 16));
  });

  it('day of year without a year uses the inferred year', () => {
    expect(parse('002 15:04:05', '060 12:00:00', 'UTC', U(2024, 6, 1), U(2024, 6, 1))).toBe(U(2024, 2, 29, 12));
    expect(parse('002 15:04:05', '060 12:00:00', 'UTC', U(2026, 6, 1), U(2026, 6, 1))).toBe(U(2026, 3, 1, 12));
  });
});

describe('the one-entry cache changes nothing', () => {
  const run = (p: DateParser, calls: Array<[string, number, number]>): number[] => calls.map(([t, r, w]) => p.parse(t, r, w));

  it('same text with a yearRef in another year is recomputed', () => {
    const cached = compileDateParser('Jan _2 15:04:05', 'UTC');
    expect(cached.parse('Jan  1 00:00:10', U(2026, 12, 31, 23), U(2027, 2, 1))).toBe(U(2027, 1, 1, 0, 0, 10));
    expect(cached.parse('Jan  1 00:00:10', U(2026, 6, 1), U(2026, 6, 1))).toBe(U(2026, 1, 1, 0, 0, 10));
    expect(cached.parse('Jan  1 00:00:10', U(2026, 12, 31, 23), U(2027, 2, 1))).toBe(U(2027, 1, 1, 0, 0, 10));
    // same year of yearRef, different wall clock: the future rule still applies
    expect(cached.parse('Mar  5 00:00:00', U(2026, 3, 1), U(2026, 3, 1))).toBe(U(2025, 3, 5));
    expect(cached.parse('Mar  5 00:00:00', U(2026, 3, 1), U(2026, 3, 10))).toBe(U(2026, 3, 5));
  });

  it('same text, yearRef years apart: candidates follow yearRef', () => {
    const cached = compileDateParser('Jan _2 15:04:05', 'UTC');
    expect(cached.parse('Jun  1 00:00:00', U(2026, 6, 1), U(2030, 1, 1))).toBe(U(2026, 6, 1));
    expect(cached.parse('Jun  1 00:00:00', U(2029, 6, 1), U(2030, 1, 1))).toBe(U(2029, 6, 1));
    expect(cached.parse('Jun  1 00:00:00', U(2020, 6, 1), U(2030, 1, 1))).toBe(U(2020, 6, 1));
  });

  it('a stream of lines gives identical results with and without the cache', () => {
    const texts = ['Dec 31 23:59:58', 'Dec 31 23:59:59', 'Dec 31 23:59:59', 'Jan  1 00:00:00', 'Jan  1 00:00:00',
      'bad', 'bad', 'Feb 29 00:00:00', 'Feb 29 00:00:00', 'Mar  1 00:00:00', 'Mar  1 00:00:00.5', 'Mar  1 00:00:00.5'];
    const calls: Array<[string, number, number]> = [];
    let ref = U(2023, 12, 31, 23);
    for (let i = 0; i < 200; i++) {
      const t = texts[i % texts.length]!;
      const wall = ref + (i % 7) * 40000;
      calls.push([t, ref, wall]);
      if (i % 5 === 0) ref += 86400 * 37;
    }
    for (const tz of ['UTC', 'Europe/Paris', 'America/New_York']) {
      const a = run(compileDateParser('Jan _2 15:04:05', tz), calls);
      const b = run(compileDateParser('Jan _2 15:04:05', tz, { cache: false }), calls);
      expect(a).toEqual(b);
      expect(a.filter((x) => !Number.isNaN(x)).length).toBeGreaterThan(100);
    }
    const withYear = calls.map(([t, r, w]): [string, number, number] => [`2024 ${t}`, r, w]);
    const a = run(compileDateParser('2006 Jan _2 15:04:05', 'Europe/Paris'), withYear);
    const b = run(compileDateParser('2006 Jan _2 15:04:05', 'Europe/Paris', { cache: false }), withYear);
    expect(a).toEqual(b);
  });
});

describe('configuration errors', () => {
  it('invalid layouts', () => {
    expect(() => compileDateParser('', 'UTC')).toThrow(/empty date format/);
    expect(() => compileDateParser('   ', 'UTC')).toThrow(/empty date format/);
    expect(() => compileDateParser('%Y-%m-%d %H:%M:%S', 'UTC')).toThrow(/no Go layout element/);
    expect(() => compileDateParser('yyyy-MM-dd HH:mm:ss', 'UTC')).toThrow(/no Go layout element/);
    expect(() => compileDateParser('15:04:05', 'UTC')).toThrow(/no date/);
  });

  it('unknown time zones', () => {
    expect(() => compileDateParser('2006-01-02', 'Mars/Olympus_Mons')).toThrow(/unknown timezone "Mars\/Olympus_Mons"/);
    expect(() => compileDateParser('2006-01-02', '')).toThrow(/unknown timezone/);
    expect(() => compileDateParser('unix', 'Nowhere')).toThrow(/unknown timezone/);
    expect(() => compileDateParser('2006-01-02', 'America/New_York')).not.toThrow();
  });
});
