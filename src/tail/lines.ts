// Bytes to lines, for every kind of file (plain or decompressed): the byte-level contract.
// - Chunks arrive in order, each with the content offset of its first byte. Lines split on '\n'
//   (0x0A), one trailing '\r' stripped, each run of lines decoded with a single toString('utf8')
//   (invalid bytes -> U+FFFD; 0x0A is never part of a UTF-8 sequence).
// - A batch covers [startOffset, endOffset): startOffset is where the previous batch ended (or the
//   start position), endOffset is just after the last newline consumed, so consecutive batches are
//   contiguous and `bytes === endOffset - startOffset` (skipped long lines and a skipped leading
//   fragment included).
// - A partial last line is held (up to maxLineBytes + 1 bytes) until its newline arrives; flush()
//   emits it (end of --once, file rotated away or deleted and drained).
// - A line longer than maxLineBytes (without its '\n' and a trailing '\r') is skipped whole, however
//   many chunks it spans, and counted in `skippedLong` of the batch in which its newline arrives.
// - Starting in the middle of a line (start "at end" while the last line is being written, or a
//   checkpoint after a partial line emitted by flush()) skips the rest of it, newline included.
import type { LineBatch } from '../core/types.js';

const SKIP_NONE = 0;
const SKIP_LONG = 1;     // rest of a line over maxLineBytes
const SKIP_FRAGMENT = 2; // rest of a line we started in the middle of

export class LineSplitter {
  /** End of the last batch produced (or the start position): always where a line starts. */
  consumed = 0;
  private carry: Buffer = Buffer.alloc(0);
  private carryLen = 0;
  private skipping = SKIP_NONE;

  constructor(public path: string, private readonly maxLineBytes: number) {}

  /** Starts over at content offset pos; `midLine` when pos is not just after a newline. */
  reset(pos: number, midLine: boolean): void {
    this.consumed = pos;
    this.carryLen = 0;
    this.skipping = midLine ? SKIP_FRAGMENT : SKIP_NONE;
  }

  /** Bytes of a partial line held. */
  get held(): number { return this.carryLen; }

  /** The lines completed by view (the content bytes at [base, base + view.length)). */
  push(view: Buffer, base: number): LineBatch | null {
    if (this.skipping === SKIP_NONE && this.carryLen + view.length <= this.maxLineBytes) return this.pushShort(view, base);
    const max = this.maxLineBytes;
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
   * push() for the usual chunk: the held partial line and the chunk together no longer than a line
   * may be, so no line can be too long. Two searches (first and last newline) and one decode,
   * instead of a search per line.
   */
  private pushShort(view: Buffer, base: number): LineBatch | null {
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

  /**
   * Emits what is held after the last newline as a final line, or accounts for a long line or
   * fragment being skipped; the content is then consumed up to `readPos`. Null when nothing is held.
   */
  flush(readPos: number): LineBatch | null {
    if (readPos === this.consumed) return null;
    const lines: string[] = [];
    let skipped = 0;
    if (this.skipping === SKIP_LONG) skipped = 1;
    else if (this.skipping === SKIP_NONE && this.carryLen > 0) {
      const len = this.carryLen - (this.carry[this.carryLen - 1] === 13 ? 1 : 0);
      if (len > this.maxLineBytes) skipped = 1;
      else lines.push(this.carry.toString('utf8', 0, len));
    }
    const batch = this.emit(lines, readPos, skipped);
    this.carryLen = 0;
    this.skipping = SKIP_NONE;
    return batch;
  }

  /** Drops a held partial line (damaged input): the content counts as consumed up to readPos. */
  discard(readPos: number): void {
    this.dropCarry();
    this.skipping = SKIP_NONE;
    this.consumed = readPos;
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

  /** The batch of `lines` up to content offset `end` (a line start); consumed up to it. */
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

/** The complete lines at the start of a file's head (for ordering by the first line's time). */
export function firstLines(head: Buffer, max = 50): string[] {
  const out: string[] = [];
  let pos = 0;
  while (out.length < max) {
    const nl = head.indexOf(0x0a, pos);
    if (nl < 0) break;
    out.push(stripCR(head.toString('utf8', pos, nl)));
    pos = nl + 1;
  }
  return out;
}
