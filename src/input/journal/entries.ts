// What the export parser keeps of each entry (export.ts does the framing): MESSAGE as the line,
// __REALTIME_TIMESTAMP, __CURSOR and the group's fields, gathered into the batch take() returns.
//
// MESSAGE becomes the line: one trailing '\n' and then one trailing '\r' removed (as a file line
// loses its newline and a trailing '\r'), decoded as UTF-8 (invalid bytes become U+FFFD). An entry
// whose MESSAGE is longer than max_line_bytes is skipped whole and counted; one without MESSAGE is
// counted; both still move the cursor. The first occurrence of a field in an entry wins (as
// sd_journal_get_data() returns it). `skipCursor`: the output of `journalctl --cursor=C` starts with
// the entry at C when it still exists and matches; that entry was handed out before, so the first
// entry is dropped when its cursor is C.
import { isUtf8 } from 'node:buffer';
import type { JournalBatch } from './batch.js';

export const T_SKIP = -1;
const T_MESSAGE = -2;
const T_CURSOR = -3;
const T_TIME = -4;
const SMALL_CAP = 4096;        // __CURSOR and __REALTIME_TIMESTAMP are short
const NL = 0x0a;

export class EntryCollector {
  /** Names of the kept fields by length (index): the bytes of each name and what it is. */
  private readonly byLength: Array<Array<{ name: Buffer; target: number }>> = [];
  private readonly nFields: number;
  private readonly maxLineBytes: number;
  // entry being read
  private eMsg: string | undefined = undefined;
  private eMsgLong = false;
  private eBinary = false;
  private eTime = NaN;
  private eCursor: Buffer | null = null;     // the cursor's bytes, decoded only for the last entry of a batch
  private eCursorS = 0;
  private eCursorE = 0;
  private eFields: Array<string | undefined> = [];
  // batch being built
  private lines: string[] = [];
  private timesUs: number[] = [];
  private fields: Array<Array<string | undefined>> = [];
  private entries = 0;
  private skippedLong = 0;
  private binary = 0;
  private noMessage = 0;
  private cursorBuf: Buffer | null = null;
  private cursorS = 0;
  private cursorE = 0;
  private batchStart = 0;
  /** Stream offset just after the last complete entry. */
  entryEnd = 0;

  constructor(private readonly source: string, fields: readonly string[], maxLineBytes: number, private skipCursor: string | null) {
    this.nFields = fields.length;
    this.maxLineBytes = Math.max(0, maxLineBytes);
    const keep = (name: string, target: number) => {
      const b = Buffer.from(name, 'latin1');
      (this.byLength[b.length] ??= []).push({ name: b, target });
    };
    fields.forEach((f, i) => keep(f, i));
    keep('MESSAGE', T_MESSAGE);
    keep('__CURSOR', T_CURSOR);
    keep('__REALTIME_TIMESTAMP', T_TIME);
    this.resetEntry();
  }

  /** What the field named b[s, e) is: T_SKIP when it is not kept or already set in this entry. */
  target(b: Buffer, s: number, e: number): number {
    const candidates = this.byLength[e - s];
    if (candidates === undefined) return T_SKIP;
    next: for (const c of candidates) {
      for (let i = e - s - 1; i >= 0; i--) if (c.name[i] !== b[s + i]) continue next; // names share prefixes: compare from the end
      return this.isSet(c.target) ? T_SKIP : c.target;
    }
    return T_SKIP;
  }

  /** The longest value of target `t` worth keeping. */
  cap(t: number): number {
    return t === T_CURSOR || t === T_TIME ? SMALL_CAP : t === T_MESSAGE ? this.maxLineBytes + 2 : this.maxLineBytes; // + '\n' and '\r' stripped from MESSAGE
  }

  private isSet(t: number): boolean {
    if (t === T_MESSAGE) return this.eMsg !== undefined || this.eMsgLong;
    if (t === T_CURSOR) return this.eCursor !== null;
    if (t === T_TIME) return !Number.isNaN(this.eTime);
    return this.eFields[t] !== undefined;
  }

  /** Target t's whole value is v[s, e) (at most cap(t) bytes); `binary`: it came in the binary form. */
  assign(t: number, v: Buffer, s: number, e: number, binary: boolean): void {
    if (t === T_MESSAGE) {
      if (e > s && v[e - 1] === NL) e--;
      if (e > s && v[e - 1] === 13) e--;
      if (e - s > this.maxLineBytes) { this.eMsgLong = true; return; }
      // Only the binary form can hold invalid UTF-8 or NUL: journalctl prints the others as text.
      if (binary && (!isUtf8(v.subarray(s, e)) || v.subarray(s, e).includes(0))) this.eBinary = true;
      this.eMsg = v.toString('utf8', s, e);
    } else if (t === T_CURSOR) {
      this.eCursor = v;
      this.eCursorS = s;
      this.eCursorE = e;
    } else if (t === T_TIME) this.eTime = parseMicros(v, s, e);
    else this.eFields[t] = v.toString('utf8', s, e);
  }

  /** Target t's value was over its cap. */
  over(t: number): void {
    if (t === T_MESSAGE) this.eMsgLong = true;
    // a requested field over max_line_bytes stays absent; an over-long cursor or time is not one
  }

  /** The empty line after an entry, ending at stream offset `end`. */
  endEntry(end: number): void {
    this.entryEnd = end;
    if (this.skipCursor !== null) {
      const skip = this.eCursor !== null && this.eCursor.toString('latin1', this.eCursorS, this.eCursorE) === this.skipCursor;
      this.skipCursor = null;
      if (skip) { this.resetEntry(); return; }
    }
    this.entries++;
    if (this.eCursor !== null) {
      this.cursorBuf = this.eCursor;
      this.cursorS = this.eCursorS;
      this.cursorE = this.eCursorE;
    }
    if (this.eMsgLong) this.skippedLong++;
    else if (this.eMsg === undefined) this.noMessage++;
    else {
      this.lines.push(this.eMsg);
      this.timesUs.push(this.eTime);
      if (this.nFields > 0) this.fields.push(this.eFields);
      if (this.eBinary) this.binary++;
    }
    this.resetEntry();
  }

  /** The entries completed since the last take(), or null when there are none. */
  take(): JournalBatch | null {
    if (this.entries === 0) return null;
    const b: JournalBatch = {
      path: this.source, lines: this.lines, startOffset: this.batchStart, endOffset: this.entryEnd,
      bytes: this.entryEnd - this.batchStart, skippedLong: this.skippedLong, timesUs: this.timesUs, fields: this.fields,
      cursor: this.cursorBuf === null ? '' : this.cursorBuf.toString('latin1', this.cursorS, this.cursorE),
      entries: this.entries, binary: this.binary, noMessage: this.noMessage,
    };
    this.lines = [];
    this.timesUs = [];
    this.fields = [];
    this.entries = this.skippedLong = this.binary = this.noMessage = 0;
    this.batchStart = this.entryEnd;
    return b;
  }

  private resetEntry(): void {
    this.eMsg = undefined;
    this.eMsgLong = false;
    this.eBinary = false;
    this.eTime = NaN;
    this.eCursor = null;
    this.eFields = this.nFields > 0 ? new Array<string | undefined>(this.nFields).fill(undefined) : this.eFields;
  }
}

/** Decimal digits to a number (microseconds: below 2^53 until the year 2255); NaN for anything else. */
function parseMicros(v: Buffer, s: number, e: number): number {
  if (e === s || e - s > 16) return NaN;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = v[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}
