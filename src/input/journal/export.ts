// A streaming parser of journalctl's export format (systemd's "Journal Export Format"): entries are
// runs of fields ended by an empty line; a field is `NAME=value\n` when the value is printable UTF-8
// without newlines, else `NAME\n`, a 64-bit little-endian length, the raw bytes, and `\n`.
//
// Chunks arrive as journalctl writes them, split anywhere (inside a name, a length, a value). Only
// the fields entries.ts keeps are gathered; the others are skipped as they stream past, and a kept
// value stops being buffered once it is over its cap, so no entry can make memory grow beyond
// max_line_bytes.
import type { JournalBatch } from './batch.js';
import { EntryCollector, T_SKIP } from './entries.js';

const NL = 0x0a;
const EQ = 0x3d;
const MAX_NAME = 255;          // journald's names are at most 64 bytes; be lenient, but bounded

const ST_NAME = 0;             // at (or inside) a field name
const ST_TEXT = 1;             // inside a `NAME=value` value
const ST_LEN = 2;              // inside the 8 length bytes of a binary field
const ST_BIN = 3;              // inside a binary value
const ST_BIN_NL = 4;           // expecting the '\n' after a binary value

/** The output is not the export format (a bug, or not journalctl's output): the caller restarts. */
export class ExportFormatError extends Error {}

export class ExportParser {
  private readonly entries: EntryCollector;
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
  private base = 0;            // stream offset of the chunk being parsed

  /** `skipCursor`: see entries.ts (reading from `--cursor=C` drops the entry at C). */
  constructor(source: string, fields: readonly string[], maxLineBytes: number, skipCursor: string | null = null) {
    this.entries = new EntryCollector(source, fields, maxLineBytes, skipCursor);
  }

  /** Bytes of an entry not yet complete (0 at an entry boundary). */
  get pendingBytes(): number {
    return this.base - this.entries.entryEnd;
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
    return this.entries.take();
  }
  private onName(c: Buffer, p: number): number {
    if (this.nameLen === 0) {
      // The usual case: a whole `NAME=value\n` (or `NAME\n`, or the empty line) inside this chunk.
      const nl = c.indexOf(NL, p);
      if (nl === p) { this.entries.endEntry(this.base + p + 1); return p + 1; }
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
        if (b === NL && this.nameLen === 0) { this.entries.endEntry(this.base + i + 1); return i + 1; }
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
  /** The field named b[s, e) starts. */
  private beginField(b: Buffer, s: number, e: number): void {
    this.target = this.entries.target(b, s, e);
    this.cap = this.entries.cap(this.target);
    this.parts = [];
    this.partsLen = 0;
    this.over = false;
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
    if (this.over) { this.entries.over(this.target); return; }
    const v = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLen);
    this.parts = [];
    this.assign(v, 0, v.length, binary);
  }

  private assign(v: Buffer, s: number, e: number, binary: boolean): void {
    if (e - s > this.cap) this.entries.over(this.target);
    else this.entries.assign(this.target, v, s, e, binary);
  }
}
