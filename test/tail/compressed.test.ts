// Compressed input: formats recognised by their first bytes, gzip read as a stream (multi-member
// included) in content offsets, a resume past what was read, and damaged streams: the lines before
// the damage are kept, up to the byte where a decoder fed one byte at a time stops.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompressedReader } from '../../src/tail/compressed.js';
import { canDecompress, sniff } from '../../src/tail/format.js';
import { fingerprint } from '../../src/tail/fingerprint.js';
import { probe } from '../../src/tail/probe.js';
import type { LineBatch } from '../../src/core/types.js';
import { rmrf, tempDir } from './helpers/util.js';
import { gunzipByteAtATime } from '../helpers/gunzip.js';

let dir: string;
beforeEach(() => { dir = tempDir('gz-'); });
afterEach(() => rmrf(dir));

const lines = (n: number, tag = 'l') => Array.from({ length: n }, (_, i) => `${tag} ${i} ${'x'.repeat(i % 37)}`);
const text = (ls: string[]) => ls.map((l) => l + '\n').join('');

/** Reads a compressed file to its end through the reader, as the tailer does (waiting for data when told). */
async function readAll(r: CompressedReader, chunk = 4096): Promise<LineBatch[]> {
  const out: LineBatch[] = [];
  for (;;) {
    const c = r.readChunk(chunk, 0);
    if (c.wait) { await r.ready(); continue; }
    if (c.batch) out.push(c.batch);
    if (c.end || c.n === 0) break;
  }
  const last = r.flushPartial();
  if (last) out.push(last);
  r.close();
  return out;
}

const byteAtATime = gunzipByteAtATime;

const completeLines = (b: Buffer) => { const s = b.toString('utf8'); return s.slice(0, s.lastIndexOf('\n') + 1).split('\n').slice(0, -1); };

describe('formats', () => {
  it('are told by their magic bytes, whatever the name', () => {
    expect(sniff(zlib.gzipSync('x'))).toBe('gzip');
    expect(sniff(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))).toBe('zstd');
    expect(sniff(Buffer.from('BZh91AY&SY'))).toBe('bzip2');
    expect(sniff(Buffer.from('BZhello'))).toBe('plain'); // text that starts like bzip2
    expect(sniff(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe('xz');
    expect(sniff(Buffer.from('plain text\n'))).toBe('plain');
    expect(sniff(Buffer.alloc(0))).toBe('plain');
    expect(canDecompress('gzip')).toBe(true);
    expect(canDecompress('xz')).toBe(false);
    expect(canDecompress('zstd')).toBe(typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function');
  });
});

describe('CompressedReader', () => {
  it('reads a multi-member gzip stream as one content, in content offsets, the last line without a newline too', async () => {
    const a = lines(3000, 'a');
    const b = lines(2000, 'b');
    const f = path.join(dir, 'x.gz');
    fs.writeFileSync(f, Buffer.concat([zlib.gzipSync(text(a)), zlib.gzipSync(text(b) + 'tail without newline')]));
    const r = new CompressedReader(f, 'gzip', { maxLineBytes: 1 << 20, chunkBytes: 8192 }, 0, 0);
    const bs = await readAll(r);
    expect(bs.flatMap((x) => x.lines)).toEqual([...a, ...b, 'tail without newline']);
    const size = Buffer.byteLength(text(a) + text(b) + 'tail without newline');
    for (let i = 1; i < bs.length; i++) expect(bs[i]!.startOffset).toBe(bs[i - 1]!.endOffset);
    expect(bs.at(-1)!.endOffset).toBe(size);
    expect(r.identity().fingerprint).toBe(fingerprint(Buffer.from(text(a))));
    expect(r.damage).toBeNull();
    expect(r.decompressed).toBe(size);
  });

  it('starts past a content offset (what a copy of it already gave), skipping the rest of a line cut there', async () => {
    const ls = lines(5000);
    const f = path.join(dir, 'x.gz');
    fs.writeFileSync(f, zlib.gzipSync(text(ls)));
    const at = Buffer.byteLength(text(ls.slice(0, 1234)));
    let bs = await readAll(new CompressedReader(f, 'gzip', { maxLineBytes: 1 << 20 }, at, 0));
    expect(bs.flatMap((x) => x.lines)).toEqual(ls.slice(1234));
    expect(bs[0]!.startOffset).toBe(at);
    bs = await readAll(new CompressedReader(f, 'gzip', { maxLineBytes: 1 << 20 }, at + 3, 0));
    expect(bs.flatMap((x) => x.lines)).toEqual(ls.slice(1235));
  });

  it('the same chunks whatever the decompression speed: exactly the size asked, short only at the end', async () => {
    const f = path.join(dir, 'x.gz');
    fs.writeFileSync(f, zlib.gzipSync(text(lines(20_000))));
    const ends = async () => (await readAll(new CompressedReader(f, 'gzip', { maxLineBytes: 1 << 20, chunkBytes: 10_000 }, 0, 0), 10_000)).map((b) => b.endOffset);
    expect(await ends()).toEqual(await ends());
  });

  it('a truncated stream: every complete line before the cut, the damage reported', async () => {
    const ls = lines(8000);
    const gz = zlib.gzipSync(text(ls));
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const f = path.join(dir, 'cut.gz');
    fs.writeFileSync(f, cut);
    const r = new CompressedReader(f, 'gzip', { maxLineBytes: 1 << 20 }, 0, 0);
    const got = (await readAll(r)).flatMap((x) => x.lines);
    expect(r.damage?.message).toMatch(/unexpected end of file/);
    expect(got).toEqual(completeLines(await byteAtATime(cut)));
    expect(got.length).toBeGreaterThan(4000);
    expect(got).toEqual(ls.slice(0, got.length));
  });

  it('a corrupt stream: the lines before the damage, as many as a decoder fed byte by byte gives', async () => {
    const ls = lines(8000);
    const gz = Buffer.from(zlib.gzipSync(text(ls)));
    for (let i = 0; i < 64; i++) gz[Math.floor(gz.length * 0.5) + i] ^= 0x5a; // garble a stretch in the middle
    const f = path.join(dir, 'bad.gz');
    fs.writeFileSync(f, gz);
    const r = new CompressedReader(f, 'gzip', { maxLineBytes: 1 << 20 }, 0, 0);
    const got = (await readAll(r)).flatMap((x) => x.lines);
    expect(r.damage).not.toBeNull();
    const oracle = completeLines(await byteAtATime(gz));
    expect(oracle.length).toBeGreaterThan(2000);
    expect(got).toEqual(oracle);
  });

  it('trailing garbage after a good member: its lines, then the damage', async () => {
    const ls = lines(500);
    const f = path.join(dir, 'trail.gz');
    fs.writeFileSync(f, Buffer.concat([zlib.gzipSync(text(ls)), Buffer.from('garbage that is not gzip')]));
    const r = new CompressedReader(f, 'gzip', { maxLineBytes: 1 << 20 }, 0, 0);
    expect((await readAll(r)).flatMap((x) => x.lines)).toEqual(ls);
    expect(r.damage).not.toBeNull();
  });
});

describe('probe', () => {
  it('gives format, identity and the first 64 KB of content, decompressed; real bzip2 and xz files are recognised, not read', async () => {
    const ls = lines(20_000);
    const gz = path.join(dir, 'a.gz');
    fs.writeFileSync(gz, zlib.gzipSync(text(ls)));
    const pr = await probe(gz, gz);
    if (typeof pr === 'string') throw new Error(pr);
    expect(pr.format).toBe('gzip');
    expect(pr.head.toString()).toBe(text(ls).slice(0, 64 * 1024));
    expect(pr.whole).toBe(false);
    fs.closeSync(pr.fd);
    const plain = path.join(dir, 'p.log');
    fs.writeFileSync(plain, text(ls.slice(0, 3)));
    const pp = await probe(plain, plain);
    if (typeof pp === 'string') throw new Error(pp);
    expect([pp.format, pp.whole, pp.head.toString()]).toEqual(['plain', true, text(ls.slice(0, 3))]);
    fs.closeSync(pp.fd);
    for (const [tool, fmt] of [['bzip2', 'bzip2'], ['xz', 'xz']] as const) {
      const src = path.join(dir, `src-${tool}.log`);
      fs.writeFileSync(src, text(ls.slice(0, 100)));
      execFileSync(tool, ['-k', src]);
      const out = `${src}.${tool === 'bzip2' ? 'bz2' : 'xz'}`;
      const px = await probe(out, out);
      if (typeof px === 'string') throw new Error(px);
      expect([px.format, px.head.length]).toEqual([fmt, 0]);
      fs.closeSync(px.fd);
    }
    fs.mkdirSync(path.join(dir, 'd'));
    expect(await probe(path.join(dir, 'd'), path.join(dir, 'd'))).toBe('not_regular');
    expect(await probe('/proc/self/status', '/proc/self/status')).toBe('pseudo_filesystem');
  });
});
