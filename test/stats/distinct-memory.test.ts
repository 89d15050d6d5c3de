// Memory of the distinct statistic, measured on the V8 heap (plus array buffers) after a full GC:
// a key with a handful of values stays in the sparse form, a few hundred bytes; a key at full
// precision holds one dense sketch of 4-bit registers in its first window (the total is the window
// until a window closes), two (its window and its total) after.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { getZone } from '../../src/parse/date-zone.js';
import { Distinct } from '../../src/stats/distinct.js';
import { Hll } from '../../src/stats/hll.js';
import { WindowCalendar } from '../../src/stats/window.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap + array-buffer bytes retained by what `make` returns, per item. */
function bytesPer<T>(n: number, make: (i: number) => T): { measured: number; kept: T[] } {
  for (let i = 0; i < 50; i++) make(-1 - i); // compiled code and caches are not the items' cost
  gc();
  gc();
  gc();
  const before = process.memoryUsage();
  const kept: T[] = [];
  for (let i = 0; i < n; i++) kept.push(make(i));
  gc();
  gc();
  const after = process.memoryUsage();
  const used = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  return { measured: (used - 8 * n) / n, kept }; // less the array that keeps them alive
}

const cal = new WindowCalendar(getZone('UTC'), 1440);
const T0 = Date.parse('2026-03-15T00:00:00Z') / 1000;

describe('bytes per key', () => {
  it('100,000 keys with 10 distinct values each: under 1 KB a key', () => {
    const { measured, kept } = bytesPer(100_000, (k) => {
      const d = new Distinct(cal);
      for (let v = 0; v < 10; v++) d.add(`10.0.${k % 256}.${v}`, T0 + v);
      return d;
    });
    const estimated = kept[0]!.bytes();
    console.log(`10 values: ${measured.toFixed(0)} bytes a key measured, ${estimated} estimated by bytes(); 100,000 keys: ${(measured * 1e5 / 2 ** 20).toFixed(1)} MB`);
    expect(kept[7]!.count).toBe(10);
    expect(measured).toBeLessThan(1024);
    expect(Math.abs(estimated - measured) / measured).toBeLessThan(0.2);
  });

  it('a dense sketch at p = 14 costs 8 KB of registers and under 9 KB in all; a key holds one in its first window, two after', () => {
    const sketch = bytesPer(1000, (k) => {
      const h = new Hll();
      for (let v = 0; v < 3000; v++) h.add(`${k}:${v}`);
      return h;
    });
    expect(sketch.kept[0]!.isSparse).toBe(false);
    const first = bytesPer(1000, (k) => {
      const d = new Distinct(cal);
      for (let v = 0; v < 3000; v++) d.add(`${k}:${v}`, T0 + v);
      return d;
    });
    const key = bytesPer(1000, (k) => {
      const d = new Distinct(cal);
      for (let v = 0; v < 3000; v++) d.add(`${k}:${v}`, T0 + v);
      for (let v = 0; v < 3000; v++) d.add(`${k}:${v}`, T0 + 86400 + v); // the next day: window and total apart
      return d;
    });
    console.log(`full precision (p = 14): ${sketch.measured.toFixed(0)} bytes a sketch (${sketch.kept[0]!.bytes()} estimated), ` +
      `${first.measured.toFixed(0)} bytes a key in its first window (${first.kept[0]!.bytes()} estimated), ` +
      `${key.measured.toFixed(0)} bytes a key, window and total both dense (${key.kept[0]!.bytes()} estimated)`);
    expect(sketch.measured).toBeLessThan(9 * 1024);
    expect(first.measured).toBeLessThan(9.5 * 1024);
    expect(key.measured).toBeLessThan(18 * 1024);
    expect(key.measured).toBeGreaterThan(16 * 1024);
    expect(Math.abs(first.kept[0]!.bytes() - first.measured) / first.measured).toBeLessThan(0.1);
    expect(Math.abs(key.kept[0]!.bytes() - key.measured) / key.measured).toBeLessThan(0.1);
  });
});
