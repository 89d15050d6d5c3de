// A plain file being tailed: one open fd on one inode. Synchronous reads (page-cache reads of local
// log files are microseconds; the pump bounds the bytes read per turn and yields between turns).
// Lines are cut by a LineSplitter (lines.ts), which holds the byte-level contract.
import * as fs from 'node:fs';
import type { FileIdentity, LineBatch } from '../core/types.js';
import { FINGERPRINT_BYTES, fpFeed, fpHex, fpInit, fpPrefixMatch, readHead, type FpState } from './fingerprint.js';
import { LineSplitter } from './lines.js';
import type { Format } from './format.js';

/** Opens for reading without blocking (a FIFO swapped in after a stat must not hang the collector). */
export function openRead(fsPath: string | Buffer): number {
  return fs.openSync(fsPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;

export interface ReaderOptions {
  chunkBytes?: number;   // default 64 KB
  maxLineBytes: number;
  /** The path as the file system takes it, when the display path is not it (a name that is not UTF-8). */
  fsPath?: string | Buffer;
  /** The file, already open (the reader owns it from then on). */
  fd?: number;
}

export type StartAt =
  | { from: 'start' }
  | { from: 'end' }
  | { from: 'offset'; offset: number };

export interface Checkpoint {
  identity: FileIdentity;
  offset: number;
}

/** One read: `n` content bytes taken, the lines they completed, and whether the end was reached or data is awaited. */
export interface Chunk {
  n: number;
  batch: LineBatch | null;
  end: boolean;
  wait: boolean;
}

/** What the tailer reads a file through, plain or compressed. */
export interface ContentReader {
  readonly format: Format;
  path: string;
  readonly dev: number;
  readonly ino: number;
  /** Next content byte to read. */
  readonly readPos: number;
  /** End of the last batch handed out: always a line start. */
  readonly consumed: number;
  /** Content size as last seen (plain: the file size at the last stat). */
  readonly size: number;
  /** Wall time (ms) of the last read that returned bytes (or of the open). */
  readonly lastDataAt: number;
  identity(): FileIdentity;
  readChunk(maxBytes: number, now: number): Chunk;
  /** Resolves when readChunk will not ask to wait. */
  ready(): Promise<void>;
  flushPartial(): LineBatch | null;
  close(): void;
}

const HEAD_SCRATCH = Buffer.allocUnsafe(FINGERPRINT_BYTES); // reads are synchronous: one scratch buffer is enough

let shared = Buffer.allocUnsafe(DEFAULT_CHUNK_BYTES);

/**
 * The one buffer every reader reads into: a chunk is cut into lines (strings, and copies of a
 * partial line) before the read returns, so no reader needs its own (10,000 tailed files would
 * hold 640 MB of 64 KB buffers).
 */
export function readBuffer(size: number): Buffer {
  if (shared.length < size) shared = Buffer.allocUnsafe(size);
  return shared;
}

export class FileReader implements ContentReader {
  readonly format = 'plain' as const;
  readonly dev: number;
  readonly ino: number;
  /** Next byte to read from the file. */
  readPos = 0;
  /** File size at the last fstat. */
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  lastDataAt: number;
  private fd: number;
  private closed = false;
  private fp: FpState = fpInit();
  private readonly lines: LineSplitter;
  private readonly chunkBytes: number;

  private constructor(path: string, fd: number, st: fs.Stats, opts: ReaderOptions, now: number) {
    this.fd = fd;
    this.dev = st.dev;
    this.ino = st.ino;
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    this.ctimeMs = st.ctimeMs;
    this.lastDataAt = now;
    this.chunkBytes = Math.max(1, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    this.lines = new LineSplitter(path, Math.max(0, opts.maxLineBytes));
  }

  get path(): string { return this.lines.path; }
  set path(p: string) { this.lines.path = p; }
  /** End of the last batch produced (or the start position): always where a line starts. */
  get consumed(): number { return this.lines.consumed; }

  /**
   * Opens `path` (throws the fs error when it cannot) and positions it. `checkpoint`, when given and
   * matching (same device and inode, the file's head matching the fingerprint on the prefix it had,
   * size >= offset), wins over `start`; a checkpoint that does not match means the file was
   * replaced since it was taken, and the file is read from its start.
   * Returns the reader and how it was positioned.
   */
  static open(path: string, opts: ReaderOptions, start: StartAt, checkpoint?: Checkpoint,
    now: number = Date.now()): { reader: FileReader; how: 'start' | 'end' | 'offset' | 'checkpoint' | 'checkpoint-mismatch' } {
    const fd = opts.fd ?? openRead(opts.fsPath ?? path);
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error(`not a regular file: ${path}`), { code: 'ENOTFILE' });
      const r = new FileReader(path, fd, st, opts, now);
      const head = readHead(fd, HEAD_SCRATCH);
      let how: 'start' | 'end' | 'offset' | 'checkpoint' | 'checkpoint-mismatch' = start.from;
      let pos = 0;
      if (checkpoint) {
        const ok = checkpointMatches(checkpoint, st, head);
        how = ok ? 'checkpoint' : 'checkpoint-mismatch';
        pos = ok ? checkpoint.offset : 0;
      } else if (start.from === 'end') pos = st.size;
      else if (start.from === 'offset') pos = start.offset <= st.size ? start.offset : 0;
      fpFeed(r.fp, head, 0, head.length);
      r.size = Math.max(st.size, head.length);
      r.seek(pos);
      return { reader: r, how };
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  get isClosed(): boolean { return this.closed; }

  identity(): FileIdentity {
    return { dev: this.dev, ino: this.ino, fingerprint: fpHex(this.fp) };
  }

  /** The fingerprinted head of the file, as last read (for recognising copies of it). */
  head(): Buffer {
    return Buffer.from(readHead(this.fd, HEAD_SCRATCH).subarray(0, this.fp.len));
  }

  /** Bytes of a partial line held (not yet emitted). */
  get pendingBytes(): number { return this.readPos - this.consumed; }

  private seek(pos: number): void {
    this.readPos = pos;
    let mid = false;
    if (pos > 0) {
      const one = Buffer.alloc(1);
      const n = fs.readSync(this.fd, one, 0, 1, pos - 1);
      mid = n === 1 && one[0] !== 0x0a;
    }
    this.lines.reset(pos, mid);
  }

  /** fstat; updates size/mtime/ctime. Returns true when any of them changed. */
  stat(): boolean {
    const st = fs.fstatSync(this.fd);
    const changed = st.size !== this.size || st.mtimeMs !== this.mtimeMs || st.ctimeMs !== this.ctimeMs;
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    this.ctimeMs = st.ctimeMs;
    return changed;
  }

  /** Whether fstat now differs from the last stat() (without taking it: the next turn does). */
  changedSinceStat(): boolean {
    const st = fs.fstatSync(this.fd);
    return st.size !== this.size || st.mtimeMs !== this.mtimeMs || st.ctimeMs !== this.ctimeMs;
  }

  /** Number of links of the open file (0 once deleted). */
  nlink(): number {
    return fs.fstatSync(this.fd).nlink;
  }

  /**
   * Truncation check, to be called after stat(): the file shrank below what was read, or its head no
   * longer matches the fingerprint (truncated and rewritten past our position between two looks).
   * Also extends the fingerprint while the file is shorter than FINGERPRINT_BYTES.
   */
  truncated(): boolean {
    if (this.size < this.readPos) return true;
    const head = readHead(this.fd, HEAD_SCRATCH);
    if (this.readPos === 0 && this.lines.held === 0) {
      // nothing read yet: the head may be anything, just (re)take the fingerprint
      this.fp = fpInit();
      fpFeed(this.fp, head, 0, head.length);
      return false;
    }
    if (this.fp.len > 0 && fpPrefixMatch(head, fpHex(this.fp), this.fp.len) !== this.fp.len) return true;
    if (head.length > this.fp.len) fpFeed(this.fp, head, this.fp.len, head.length);
    return false;
  }

  /** Goes back to offset 0 (after a truncation). A held partial line is dropped. */
  resetToStart(): void {
    this.fp = fpInit();
    this.seek(0);
    const head = readHead(this.fd, HEAD_SCRATCH);
    fpFeed(this.fp, head, 0, head.length);
  }

  /**
   * Reads at most min(maxBytes, chunkBytes) bytes at readPos. `n` is the number of bytes read (0 at
   * end of file, fewer than asked when the end was reached); `batch` the lines completed, if any.
   */
  readChunk(maxBytes: number = this.chunkBytes, now: number = Date.now()): Chunk {
    const asked = Math.max(1, Math.min(maxBytes, this.chunkBytes));
    const buf = readBuffer(asked);
    const n = fs.readSync(this.fd, buf, 0, asked, this.readPos);
    if (n === 0) return { n, batch: null, end: true, wait: false };
    const base = this.readPos;
    if (this.fp.len < FINGERPRINT_BYTES && this.fp.len >= base && this.fp.len < base + n) {
      fpFeed(this.fp, buf, this.fp.len - base, n);
    }
    this.readPos += n;
    if (this.readPos > this.size) this.size = this.readPos;
    this.lastDataAt = now;
    return { n, batch: this.lines.push(buf.subarray(0, n), base), end: n < asked, wait: false };
  }

  ready(): Promise<void> { return Promise.resolve(); }

  /**
   * Emits what is held after the last newline as a final line (a partial line), or accounts for a
   * long line / fragment being skipped; the file is then consumed up to readPos. Null when nothing
   * is held.
   */
  flushPartial(): LineBatch | null {
    return this.lines.flush(this.readPos);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { fs.closeSync(this.fd); } catch { /* already gone */ }
  }
}

/**
 * Whether a checkpoint applies to an open file: same device and inode, size >= offset, and the
 * file's head matching the checkpoint's fingerprint on a prefix of at least min(offset, FINGERPRINT_BYTES) bytes.
 */
export function checkpointMatches(cp: Checkpoint, st: { dev: number; ino: number; size: number }, head: Uint8Array): boolean {
  if (cp.identity.dev !== st.dev || cp.identity.ino !== st.ino) return false;
  if (!Number.isSafeInteger(cp.offset) || cp.offset < 0 || cp.offset > st.size) return false;
  return fpPrefixMatch(head, cp.identity.fingerprint, Math.min(cp.offset, FINGERPRINT_BYTES)) >= 0;
}

/** Identity of the file at `path` now (device, inode, fingerprint of its head). */
export function identityOf(path: string | Buffer): FileIdentity {
  const fd = fs.openSync(path, 'r');
  try {
    const st = fs.fstatSync(fd);
    const head = readHead(fd);
    const fp = fpInit();
    fpFeed(fp, head, 0, head.length);
    return { dev: st.dev, ino: st.ino, fingerprint: fpHex(fp) };
  } finally {
    fs.closeSync(fd);
  }
}
