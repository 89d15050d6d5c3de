// A streaming parser of journalctl's export format (systemd's "Journal Export Format"): entries are
// runs of fields ended by an empty line; a field is `NAME=value\n` when the value is printable UTF-8
// without newlines, else `NAME\n`, a 64-bit little-endian length, the raw bytes, and `\n`.
//
// Chunks arrive as journalctl writes them, split anywhere (inside a name, a length, a value). Only
// the fields a batch needs are kept (MESSAGE, __CURSOR, __REALTIME_TIMESTAMP and the group's
// `journal.fields`); the others are skipped as they stream past, and a kept value stops being
// buffered once it is over its cap, so no entry can make memory grow beyond max_line_bytes.
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

const NL = 0x0a;
const EQ = 0x3d;
const MAX_NAME = 255;          // journald's names are at most 64 bytes; be lenient, but bounded
const SMALL_CAP = 4096;        // __CURSOR and __REALTIME_TIMESTAMP are short

const ST_NAME = 0;             // at (or inside) a field name
const ST_TEXT = 1;             // inside a `NAME=value` value
const ST_LEN = 2;              // inside the 8 length bytes of a binary field
const ST_BIN = 3;              // inside a binary value
const ST_BIN_NL = 4;           // expecting the '\n' after a binary value

const T_SKIP = -1;
const T_MESSAGE = -2;
const T_CURSOR = -3;
const T_TIME = -4;

/** The output is not the export format (a bug, or not journalctl's output): the caller restarts. */
export class ExportFormatError extends Error {}

export class ExportParser {
  /** Names of the kept fields by length (index): the bytes of each name and what it is. */
  private readonly byLength: Array<Array<{ name: Buffer; target: number }>> = [];
  private readonly nFields: number;
  private readonly maxLineBytes: number;
  // field being read
  private state = ST_NAME;
  private readonly name = Buffer.allocUnsafe(MAX_NAME);
  private nameLen = 0;
  private target = T_SKIP;
  private cap = 0;
  private parts: Buffer[] = [];
  private partsLen = 0;
  private over = false;
  private readonly lenBuf = Buffer.allocUnsafe(8);
  private lenGot = 0;
  private remaining = 0;
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
  private base = 0;            // stream offset of the chunk being parsed
  private entryEnd = 0;        // stream offset just after the last complete entry
  private batchStart = 0;

  constructor(private readonly source: string, fields: readonly string[], maxLineBytes: number,
    private skipCursor: string | null = null) {
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

  /** Bytes of an entry not yet complete (0 at an entry boundary). */
  get pendingBytes(): number {
    return this.base - this.entryEnd;
  }

  /** Parses one chunk; the complete entries join the batch take() returns. Throws ExportFormatError. */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      switch (this.state) {
        case ST_NAME: p = this.onName(chunk, p); break;
        case ST_TEXT: p = this.onText(chunk, p); break;
        case ST_LEN: p = this.onLen(chunk, p); break;
        case ST_BIN: p = this.onBin(chunk, p); break;
        default:
          if (chunk[p] !== NL) throw new ExportFormatError('a binary field is not followed by a newline');
          this.state = ST_NAME;
          p++;
      }
    }
    this.base += n;
  }

  /** The entries completed since the last take(), or null when there are none. */
  take(): JournalBatch | null {
    if (this.entries === 0) return null;
    const b: JournalBatch = {
      path: this.source, lines: this.lines, startOffset: this.batchStart, endOffset: this.entryEnd,
      bytes: this.entryEnd - this.batchStart, skippedLong: this.skippedLong, timesUs: this.timesUs,
      fields: this.fields, cursor: this.cursorBuf === null ? '' : this.cursorBuf.toString('latin1', this.cursorS, this.cursorE), entries: this.entries, binary: this.binary, noMessage: this.noMessage,
    };
    this.lines = [];
    this.timesUs = [];
    this.fields = [];
    this.entries = this.skippedLong = this.binary = this.noMessage = 0;
    this.batchStart = this.entryEnd;
    return b;
  }

  private onName(c: Buffer, p: number): number {
    if (this.nameLen === 0) {
      // The usual case: a whole `NAME=value\n` (or `NAME\n`, or the empty line) inside this chunk.
      const nl = c.indexOf(NL, p);
      if (nl === p) { this.endEntry(this.base + p + 1); return p + 1; }
      if (nl > p) {
        const lim = Math.min(nl, p + MAX_NAME + 1);
        let i = p;
        while (i < lim && c[i] !== EQ) i++;
        if (i < lim) {
          this.beginField(c, p, i);
          if (this.target !== T_SKIP) this.assign(c, i + 1, nl, false);
          return nl + 1;
        }
        if (nl - p > MAX_NAME) throw new ExportFormatError('a field name is too long');
        this.beginField(c, p, nl);
        this.state = ST_LEN;
        this.lenGot = 0;
        return nl + 1;
      }
    }
    // A name split across chunks: byte by byte.
    for (let i = p; i < c.length; i++) {
      const b = c[i]!;
      if (b === EQ || b === NL) {
        if (b === NL && this.nameLen === 0) { this.endEntry(this.base + i + 1); return i + 1; }
        this.beginField(this.name, 0, this.nameLen);
        this.nameLen = 0;
        this.state = b === EQ ? ST_TEXT : ST_LEN;
        this.lenGot = 0;
        return i + 1;
      }
      if (this.nameLen >= MAX_NAME) throw new ExportFormatError('a field name is too long');
      this.name[this.nameLen++] = b;
    }
    return c.length;
  }

  private onText(c: Buffer, p: number): number {
    const nl = c.indexOf(NL, p);
    const end = nl < 0 ? c.length : nl;
    this.collect(c, p, end);
    if (nl < 0) return end;
    this.finishValue(false);
    this.state = ST_NAME;
    return nl + 1;
  }

  private onLen(c: Buffer, p: number): number {
    const take = Math.min(8 - this.lenGot, c.length - p);
    c.copy(this.lenBuf, this.lenGot, p, p + take);
    this.lenGot += take;
    if (this.lenGot === 8) {
      this.remaining = this.lenBuf.readUInt32LE(0) + this.lenBuf.readUInt32LE(4) * 2 ** 32;
      this.state = ST_BIN;
      if (this.remaining === 0) this.endBinary(c, p + take, p + take);
    }
    return p + take;
  }

  private onBin(c: Buffer, p: number): number {
    const take = Math.min(this.remaining, c.length - p);
    this.remaining -= take;
    if (this.remaining === 0) this.endBinary(c, p, p + take);
    else this.collect(c, p, p + take);
    return p + take;
  }

  /** The last bytes of a binary value are c[s, e). */
  private endBinary(c: Buffer, s: number, e: number): void {
    if (this.target !== T_SKIP && this.partsLen === 0 && !this.over) this.assign(c, s, e, true);
    else {
      this.collect(c, s, e);
      this.finishValue(true);
    }
    this.state = ST_BIN_NL;
  }

  /** The field named b[s, e) starts. */
  private beginField(b: Buffer, s: number, e: number): void {
    const t = this.lookup(b, s, e);
    this.target = t === T_SKIP || this.isSet(t) ? T_SKIP : t;
    this.cap = this.target === T_CURSOR || this.target === T_TIME ? SMALL_CAP
      : this.target === T_MESSAGE ? this.maxLineBytes + 2 : this.maxLineBytes; // + '\n' and '\r' stripped from MESSAGE
    this.parts = [];
    this.partsLen = 0;
    this.over = false;
  }

  /** What the field named b[s, e) is (T_SKIP for the fields not kept), without making a string of it. */
  private lookup(b: Buffer, s: number, e: number): number {
    const candidates = this.byLength[e - s];
    if (candidates === undefined) return T_SKIP;
    next: for (const c of candidates) {
      for (let i = e - s - 1; i >= 0; i--) if (c.name[i] !== b[s + i]) continue next; // names share prefixes: compare from the end
      return c.target;
    }
    return T_SKIP;
  }

  private isSet(t: number): boolean {
    if (t === T_MESSAGE) return this.eMsg !== undefined || this.eMsgLong;
    if (t === T_CURSOR) return this.eCursor !== null;
    if (t === T_TIME) return !Number.isNaN(this.eTime);
    return this.eFields[t] !== undefined;
  }

  /** Keeps c[s, e) as part of the current value, until it goes over its cap. */
  private collect(c: Buffer, s: number, e: number): void {
    if (this.target === T_SKIP || this.over || e === s) return;
    this.partsLen += e - s;
    if (this.partsLen > this.cap) {
      this.over = true;
      this.parts = [];
      return;
    }
    this.parts.push(c.subarray(s, e));
  }

  private finishValue(binary: boolean): void {
    if (this.target === T_SKIP) return;
    if (this.over) { this.assignOver(); return; }
    const v = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLen);
    this.parts = [];
    this.assign(v, 0, v.length, binary);
  }

  /** The current field's whole value is v[s, e); `binary`: it came in the binary form. */
  private assign(v: Buffer, s: number, e: number, binary: boolean): void {
    if (e - s > this.cap) { this.assignOver(); return; }
    const t = this.target;
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
    }
    else if (t === T_TIME) this.eTime = parseMicros(v, s, e);
    else this.eFields[t] = v.toString('utf8', s, e);
  }

  private assignOver(): void {
    if (this.target === T_MESSAGE) this.eMsgLong = true;
    // a requested field over max_line_bytes stays absent; an over-long cursor or time is not one
  }

  private endEntry(end: number): void {
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
