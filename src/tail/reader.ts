// One tailed file: one open fd on one inode. Synchronous reads (page-cache reads of local log files
// are microseconds; the manager bounds the bytes read per turn and yields between turns).
//
// Byte-level contract:
// - Reads `chunkBytes` at a time into one reused Buffer, splits on '\n' (0x0A), strips one trailing
//   '\r', decodes each run of lines with a single Buffer.toString('utf8') (invalid bytes -> U+FFFD;
//   0x0A is never part of a UTF-8 sequence and the decoder never swallows it).
// - Offsets are bytes. A batch covers [startOffset, endOffset): startOffset is where the previous
//   batch ended (or the start position), endOffset is just after the last newline consumed, so
//   consecutive batches are contiguous and `bytes === endOffset - startOffset` (skipped long lines
//   and a skipped leading fragment included).
// - A partial last line is held (up to maxLineBytes + 1 bytes) until its newline arrives; flushPartial()
//   emits it (end of --once, file rotated away or deleted and drained).
// - A line longer than maxLineBytes (measured without its '\n' and a trailing '\r') is skipped whole,
//   however many chunks it spans, and counted in `skippedLong` of the batch in which its newline
//   arrives; the next line is unaffected.
// - Starting at an offset that is not at a line boundary (start "at end" while the last line is still
//   being written, or a checkpoint offset after a partial line emitted by flushPartial) skips the rest
//   of that line up to and including its newline.
import * as fs from 'node:fs';
import type { FileIdentity, LineBatch } from '../core/types.js';
import { FINGERPRINT_BYTES, fpFeed, fpHex, fpInit, fpPrefixMatch, readHead, type FpState } from './fingerprint.js';

export const DEFAULT_CHUNK_BYTES = 64 * 1024;

export interface ReaderOptions {
  chunkBytes?: number;   // default 64 KB
  maxLineBytes: number;
}

export type StartAt =
  | { from: 'start' }
  | { from: 'end' }
  | { from: 'offset'; offset: number };

export interface Checkpoint {
  identity: FileIdentity;
  offset: number;
}

const HEAD_SCRATCH = Buffer.allocUnsafe(FINGERPRINT_BYTES); // reads are synchronous: one scratch buffer is enough

// Reads are synchronous, and readChunk() decodes a chunk (or copies its partial line into `carry`)
// before it returns: one read buffer per chunk size serves every reader (10,000 files held 640 MB of
// their own, which made V8 collect garbage for seconds at start-up).
const READ_BUFFERS = new Map<number, Buffer>();
function readBuffer(size: number): Buffer {
  let b = READ_BUFFERS.get(size);
  if (!b) READ_BUFFERS.set(size, (b = Buffer.allocUnsafe(size)));
  return b;
}

const SKIP_NONE = 0;
const SKIP_LONG = 1;     // rest of a line over maxLineBytes
const SKIP_FRAGMENT = 2; // rest of a line we started in the middle of

export class FileReader {
  readonly dev: number;
  readonly ino: number;
  /** Next byte to read from the file. */
  readPos = 0;
  /** End of the last batch produced (or the start position): always where a line starts. */
  consumed = 0;
  /** File size at the last fstat. */
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Wall time (ms) of the last read that returned bytes (or of the open). */
  lastDataAt: number;
  private fd: number;
  private closed = false;
  private fp: FpState = fpInit();
  private buf: Buffer;
  private carry: Buffer = Buffer.alloc(0);
  private carryLen = 0;
  private skipping = SKIP_NONE;
  private readonly chunkBytes: number;
  private readonly maxLineBytes: number;

  private constructor(public path: string, fd: number, st: fs.Stats, opts: ReaderOptions, now: number) {
    this.fd = fd;
    this.dev = st.dev;
    this.ino = st.ino;
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    this.ctimeMs = st.ctimeMs;
    this.lastDataAt = now;
    this.chunkBytes = Math.max(1, opts.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    this.maxLineBytes = Math.max(0, opts.maxLineBytes);
    this.buf = readBuffer(this.chunkBytes);
  }

  /**
   * Opens `path` (throws the fs error when it cannot) and positions it. `checkpoint`, when given and
   * matching (same device and inode, the file's head matching the fingerprint on the prefix it had,
   * size >= offset), wins over `start`; a checkpoint that does not match means the file was
   * replaced since it was taken, and the file is read from its start.
   * Returns the reader and how it was positioned.
   */
  static open(path: string, opts: ReaderOptions, start: StartAt, checkpoint?: Checkpoint,
    now: number = Date.now()): { reader: FileReader; how: 'start' | 'end' | 'offset' | 'checkpoint' | 'checkpoint-mismatch' } {
    const fd = fs.openSync(path, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error(`not a regular file: ${path}`), { code: 'ENOTFILE' });
      const r = new FileReader(path, fd, st, opts, now);
      const head = readHead(fd);
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

  /** Bytes of a partial line held (not yet emitted). */
  get pendingBytes(): number { return this.readPos - this.consumed; }

  private seek(pos: number): void {
    this.readPos = this.consumed = pos;
    this.carryLen = 0;
    this.skipping = SKIP_NONE;
    if (pos > 0) {
      const one = Buffer.alloc(1);
      const n = fs.readSync(this.fd, one, 0, 1, pos - 1);
      if (n === 1 && one[0] !== 0x0a) this.skipping = SKIP_FRAGMENT;
    }
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

  /** Number of links of the open file (0 once deleted). */
  nlink(): number {
    return fs.fstatSync(this.fd).nlink;
  }

  /**
   * Truncation check, to be called after stat(): the file shrank below what was read, or its head no
   * longer matches the fingerprint (truncated and rewritten past our position between two looks).
   * Also extends the fingerprint while the file is shorter than 1024 bytes.
   */
  truncated(): boolean {
    if (this.size < this.readPos) return true;
    const head = readHead(this.fd, HEAD_SCRATCH);
    if (this.readPos === 0 && this.carryLen === 0) {
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
  readChunk(maxBytes: number = this.chunkBytes, now: number = Date.now()): { n: number; asked: number; batch: LineBatch | null } {
    const asked = Math.max(1, Math.min(maxBytes, this.chunkBytes));
    const n = fs.readSync(this.fd, this.buf, 0, asked, this.readPos);
    if (n === 0) return { n, asked, batch: null };
    const base = this.readPos;
    if (this.fp.len < FINGERPRINT_BYTES && this.fp.len >= base && this.fp.len < base + n) {
      fpFeed(this.fp, this.buf, this.fp.len - base, n);
    }
    this.readPos += n;
    if (this.readPos > this.size) this.size = this.readPos;
    this.lastDataAt = now;
    return { n, asked, batch: this.process(this.buf.subarray(0, n), base) };
  }

  private process(view: Buffer, base: number): LineBatch | null {
    const max = this.maxLineBytes;
    if (this.skipping === SKIP_NONE && this.carryLen + view.length <= max) return this.processShort(view, base);
    const lines: string[] = [];
    let skipped = 0;
    let lastBoundary = -1;
    let segStart = -1; // start (in view) of the current run of accepted lines
    let segEnd = -1;   // index of the newline ending that run
    const flushSeg = () => {
      if (segStart < 0) return;
      for (const s of splitLines(view, segStart, segEnd)) lines.push(s);
      segStart = segEnd = -1;
    };
    let pos = 0;
    const n = view.length;
    while (pos < n) {
      const nl = view.indexOf(0x0a, pos);
      if (nl < 0) {
        if (this.skipping === SKIP_NONE) this.hold(view, pos, n);
        break;
      }
      if (this.skipping !== SKIP_NONE) {
        if (this.skipping === SKIP_LONG) skipped++;
        this.skipping = SKIP_NONE;
      } else if (this.carryLen > 0) {
        const total = this.carryLen + (nl - pos);
        const lastByte = nl > pos ? view[nl - 1] : this.carry[this.carryLen - 1];
        const len = total - (lastByte === 13 ? 1 : 0);
        if (len > max) { skipped++; this.dropCarry(); } else lines.push(this.takeCarried(view, pos, nl));
      } else {
        const len = nl - pos - (nl > pos && view[nl - 1] === 13 ? 1 : 0);
        if (len > max) { flushSeg(); skipped++; } else {
          if (segStart < 0) segStart = pos;
          segEnd = nl;
        }
      }
      pos = nl + 1;
      lastBoundary = base + pos;
    }
    flushSeg();
    if (lastBoundary < 0) return null;
    return this.emit(lines, lastBoundary, skipped);
  }

  /**
   * process() for the usual chunk: the held partial line and the chunk together no longer than a
   * line may be, so no line can be too long. Two searches (first and last newline) and one decode,
   * instead of a search per line.
   */
  private processShort(view: Buffer, base: number): LineBatch | null {
    const n = view.length;
    const last = view.lastIndexOf(0x0a);
    if (last < 0) {
      this.hold(view, 0, n);
      return null;
    }
    let lines: string[];
    if (this.carryLen > 0) {
      const first = view.indexOf(0x0a);
      const carried = this.takeCarried(view, 0, first);
      lines = first < last ? splitLines(view, first + 1, last) : [];
      lines.unshift(carried);
    } else {
      lines = splitLines(view, 0, last);
    }
    if (last + 1 < n) this.hold(view, last + 1, n);
    return this.emit(lines, base + last + 1, 0);
  }

  /** The held partial line completed by view[from, to) (its newline at `to`), without a trailing '\r'. */
  private takeCarried(view: Buffer, from: number, to: number): string {
    const s = stripCR(Buffer.concat([this.carry.subarray(0, this.carryLen), view.subarray(from, to)]).toString('utf8'));
    this.dropCarry();
    return s;
  }

  private dropCarry(): void {
    this.carryLen = 0;
    if (this.carry.length > 64 * 1024) this.carry = Buffer.alloc(0); // a rare long line: don't keep its buffer
  }

  /** The batch of `lines` up to file offset `end` (a line start); the file is consumed up to it. */
  private emit(lines: string[], end: number, skippedLong: number): LineBatch {
    const batch: LineBatch = {
      path: this.path, lines, startOffset: this.consumed, endOffset: end, bytes: end - this.consumed, skippedLong,
    };
    this.consumed = end;
    return batch;
  }

  /** Keeps view[from, to) as (part of) the partial line; switches to skipping once it is too long. */
  private hold(view: Buffer, from: number, to: number): void {
    const add = to - from;
    if (this.carryLen + add > this.maxLineBytes + 1) { // +1: a trailing '\r' does not count
      this.dropCarry();
      this.skipping = SKIP_LONG;
      return;
    }
    if (this.carryLen + add > this.carry.length) {
      const next = Buffer.allocUnsafe(Math.min(this.maxLineBytes + 1, Math.max(this.carryLen + add, this.carry.length * 2, 256)));
      this.carry.copy(next, 0, 0, this.carryLen);
      this.carry = next;
    }
    view.copy(this.carry, this.carryLen, from, to);
    this.carryLen += add;
  }

  /**
   * Emits what is held after the last newline as a final line (a partial line), or accounts for a
   * long line / fragment being skipped; the file is then consumed up to readPos. Null when nothing
   * is held.
   */
  flushPartial(): LineBatch | null {
    if (this.readPos === this.consumed) return null;
    const lines: string[] = [];
    let skipped = 0;
    if (this.skipping === SKIP_LONG) skipped = 1;
    else if (this.skipping === SKIP_NONE && this.carryLen > 0) {
      const len = this.carryLen - (this.carry[this.carryLen - 1] === 13 ? 1 : 0);
      if (len > this.maxLineBytes) skipped = 1;
      else lines.push(this.carry.toString('utf8', 0, len));
    }
    const batch = this.emit(lines, this.readPos, skipped);
    this.carryLen = 0;
    this.skipping = SKIP_NONE;
    return batch;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { fs.closeSync(this.fd); } catch { /* already gone */ }
  }
}

/** The lines of view[from, to) (`to` at a newline), each without a trailing '\r'. */
function splitLines(view: Buffer, from: number, to: number): string[] {
  const lines = view.toString('utf8', from, to).split('\n');
  for (let i = 0; i < lines.length; i++) lines[i] = stripCR(lines[i]!);
  return lines;
}

function stripCR(s: string): string {
  return s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

/**
 * Whether a checkpoint applies to an open file: same device and inode, size >= offset, and the
 * file's head matching the checkpoint's fingerprint on a prefix of at least min(offset, 1024) bytes.
 */
export function checkpointMatches(cp: Checkpoint, st: { dev: number; ino: number; size: number }, head: Uint8Array): boolean {
  if (cp.identity.dev !== st.dev || cp.identity.ino !== st.ino) return false;
  if (!Number.isSafeInteger(cp.offset) || cp.offset < 0 || cp.offset > st.size) return false;
  return fpPrefixMatch(head, cp.identity.fingerprint, Math.min(cp.offset, FINGERPRINT_BYTES)) >= 0;
}

/** Identity of the file at `path` now (device, inode, fingerprint of its head). */
export function identityOf(path: string): FileIdentity {
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
