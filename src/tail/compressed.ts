// A compressed file being read: its decompressed content, from the start (or past a position
// already read from another copy of the same log), to its end, once. Never tailed for growth: a
// compressed log is a finished log. Offsets, the fingerprint and batches are in content
// (decompressed) bytes, as for a plain file, so a checkpoint or a copy carries over between them.
import * as fs from 'node:fs';
import type { FileIdentity, LineBatch } from '../core/types.js';
import { FINGERPRINT_BYTES, fpFeed, fpHex, fpInit, type FpState } from './fingerprint.js';
import { Inflater } from './inflate.js';
import { LineSplitter } from './lines.js';
import type { Format } from './format.js';
import { DEFAULT_CHUNK_BYTES, readBuffer, type Chunk, type ContentReader, type ReaderOptions } from './reader.js';

export class CompressedReader implements ContentReader {
  readonly dev: number;
  readonly ino: number;
  /** Size and modification time of the compressed file. */
  readonly fileSize: number;
  readonly mtimeMs: number;
  readPos = 0;
  lastDataAt: number;
  private fp: FpState = fpInit();
  private skipUntil: number;
  private lastSkipped = 0x0a;
  private readonly inflater: Inflater;
  private readonly lines: LineSplitter;
  private readonly chunkBytes: number;

  /** Opens the file (throws the fs error when it cannot); reading starts at content offset `from`. */
  constructor(path: string, readonly format: Format, opts: ReaderOptions, from: number, now: number) {
    const fd = opts.fd ?? fs.openSync(opts.fsPath ?? path, 'r');
    let st: fs.Stats;
    try {
      st = fs.fstatSync(fd);
      this.inflater = new Inflater(opts.fsPath ?? path, fd, format);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    this.dev = st.dev;
    this.ino = st.ino;
    this.fileSize = st.size;
    this.mtimeMs = st.mtimeMs;
    this.lastDataAt = now;
    this.skipUntil = Math.max(0, from);
    this.chunkBytes = Math.max(1, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    this.lines = new LineSplitter(path, Math.max(0, opts.maxLineBytes));
    this.lines.reset(this.skipUntil, false);
  }

  get path(): string { return this.lines.path; }
  set path(p: string) { this.lines.path = p; }
  get consumed(): number { return this.lines.consumed; }
  /** Content bytes known so far (read, or decompressed and waiting). */
  get size(): number { return this.readPos + this.inflater.available; }
  /** Compressed bytes consumed so far. */
  get inputRead(): number { return this.inflater.inputRead; }
  /** Decompressed bytes produced so far. */
  get decompressed(): number { return this.inflater.produced; }
  /** The corruption or truncation that ended the content early, once the end is reached. */
  get damage(): Error | null { return this.inflater.ended ? this.inflater.damage : null; }

  identity(): FileIdentity {
    return { dev: this.dev, ino: this.ino, fingerprint: fpHex(this.fp) };
  }

  /**
   * Takes up to min(maxBytes, chunkBytes) content bytes: exactly that many unless the content ends
   * first; `wait` when they are not decompressed yet (then await ready()). Bytes before the start
   * position are skipped (counted in n, no batch).
   */
  readChunk(maxBytes: number = this.chunkBytes, now = this.lastDataAt): Chunk {
    const asked = Math.max(1, Math.min(maxBytes, this.chunkBytes));
    const inf = this.inflater;
    if (inf.available < asked && !inf.ended) return { n: 0, batch: null, end: false, wait: true };
    const skipping = this.readPos < this.skipUntil;
    const n = Math.min(asked, inf.available, skipping ? this.skipUntil - this.readPos : Infinity);
    if (n === 0) return { n, batch: null, end: true, wait: false };
    const view = inf.take(n, readBuffer(n));
    const base = this.readPos;
    if (this.fp.len < FINGERPRINT_BYTES) fpFeed(this.fp, view, 0, view.length);
    this.readPos += n;
    this.lastDataAt = now;
    if (skipping) {
      this.lastSkipped = view[n - 1]!;
      if (this.readPos === this.skipUntil) this.lines.reset(this.readPos, this.lastSkipped !== 0x0a);
      return { n, batch: null, end: false, wait: false };
    }
    const batch = this.lines.push(view, base);
    return { n, batch, end: inf.ended && inf.available === 0, wait: false };
  }

  ready(): Promise<void> {
    return this.inflater.need(this.chunkBytes);
  }

  /**
   * At the end: the last line when it has no newline. When the content ended on damage, a partial
   * line is cut by the damage: it is dropped (its bytes count as consumed), not emitted.
   */
  flushPartial(): LineBatch | null {
    if (this.inflater.ended && this.inflater.damage && this.readPos >= this.skipUntil) {
      if (this.lines.held > 0) {
        const b = this.lines.flush(this.readPos);
        if (b) b.lines.length = 0;
        return b;
      }
    }
    return this.lines.flush(Math.max(this.readPos, this.lines.consumed));
  }

  close(): void {
    this.inflater.close();
  }
}
