import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FINGERPRINT_BYTES, fingerprint, fpPrefixMatch } from '../../src/tail/fingerprint.js';
import { FileReader, identityOf, type ReaderOptions, type StartAt } from '../../src/tail/reader.js';
import type { LineBatch } from '../../src/core/types.js';
import { rmrf, tempDir } from './helpers/util.js';

let dir: string;
let file: string;
const open: FileReader[] = [];
beforeEach(() => { dir = tempDir('reader-'); file = path.join(dir, 'f.log'); });
afterEach(() => { for (const r of open.splice(0)) r.close(); rmrf(dir); });

function reader(start: StartAt = { from: 'start' }, o: Partial<ReaderOptions> = {}, cp?: Parameters<typeof FileReader.open>[3]) {
  const res = FileReader.open(file, { maxLineBytes: 1 << 20, ...o }, start, cp);
  open.push(res.reader);
  return res;
}

/** Reads to the end of the file, returning every batch. */
function drain(r: FileReader): LineBatch[] {
  const out: LineBatch[] = [];
  for (;;) {
    const { n, batch } = r.readChunk();
    if (batch) out.push(batch);
    if (n === 0) return out;
  }
}
const linesOf = (bs: LineBatch[]) => bs.flatMap((b) => b.lines);

describe('FileReader: lines and offsets', () => {
  it('holds a partial line until its newline arrives', () => {
    fs.writeFileSync(file, 'one\ntw');
    const { reader: r } = reader();
    let bs = drain(r);
    expect(linesOf(bs)).toEqual(['one']);
    expect(bs[0]).toMatchObject({ startOffset: 0, endOffset: 4, bytes: 4, skippedLong: 0, path: file });
    expect(r.consumed).toBe(4);
    expect(r.readPos).toBe(6);
    fs.appendFileSync(file, 'o\nthree');
    bs = drain(r);
    expect(linesOf(bs)).toEqual(['two']);
    expect(bs[0]).toMatchObject({ startOffset: 4, endOffset: 8, bytes: 4 });
    const last = r.flushPartial()!;
    expect(last).toMatchObject({ lines: ['three'], startOffset: 8, endOffset: 13, bytes: 5 });
    expect(r.flushPartial()).toBeNull();
  });

  it('strips a trailing \\r (CRLF), keeps empty lines and inner \\r', () => {
    fs.writeFileSync(file, 'a\r\n\r\n\nb\rc\r\n');
    const bs = drain(reader().reader);
    expect(linesOf(bs)).toEqual(['a', '', '', 'b\rc']);
    expect(bs.at(-1)!.endOffset).toBe(fs.statSync(file).size);
  });

  it('offsets are bytes, with multi-byte characters split across chunks', () => {
    const text = ['héllo wörld', '€uro', '😀 emoji', 'plain'];
    fs.writeFileSync(file, text.join('\n') + '\n');
    for (const chunkBytes of [1, 2, 3, 5, 7, 64 * 1024]) {
      const r = reader({ from: 'start' }, { chunkBytes }).reader;
      const bs = drain(r);
      expect(linesOf(bs)).toEqual(text);
      // batches are contiguous and end on newline boundaries
      let at = 0;
      for (const b of bs) {
        expect(b.startOffset).toBe(at);
        expect(b.bytes).toBe(b.endOffset - b.startOffset);
        at = b.endOffset;
      }
      expect(at).toBe(Buffer.byteLength(text.join('\n') + '\n'));
      // each boundary is just after a '\n'
      const buf = fs.readFileSync(file);
      for (const b of bs) expect(buf[b.endOffset - 1]).toBe(0x0a);
    }
  });

  it('chunks that cannot hold a too-long line (one decode a chunk) give what the per-line scan gives', () => {
    // With maxLineBytes >= held partial line + chunk, a chunk is decoded in one piece; with a limit
    // just above the longest line, every line is measured. Both must give the same lines and batches.
    const parts = ['a', '', 'héllo\r', 'b\rc', '😀 emoji €', 'x'.repeat(40), '\r', 'tail'];
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(parts[i % parts.length]! + (i % 7 === 0 ? ' ' + i : ''));
    const body = lines.join('\n') + '\npartial';
    fs.writeFileSync(file, body);
    const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));
    for (const chunkBytes of [1, 3, 16, 61, 4096]) {
      const fast = drain(reader({ from: 'start' }, { chunkBytes }).reader);
      const scan = drain(reader({ from: 'start' }, { chunkBytes, maxLineBytes: longest }).reader);
      expect(linesOf(fast)).toEqual(lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
      expect(fast.map((b) => [b.startOffset, b.endOffset, b.skippedLong])).toEqual(scan.map((b) => [b.startOffset, b.endOffset, b.skippedLong]));
      expect(fast.map((b) => b.lines)).toEqual(scan.map((b) => b.lines));
    }
  });

  it('decodes invalid UTF-8 as U+FFFD without affecting line splitting', () => {
    fs.writeFileSync(file, Buffer.from([0x61, 0xe2, 0x82, 0x0a, 0xff, 0x62, 0x0d, 0x0a, 0xf0, 0x9f, 0x98, 0x0a, 0x63, 0x0a]));
    for (const chunkBytes of [1, 2, 64]) {
      expect(linesOf(drain(reader({ from: 'start' }, { chunkBytes }).reader))).toEqual(['a\ufffd', '\ufffdb', '\ufffd', 'c']);
    }
  });

  it('skips lines over maxLineBytes whole, across many chunks, without affecting the next line', () => {
    const long = 'x'.repeat(1000);
    fs.writeFileSync(file, `ok1\n${long}\n${'y'.repeat(20)}\n${'z'.repeat(21)}\n${'w'.repeat(20)}\r\nok2\n${long}`);
    for (const chunkBytes of [7, 16, 64, 4096]) {
      const r = reader({ from: 'start' }, { chunkBytes, maxLineBytes: 20 }).reader;
      const bs = drain(r);
      expect(linesOf(bs)).toEqual(['ok1', 'y'.repeat(20), 'w'.repeat(20), 'ok2']);
      expect(bs.reduce((n, b) => n + b.skippedLong, 0)).toBe(2);
      const tail = r.flushPartial()!;
      expect(tail).toMatchObject({ lines: [], skippedLong: 1, endOffset: fs.statSync(file).size });
    }
  });

  it('a long line arriving piecemeal is skipped and the next line is whole', () => {
    fs.writeFileSync(file, 'a\n');
    const r = reader({ from: 'start' }, { chunkBytes: 8, maxLineBytes: 10 }).reader;
    expect(linesOf(drain(r))).toEqual(['a']);
    for (let i = 0; i < 10; i++) { fs.appendFileSync(file, '0123456'); expect(linesOf(drain(r))).toEqual([]); }
    fs.appendFileSync(file, '\nnext\n');
    const bs = drain(r);
    expect(linesOf(bs)).toEqual(['next']);
    expect(bs.reduce((n, b) => n + b.skippedLong, 0)).toBe(1);
    expect(bs.at(-1)!.endOffset).toBe(fs.statSync(file).size);
  });
});

describe('FileReader: start positions and checkpoints', () => {
  it('from the end: only lines written afterwards; a partial last line is skipped up to its newline', () => {
    fs.writeFileSync(file, 'old\nhalf');
    const { reader: r, how } = reader({ from: 'end' });
    expect(how).toBe('end');
    expect(r.consumed).toBe(8);
    fs.appendFileSync(file, '-done\nnew\n');
    const bs = drain(r);
    expect(linesOf(bs)).toEqual(['new']);
    expect(bs[0].startOffset).toBe(8);
    expect(bs.at(-1)!.endOffset).toBe(18);
  });

  it('from the end at a line boundary', () => {
    fs.writeFileSync(file, 'old\n');
    const r = reader({ from: 'end' }).reader;
    fs.appendFileSync(file, 'new\n');
    expect(linesOf(drain(r))).toEqual(['new']);
  });

  it('from a matching checkpoint, including one taken while the file was under FINGERPRINT_BYTES', () => {
    fs.writeFileSync(file, 'l1\nl2\n');
    const a = reader().reader;
    drain(a);
    const cp = { identity: a.identity(), offset: a.consumed };
    expect(cp.identity.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    fs.appendFileSync(file, 'l3\n' + 'x'.repeat(5000) + '\nl4\n');
    const { reader: b, how } = reader({ from: 'end' }, {}, cp);
    expect(how).toBe('checkpoint');
    expect(linesOf(drain(b))).toEqual(['l3', 'x'.repeat(5000), 'l4']);
    // once the file is over FINGERPRINT_BYTES the fingerprint covers that much and is final
    const id = identityOf(file);
    expect(b.identity()).toEqual(id);
    expect(id.fingerprint).toBe(fingerprint(fs.readFileSync(file).subarray(0, FINGERPRINT_BYTES)));
    expect(fingerprint(fs.readFileSync(file))).toBe(id.fingerprint);
  });

  it('a checkpoint whose fingerprint or inode does not match reads the file from its start', () => {
    fs.writeFileSync(file, 'first content\n');
    const a = reader().reader;
    drain(a);
    const cp = { identity: a.identity(), offset: a.consumed };
    // same inode, other content (truncated and rewritten while we were down)
    fs.writeFileSync(file, 'other content, longer\nmore\n');
    expect(fs.statSync(file).ino).toBe(cp.identity.ino);
    let res = reader({ from: 'end' }, {}, cp);
    expect(res.how).toBe('checkpoint-mismatch');
    expect(linesOf(drain(res.reader))).toEqual(['other content, longer', 'more']);
    // same content, another inode (rotated)
    fs.writeFileSync(file, 'first content\n');
    const cp2 = { identity: identityOf(file), offset: 14 };
    fs.renameSync(file, file + '.1');
    fs.writeFileSync(file, 'first content\nsecond\n');
    res = reader({ from: 'end' }, {}, cp2);
    expect(res.how).toBe('checkpoint-mismatch');
    expect(linesOf(drain(res.reader))).toEqual(['first content', 'second']);
    // offset beyond the size: truncated while we were down
    const cp3 = { identity: identityOf(file), offset: 1000 };
    expect(reader({ from: 'end' }, {}, cp3).how).toBe('checkpoint-mismatch');
  });

  it('a checkpoint offset in the middle of a line skips the rest of that line', () => {
    fs.writeFileSync(file, 'partial');
    const a = reader().reader;
    drain(a);
    const b1 = a.flushPartial()!; // e.g. end of --once
    expect(b1.lines).toEqual(['partial']);
    const cp = { identity: a.identity(), offset: a.consumed };
    fs.appendFileSync(file, ' continued\nnext\n');
    const b = reader({ from: 'start' }, {}, cp).reader;
    expect(linesOf(drain(b))).toEqual(['next']);
  });
});

describe('FileReader: truncation', () => {
  it('detects a shrink and a truncate-and-regrow past the read position', () => {
    fs.writeFileSync(file, 'aaa\nbbb\n');
    const r = reader().reader;
    drain(r);
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, 'c\n');
    r.stat();
    expect(r.truncated()).toBe(true);
    r.resetToStart();
    expect(linesOf(drain(r))).toEqual(['c']);
    // regrown beyond the old position before we looked: the head no longer matches
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, 'dddddddddd\neeee\n');
    r.stat();
    expect(r.truncated()).toBe(true);
    r.resetToStart();
    expect(linesOf(drain(r))).toEqual(['dddddddddd', 'eeee']);
    // plain appends are not truncations
    fs.appendFileSync(file, 'f\n');
    r.stat();
    expect(r.truncated()).toBe(false);
    expect(linesOf(drain(r))).toEqual(['f']);
  });
});

describe('fingerprint', () => {
  it('prefix matching finds the length a shorter fingerprint was taken at', () => {
    const data = Buffer.from('0123456789'.repeat(FINGERPRINT_BYTES / 5));
    const fp10 = fingerprint(data.subarray(0, 10));
    expect(fpPrefixMatch(data, fp10)).toBe(10);
    expect(fpPrefixMatch(data, fp10, 11)).toBe(-1);
    expect(fpPrefixMatch(data, fingerprint(data))).toBe(FINGERPRINT_BYTES);
    expect(fpPrefixMatch(Buffer.from('x123456789'), fp10)).toBe(-1);
    expect(fpPrefixMatch(data, '')).toBe(0);
    expect(fpPrefixMatch(data, 'not-hex')).toBe(-1);
    expect(fingerprint(Buffer.alloc(0))).toBe('');
  });
});
