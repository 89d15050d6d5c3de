import { describe, expect, it } from 'vitest';
import { ExportFormatError, ExportParser } from '../../../src/input/journal/export.js';
import type { JournalBatch } from '../../../src/input/journal/batch.js';
import { exportField } from '../../helpers/journal.js';

type F = Record<string, string | Buffer>;
const entry = (fields: F): Buffer => Buffer.concat([...Object.entries(fields).map(([k, v]) => exportField(k, v)), Buffer.from('\n')]);
const cursor = (i: number) => `s=abc;i=${i.toString(16)};b=0123;m=${i};t=5f;x=77`;
const std = (i: number, msg: string | Buffer, more: F = {}): F =>
  ({ __CURSOR: cursor(i), __REALTIME_TIMESTAMP: String(1_700_000_000_000_000 + i), _BOOT_ID: '0123', ...more, MESSAGE: msg });

/** Parses `data` fed in the given pieces; all batches merged into one view. */
function parse(data: Buffer, cuts: number[] = [], fields: string[] = [], max = 1024): JournalBatch {
  const p = new ExportParser('journal', fields, max);
  const all: JournalBatch = { path: 'journal', lines: [], startOffset: 0, endOffset: 0, bytes: 0, skippedLong: 0, timesUs: [], fields: [], cursor: '', entries: 0, binary: 0, noMessage: 0 };
  let at = 0;
  const take = () => {
    const b = p.take();
    if (!b) return;
    expect(b.startOffset).toBe(all.endOffset);
    expect(b.bytes).toBe(b.endOffset - b.startOffset);
    all.lines.push(...b.lines);
    all.timesUs.push(...b.timesUs);
    all.fields.push(...b.fields);
    all.endOffset = b.endOffset;
    all.bytes += b.bytes;
    all.cursor = b.cursor;
    for (const k of ['skippedLong', 'entries', 'binary', 'noMessage'] as const) all[k] += b[k];
  };
  for (const c of [...cuts, data.length]) {
    p.push(data.subarray(at, c));
    at = c;
    take();
  }
  expect(p.pendingBytes).toBe(data.length - all.endOffset);
  return all;
}

describe('ExportParser', () => {
  it('takes MESSAGE as the line, the entry time, the cursor after the last entry and the asked fields', () => {
    const data = Buffer.concat([
      entry(std(1, 'first', { _SYSTEMD_UNIT: 'nginx.service', PRIORITY: '6' })),
      entry(std(2, 'second', { _HOSTNAME: 'h1' })),
    ]);
    const b = parse(data, [], ['_SYSTEMD_UNIT', '_HOSTNAME']);
    expect(b.lines).toEqual(['first', 'second']);
    expect(b.timesUs).toEqual([1_700_000_000_000_001, 1_700_000_000_000_002]);
    expect(b.fields).toEqual([['nginx.service', undefined], [undefined, 'h1']]);
    expect(b.cursor).toBe(cursor(2));
    expect(b.entries).toBe(2);
    expect(b.endOffset).toBe(data.length);
  });

  it('gives the same result however the output is cut into chunks', () => {
    const data = Buffer.concat([
      entry(std(1, 'plain one', { UNIT: 'a' })),
      entry(std(2, Buffer.from('bin\0ary \xff\xfe tail', 'latin1'), { UNIT: Buffer.from('multi\nline') })),
      entry(std(3, 'x'.repeat(40))),            // over the 32-byte limit below
      entry(std(4, Buffer.from('y'.repeat(50) + '\n'))), // binary form, over the limit
      entry({ __CURSOR: cursor(5), __REALTIME_TIMESTAMP: '5' }),
      entry(std(6, 'last\r\n', { UNIT: '' })),
    ]);
    const whole = parse(data, [], ['UNIT'], 32);
    expect(whole.lines).toEqual(['plain one', 'bin\0ary \ufffd\ufffd tail', 'last']);
    expect(whole.fields).toEqual([['a'], ['multi\nline'], ['']]);
    expect([whole.skippedLong, whole.noMessage, whole.binary, whole.entries]).toEqual([2, 1, 1, 6]);
    expect(whole.cursor).toBe(cursor(6));
    for (let cut = 1; cut < data.length; cut++) expect(parse(data, [cut], ['UNIT'], 32)).toEqual(whole);
    const bytes = Array.from({ length: data.length - 1 }, (_, i) => i + 1);
    expect(parse(data, bytes, ['UNIT'], 32)).toEqual(whole);
  });

  it('a binary MESSAGE is decoded with U+FFFD and counted; one with newlines only is not binary', () => {
    const b = parse(Buffer.concat([
      entry(std(1, Buffer.from([0x61, 0xc3, 0x28, 0x62]))),   // invalid UTF-8
      entry(std(2, Buffer.from('nul\0inside'))),
      entry(std(3, Buffer.from('two\nlines\n'))),            // binary form for the newline, valid text
      entry(std(4, Buffer.from('héllo \x1b[31mred', 'utf8'))),
    ]));
    expect(b.lines).toEqual(['a\ufffd(b', 'nul\0inside', 'two\nlines', 'héllo \x1b[31mred']);
    expect(b.binary).toBe(2);
  });

  it('a MESSAGE over max_line_bytes is skipped whole and counted; at the limit it is kept; the next entry is intact', () => {
    const max = 100;
    const data = Buffer.concat([
      entry(std(1, 'a'.repeat(max))),
      entry(std(2, 'b'.repeat(max + 1))),
      entry(std(3, 'c'.repeat(max) + '\r')),       // the '\r' does not count
      entry(std(4, Buffer.from('d'.repeat(10_000) + '\0'))),
      entry(std(5, 'after')),
    ]);
    for (const cuts of [[], [37, 150, 151, 380, 2000, 9000]]) {
      const b = parse(data, cuts, [], max);
      expect(b.lines).toEqual(['a'.repeat(max), 'c'.repeat(max), 'after']);
      expect(b.skippedLong).toBe(2);
      expect(b.entries).toBe(5);
      expect(b.timesUs).toEqual([1, 3, 5].map((i) => 1_700_000_000_000_000 + i));
    }
  });

  it('the first occurrence of a field in an entry wins', () => {
    const data = Buffer.concat([exportField('__CURSOR', cursor(1)), exportField('MESSAGE', 'one'), exportField('MESSAGE', 'two'),
      exportField('TAG', 'x'), exportField('TAG', 'y'), Buffer.from('\n')]);
    const b = parse(data, [], ['TAG']);
    expect(b.lines).toEqual(['one']);
    expect(b.fields).toEqual([['x']]);
  });

  it('a binary field of length 0 and an entry without time', () => {
    const data = Buffer.concat([exportField('__CURSOR', cursor(1)), Buffer.from('MESSAGE\n'), Buffer.alloc(8), Buffer.from('\n\n')]);
    const b = parse(data);
    expect(b.lines).toEqual(['']);
    expect(b.timesUs).toEqual([NaN]);
  });

  it('no batch before the first complete entry', () => {
    const p = new ExportParser('journal', [], 100);
    p.push(entry(std(1, 'half')).subarray(0, 30));
    expect(p.take()).toBeNull();
    expect(p.pendingBytes).toBe(30);
  });

  it('output that is not the export format is an error', () => {
    const p = new ExportParser('journal', [], 100);
    expect(() => p.push(Buffer.concat([Buffer.from('MESSAGE\n'), Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('abcX')]))).toThrow(ExportFormatError);
    expect(() => new ExportParser('journal', [], 100).push(Buffer.from('N'.repeat(300) + '=v\n'))).toThrow(ExportFormatError);
  });
});
