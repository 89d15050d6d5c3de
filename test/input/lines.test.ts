// LineSplitter (standard input) keeps the file reader's byte contract: the same lines, skipped
// counts and offsets as src/tail/reader.ts over the same bytes, however the bytes are cut.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/input/lines.js';
import { FileReader } from '../../src/tail/reader.js';
import type { LineBatch } from '../../src/core/types.js';

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lines-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Seen { lines: string[]; skipped: number; end: number }

function viaFile(data: Buffer, max: number, chunkBytes: number): Seen {
  const p = path.join(dir, 'f.log');
  fs.writeFileSync(p, data);
  const { reader } = FileReader.open(p, { maxLineBytes: max, chunkBytes }, { from: 'start' });
  const seen: Seen = { lines: [], skipped: 0, end: 0 };
  const add = (b: LineBatch | null) => {
    if (!b) return;
    seen.lines.push(...b.lines);
    seen.skipped += b.skippedLong;
    seen.end = b.endOffset;
  };
  for (;;) {
    const r = reader.readChunk();
    if (r.n === 0) break;
    add(r.batch);
  }
  add(reader.flushPartial());
  reader.close();
  return seen;
}

function viaSplitter(data: Buffer, max: number, cuts: number[]): Seen {
  const s = new LineSplitter('-', max);
  const seen: Seen = { lines: [], skipped: 0, end: 0 };
  const add = (b: LineBatch | null) => {
    if (!b) return;
    expect(b.startOffset).toBe(seen.end);
    expect(b.bytes).toBe(b.endOffset - b.startOffset);
    expect(b.path).toBe('-');
    seen.lines.push(...b.lines);
    seen.skipped += b.skippedLong;
    seen.end = b.endOffset;
  };
  let at = 0;
  for (const c of [...cuts, data.length]) {
    add(s.push(data.subarray(at, c)));
    at = c;
  }
  add(s.end());
  expect(s.pendingBytes).toBe(0);
  return seen;
}

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lines of random lengths around `max`, with '\r', invalid UTF-8, multi-byte characters and empty lines. */
function randomInput(rnd: () => number, max: number, lines: number, partialLast: boolean): Buffer {
  const parts: Buffer[] = [];
  const pieces = [Buffer.from('a'), Buffer.from('é'), Buffer.from([0xff]), Buffer.from('\r'), Buffer.from('€'), Buffer.from('xyz')];
  for (let i = 0; i < lines; i++) {
    const target = rnd() < 0.1 ? 0 : Math.floor(rnd() * max * 1.6);
    const line: Buffer[] = [];
    let len = 0;
    while (len < target) { const p = pieces[Math.floor(rnd() * pieces.length)]!; line.push(p); len += p.length; }
    if (rnd() < 0.2) line.push(Buffer.from('\r'));
    parts.push(...line);
    if (i < lines - 1 || !partialLast) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe('LineSplitter', () => {
  it('gives the file reader\'s lines, skipped counts and end offset over random inputs and random cuts', () => {
    const rnd = mulberry(7);
    for (let round = 0; round < 60; round++) {
      const max = [1, 5, 16, 40, 100][round % 5]!;
      const data = randomInput(rnd, max, 1 + Math.floor(rnd() * 40), round % 3 === 0);
      const file = viaFile(data, max, 1 + Math.floor(rnd() * 64));
      expect(file.end).toBe(data.length);
      const cuts: number[] = [];
      for (let at = 0; ;) { at += 1 + Math.floor(rnd() * max * 2); if (at >= data.length) break; cuts.push(at); }
      expect(viaSplitter(data, max, cuts)).toEqual(file);
      expect(viaSplitter(data, max, [])).toEqual(file);
    }
  });

  it('every cut of a small input', () => {
    const data = Buffer.from('one\r\ntoolongline\n\nfour\xff\ntoolong-partial', 'latin1');
    const want = viaFile(data, 8, 64);
    expect(want.lines).toEqual(['one', '', 'four\ufffd']);
    expect(want.skipped).toBe(2);
    for (let c = 1; c < data.length; c++) expect(viaSplitter(data, 8, [c])).toEqual(want);
  });

  it('the fixtures through the splitter in 4 KB chunks: the file reader\'s lines', () => {
    const root = new URL('../../fixtures/', import.meta.url).pathname;
    for (const f of fs.readdirSync(root).filter((n) => n.endsWith('.log'))) {
      const data = fs.readFileSync(path.join(root, f));
      const cuts = Array.from({ length: Math.floor((data.length - 1) / 4096) }, (_, i) => (i + 1) * 4096);
      expect(viaSplitter(data, 1 << 20, cuts)).toEqual(viaFile(data, 1 << 20, 65536));
    }
  });
});
