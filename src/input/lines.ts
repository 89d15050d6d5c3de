// Bytes of a stream (standard input) to LineBatches, with the file reader's byte contract
// (src/tail/reader.ts): split on '\n', one trailing '\r' removed, each run of lines decoded with one
// toString('utf8') (invalid bytes become U+FFFD); a line longer than maxLineBytes (without its '\n'
// and a trailing '\r') is skipped whole however many chunks it spans and counted in the batch where
// its newline arrives; a partial last line is held (at most maxLineBytes + 1 bytes) and emitted by
// end(). Offsets count bytes from the start of the stream; batches are contiguous.
import type { LineBatch } from '../core/types.js';

const NL = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private held: Buffer[] = [];
  private heldLen = 0;
  private tooLong = false;       // inside a line already known to be over the limit
  private consumed = 0;          // end of the last batch: a line start
  private read = 0;              // bytes pushed so far
  private readonly max: number;

  constructor(private readonly path: string, maxLineBytes: number) {
    this.max = Math.max(0, maxLineBytes);
  }

  /** Bytes after the last complete line (held, or being skipped). */
  get pendingBytes(): number {
    return this.read - this.consumed;
  }

  /** The lines completed by `chunk`, or null when it completes none. */
  push(chunk: Buffer): LineBatch | null {
    this.read += chunk.length;
    if (!this.tooLong && this.heldLen + chunk.length <= this.max) return this.pushShort(chunk);
    return this.pushLong(chunk);
  }

  /** At end of input: the held partial line as a last line (or counted, when too long). */
  end(): LineBatch | null {
    if (this.read === this.consumed) return null;
    const lines: string[] = [];
    let skipped = this.tooLong ? 1 : 0;
    if (!this.tooLong && this.heldLen > 0) {
      const line = this.takeHeld();
      const len = line.length - (line[line.length - 1] === CR ? 1 : 0);
      if (len > this.max) skipped = 1; else lines.push(line.toString('utf8', 0, len));
    }
    this.tooLong = false;
    return this.batch(lines, this.read, skipped);
  }

  /** No line in held + chunk can be too long: two searches and one decode for the whole chunk. */
  private pushShort(chunk: Buffer): LineBatch | null {
    const last = chunk.lastIndexOf(NL);
    if (last < 0) {
      this.hold(chunk, 0, chunk.length);
      return null;
    }
    let lines: string[];
    if (this.heldLen > 0) {
      const first = chunk.indexOf(NL);
      this.hold(chunk, 0, first);
      const head = decodeLine(this.takeHeld());
      lines = first < last ? decodeLines(chunk, first + 1, last) : [];
      lines.unshift(head);
    } else {
      lines = decodeLines(chunk, 0, last);
    }
    if (last + 1 < chunk.length) this.hold(chunk, last + 1, chunk.length);
    return this.batch(lines, this.read - chunk.length + last + 1, 0);
  }

  /** Line by line, skipping the lines over the limit. */
  private pushLong(chunk: Buffer): LineBatch | null {
    const base = this.read - chunk.length;
    const lines: string[] = [];
    let skipped = 0;
    let end = -1;
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      if (nl < 0) {
        if (!this.tooLong) this.hold(chunk, pos, chunk.length);
        break;
      }
      if (this.tooLong) {
        skipped++;
        this.tooLong = false;
      } else {
        this.hold(chunk, pos, nl);
        if (this.tooLong) { skipped++; this.tooLong = false; } else {
          const line = this.takeHeld();
          const len = line.length - (line[line.length - 1] === CR ? 1 : 0);
          if (len > this.max) skipped++; else lines.push(line.toString('utf8', 0, len));
        }
      }
      pos = nl + 1;
      end = base + pos;
    }
    return end < 0 ? null : this.batch(lines, end, skipped);
  }

  /** Keeps chunk[from, to) as part of the partial line, until it is known to be too long. */
  private hold(chunk: Buffer, from: number, to: number): void {
    if (this.tooLong || to === from) return;
    this.heldLen += to - from;
    if (this.heldLen > this.max + 1) { // + 1: a trailing '\r' does not count
      this.held = [];
      this.heldLen = 0;
      this.tooLong = true;
      return;
    }
    this.held.push(chunk.subarray(from, to));
  }

  private takeHeld(): Buffer {
    const b = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldLen);
    this.held = [];
    this.heldLen = 0;
    return b;
  }

  private batch(lines: string[], end: number, skippedLong: number): LineBatch {
    const b: LineBatch = { path: this.path, lines, startOffset: this.consumed, endOffset: end, bytes: end - this.consumed, skippedLong };
    this.consumed = end;
    return b;
  }
}

function decodeLine(b: Buffer): string {
  return b.toString('utf8', 0, b.length - (b[b.length - 1] === CR ? 1 : 0));
}

/** The lines of chunk[from, to) (`to` at a newline), each without a trailing '\r'. */
function decodeLines(chunk: Buffer, from: number, to: number): string[] {
  const lines = chunk.toString('utf8', from, to).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i]!;
    if (s.charCodeAt(s.length - 1) === CR) lines[i] = s.slice(0, -1);
  }
  return lines;
}
