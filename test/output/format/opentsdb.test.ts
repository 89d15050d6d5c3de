import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../../src/output/push/backoff.js';
import {
  decodeLines, encodeHttpBody, encodeLine, invalidReason, LineCaches, LineWriter, packDatagrams, parseTags, toJsonPoint,
} from '../../../src/output/format/opentsdb.js';
import { PointList } from '../../../src/output/pointlist.js';
import { formatFixed6, formatPlain, writeFixed6, writePlain } from '../../../src/stats/format.js';
import { parseEndpoint } from '../../../src/output/push/pool.js';
import { PointQueue } from '../../../src/output/push/queue.js';
import type { Point } from '../../../src/core/types.js';

const p = (i: number, extra: Partial<Point> = {}): Point =>
  ({ metric: 'rest.api.count', ts: 1770000000 + i, value: String(i), tags: 'call=getUser host=api1', ...extra });

describe('encoders', () => {
  it('writes put lines, bare lines and JSON objects', () => {
    const pt = p(4);
    expect(encodeLine(pt, 'tsd')).toBe('put rest.api.count 1770000004 4 call=getUser host=api1');
    expect(encodeLine(pt, 'tcollector')).toBe('rest.api.count 1770000004 4 call=getUser host=api1');
    expect(encodeLine({ ...pt, tags: '' }, 'tsd')).toBe('put rest.api.count 1770000004 4');
    expect(toJsonPoint({ ...pt, value: '0.125000' }))
      .toEqual({ metric: 'rest.api.count', timestamp: 1770000004, value: 0.125, tags: { call: 'getUser', host: 'api1' } });
    expect(encodeHttpBody([pt])).toBe(
      '[{"metric":"rest.api.count","tags":{"call":"getUser","host":"api1"},"timestamp":1770000004,"value":4}]');
    expect(parseTags('a=b  c=d=e')).toEqual({ a: 'b', c: 'd=e' });
  });

  it('drops lines over 1024 bytes counting "put " and points over 8 tags or with a bad value', () => {
    const head = 'put m 1770000000 1 t=';
    const fits = { metric: 'm', ts: 1770000000, value: '1', tags: 't=' + 'x'.repeat(1024 - head.length) };
    expect(encodeLine(fits, 'tsd').length).toBe(1024);
    expect(invalidReason(fits)).toBeNull();
    expect(invalidReason({ ...fits, tags: fits.tags + 'x' })).toMatch(/1025 bytes/);
    // multi-byte characters count as bytes
    expect(invalidReason({ ...fits, tags: 't=' + 'é'.repeat(600) })).toMatch(/bytes/);
    const nine = Array.from({ length: 9 }, (_, i) => `t${i}=v`).join(' ');
    expect(invalidReason({ ...fits, tags: nine })).toMatch(/9 tags/);
    expect(invalidReason({ ...fits, tags: 'a=b', value: 'NaN' })).toMatch(/not a finite/);
  });

  it('LineWriter writes the bytes of encodeLine + newline, whatever the timestamp, value and tags', () => {
    const points: Point[] = [
      p(1), p(2, { tags: '' }), p(3, { value: '-0.000125' }), p(4, { value: '1e+21' }), p(5, { ts: 0 }),
      p(6, { ts: -86400 }), p(7, { ts: 2 ** 48 }), p(8, { ts: 1770000000.5 }), p(9, { value: 'Infinity' }),
      p(10, { tags: 'call=café host=ü-1 🎉=x' }), p(11, { metric: 'métrique.count', value: '٣' }),
      p(12, { tags: 'k=' + 'v'.repeat(300) }), p(13, { ts: 9 }), p(14, { ts: 10 }), p(15, { ts: 99999 }),
    ];
    for (const type of ['tsd', 'tcollector'] as const) {
      // a cache of 2 entries is cleared on the way: cached and fresh encodings must agree
      for (const w of [new LineWriter(type), new LineWriter(type, 2)]) {
        const expected = points.concat(points).map((q) => encodeLine(q, type) + '\n').join('');
        // a non-finite value in a short line is printed as it is: addPoint checks only long lines
        for (const q of points.concat(points)) w.addPoint(q);
        expect(w.bytes).toBe(Buffer.byteLength(expected));
        expect(w.length).toBe(2 * points.length);
        expect(w.take().toString('utf8')).toBe(expected);
        expect(w.length).toBe(0);
        expect(w.bytes).toBe(0);
      }
    }
  });

  it('LineWriter grows past its first buffer', () => {
    const w = new LineWriter('tsd');
    const many = Array.from({ length: 5000 }, (_, i) => p(i, { tags: `host=h${i % 7} call=c${i}` }));
    for (const q of many) w.addPoint(q);
    expect(w.take().toString()).toBe(many.map((q) => encodeLine(q, 'tsd') + '\n').join(''));
    // past 1 MB (a big flush) the buffer is handed over, and the writer goes on with a new one
    const big = Array.from({ length: 20000 }, (_, i) => p(i, { tags: `host=h${i % 7} call=c${i} ${'x'.repeat(40)}=y` }));
    for (const q of big) w.addPoint(q);
    const first = w.take();
    expect(first.length).toBeGreaterThan(1 << 20);
    for (const q of many) w.addPoint(q);
    expect(first.toString()).toBe(big.map((q) => encodeLine(q, 'tsd') + '\n').join(''));
    expect(w.take().toString()).toBe(many.map((q) => encodeLine(q, 'tsd') + '\n').join(''));
  });

  it('writePlain and writeFixed6 write the bytes formatPlain and formatFixed6 print, or decline', () => {
    let seed = 7;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    const values = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, 1e300,
      0.5, -0.5, 0.0078125, -0.0078125, 1e-7, -1e-7, 4.9999995e-7, 0.1, 0.2, 0.3, 1 / 3, -2 / 3, 29.5, 123.456, 8796093.022208,
      8796093.022209, 1234567.1234565, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.EPSILON, 5e-324];
    for (let i = 0; i < 20000; i++) {
      const scale = 10 ** Math.floor(rnd() * 16 - 8);
      const v = (rnd() - 0.3) * scale;
      values.push(v, Math.round(v), Math.round(v * 1e6) / 1e6, Math.round(v * 8) / 8, Math.round(v * 128) / 128 + 1 / 256);
    }
    const buf = Buffer.alloc(64);
    let fast = 0;
    for (const v of values) {
      for (const [write, format] of [[writePlain, formatPlain], [writeFixed6, formatFixed6]] as const) {
        const end = write(v, buf, 3);
        if (end < 0) continue;
        fast++;
        expect(end - 3).toBeLessThanOrEqual(32);
        expect(buf.toString('latin1', 3, end), `${format.name}(${v})`).toBe(format(v));
      }
    }
    expect(fast).toBeGreaterThan(values.length * 1.5); // the fast paths take nearly everything
    for (const v of [NaN, Infinity, 1e300, 2 ** 53]) expect(writePlain(v, buf, 0)).toBe(-1);
    expect(writeFixed6(0.0078125, buf, 0)).toBe(-1); // an exact tie: the exact path rounds it half to even
  });

  it('a LineWriter batch writes what a PointList batch gives encodeLine, and decodes back to it', () => {
    const names = ['m.count', 'm.rate._1min', 'mé.p50'];
    const runs: Array<[string, number, Array<[number, number, boolean]>]> = [
      ['call=getUser host=api1', 1770000000, [[0, 4, false], [1, 0.25, true], [2, 12.5, false]]],
      ['', 1770000000, [[0, -3, false], [2, 2 ** 60, false], [1, 0.0078125, true]]],
      ['k=' + 'v'.repeat(300), 1770000001, [[0, 1e-7, false], [1, -1e-7, true], [2, 1 / 3, false]]],
      ['call=café', -5, [[0, 0, false]]],
    ];
    for (const type of ['tsd', 'tcollector'] as const) {
      const caches = new LineCaches(type, 2);
      const w = new LineWriter(caches);
      const list = new PointList();
      for (const [tags, ts, adds] of runs) {
        for (const b of [w, list]) {
          b.begin(names, tags, ts);
          for (const [stat, v, f6] of adds) b.add(stat, v, f6);
        }
      }
      expect(w.length).toBe(list.length);
      expect(w.lastTs).toBe(-5);
      const points = list.points();
      const bytes = w.take();
      expect(bytes.toString('utf8')).toBe(points.map((q) => encodeLine(q, type) + '\n').join(''));
      expect(decodeLines(bytes, type)).toEqual(points);
      expect(list.length).toBe(0);
      expect(w.length).toBe(0);
    }
  });

  it('a LineWriter batch leaves out and counts what OpenTSDB would refuse', () => {
    for (const type of ['tsd', 'tcollector'] as const) {
      const caches = new LineCaches(type);
      const w = new LineWriter(caches);
      const head = 'put m.count 1770000000 1 t=';
      const fits = 't=' + 'x'.repeat(1024 - head.length);
      w.begin(['m.count'], fits, 1770000000);
      w.add(0, 1, false);   // exactly 1024 bytes counting "put "
      w.add(0, 10, false);  // 1025
      w.add(0, NaN, false);
      w.add(0, Infinity, true);
      w.begin(['m.count'], 'a=b', 1770000000);
      w.add(0, NaN, true);
      w.add(0, 2, false);
      expect(caches.dropped.value).toBe(4);
      expect(w.length).toBe(2);
      const lines = w.take().toString().split('\n').slice(0, -1);
      expect(lines.map((l) => 4 + Buffer.byteLength(type === 'tsd' ? l.slice(4) : l))).toEqual([1024, 4 + Buffer.byteLength('m.count 1770000000 2 a=b')]);
    }
  });

  it('packs datagrams of at most 8192 bytes without splitting a line', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `put metric.${i} 1770000000 ${i} k=${'v'.repeat(i % 90)}`);
    const grams = packDatagrams(lines);
    expect(grams.length).toBeGreaterThan(1);
    let back: string[] = [];
    for (const g of grams) {
      expect(g.buf.length).toBeLessThanOrEqual(8192);
      const text = g.buf.toString();
      expect(text.endsWith('\n')).toBe(true);
      const ls = text.split('\n').slice(0, -1);
      expect(ls.length).toBe(g.count);
      back = back.concat(ls);
    }
    expect(back).toEqual(lines);
    // each datagram is full: the next line would not have fitted
    for (let i = 0; i < grams.length - 1; i++) {
      const nextLine = back[grams.slice(0, i + 1).reduce((a, g) => a + g.count, 0)]!;
      expect(grams[i]!.buf.length + nextLine.length + 1).toBeGreaterThan(8192);
    }
  });

  it('parses host:port push_host entries', () => {
    expect(parseEndpoint('tsd1', 4242)).toEqual({ host: 'tsd1', port: 4242 });
    expect(parseEndpoint('tsd1:4243', 4242)).toEqual({ host: 'tsd1', port: 4243 });
    expect(parseEndpoint('[::1]:4243', 4242)).toEqual({ host: '::1', port: 4243 });
    expect(parseEndpoint('::1', 4242)).toEqual({ host: '::1', port: 4242 });
  });
});

describe('backoff', () => {
  it('doubles from push_wait, caps at 60 s, jitters within +-25%', () => {
    expect(backoffSeconds(1, 5, () => 0.5)).toBe(5);
    expect(backoffSeconds(2, 5, () => 0.5)).toBe(10);
    expect(backoffSeconds(4, 5, () => 0.5)).toBe(40);
    expect(backoffSeconds(5, 5, () => 0.5)).toBe(60);
    expect(backoffSeconds(50, 5, () => 0.99)).toBe(60);
    expect(backoffSeconds(1, 5, () => 0)).toBe(3.75);
    expect(backoffSeconds(1, 0, () => 0.5)).toBeGreaterThan(0);
  });
});

describe('PointQueue', () => {
  it('is bounded for writers but never drops, and flush waits for out-of-order completions', async () => {
    const depths: number[] = [];
    const q = new PointQueue(5, (d) => depths.push(d));
    expect(q.push([p(0), p(1), p(2)])).toBe(true);
    expect(q.push([p(3), p(4), p(5)])).toBe(false);      // at/over capacity: accepted anyway
    expect(q.depth()).toBe(6);
    let drained = false;
    void q.waitDrain().then(() => { drained = true; });
    const a = (await q.take(2))!;
    await Promise.resolve();
    expect(drained).toBe(true);                            // 4 < 5
    const b = (await q.take(10))!;
    expect(b.first).toBe(2);
    expect(q.pending().map((x) => x.ts)).toEqual([0, 1, 2, 3, 4, 5].map((i) => 1770000000 + i));
    let flushed = false;
    void q.waitFlushed().then(() => { flushed = true; });
    q.complete(b);                                         // the later batch finishes first
    await Promise.resolve();
    expect(flushed).toBe(false);
    expect(q.pending().length).toBe(2);
    q.complete(a);
    await Promise.resolve();
    expect(flushed).toBe(true);
    const waiting = q.take(3);
    q.close();
    expect(await waiting).toBeNull();
  });
});
