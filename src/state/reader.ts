// Reads a state file (format.ts) in two passes: the first checks every frame's checksum and finds
// the complete cuts, up to the last one before any damage; the second applies them, the last one
// first, so that what later cuts replaced is skipped rather than decoded. So a torn or corrupt end
// (a crash mid-write, a bad sector, an edit by hand) costs the cuts after the damage, never a mix of
// two cuts. Reading is synchronous: it happens once, before anything is tailed.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Point } from '../core/types.js';
import { ByteReader, DecodeError } from '../core/bytes.js';
import { crc32, FRAME_HEAD_BYTES, Flag, GroupFlag, HEADER_BYTES, readHeader, Rec } from './format.js';

/** What the records of a state file are applied to (restore.ts), cut by cut from the newest back. */
export interface StateVisitor {
  cut(wallMs: number): void;
  /** `r` holds the pool header unless the group was removed. */
  group(gix: number, name: string, flags: GroupFlag, r: ByteReader): void;
  set(gix: number, r: ByteReader): void;
  gone(gix: number, id: number): void;
  files(json: string): void;
  pending(points: Point[]): void;
}

export interface Scan {
  /** Byte offset just after the last complete cut. */
  end: number;
  /** The complete cuts: where each begins and ends. */
  cuts: Array<{ start: number; end: number }>;
  size: number;
  /** The header's completeAt, and the segment number of the last complete cut. */
  completeAt: number;
  lastSeq: number;
}

/** Frames of a file, read one at a time into a reused buffer. */
class Frames {
  private readonly head = Buffer.allocUnsafe(FRAME_HEAD_BYTES);
  private body = Buffer.allocUnsafe(1 << 16);
  pos: number;
  len = 0;
  seq = 0;
  flags = 0;
  crc = 0;

  constructor(private readonly fd: number, readonly size: number, start = HEADER_BYTES) {
    this.pos = start;
  }

  /** Reads the next frame; false at the end of the file or a frame cut short. */
  next(): boolean {
    if (this.pos + FRAME_HEAD_BYTES > this.size) return false;
    readFully(this.fd, this.head, FRAME_HEAD_BYTES, this.pos);
    this.len = this.head.readUInt32LE(0);
    this.crc = this.head.readUInt32LE(4);
    this.seq = this.head.readUInt32LE(8);
    this.flags = this.head[12]!;
    if (this.pos + FRAME_HEAD_BYTES + this.len > this.size) return false;
    if (this.body.length < this.len) this.body = Buffer.allocUnsafe(Math.max(this.len, 2 * this.body.length));
    readFully(this.fd, this.body, this.len, this.pos + FRAME_HEAD_BYTES);
    this.pos += FRAME_HEAD_BYTES + this.len;
    return true;
  }

  get payload(): Buffer {
    return this.body.subarray(0, this.len);
  }

  get intact(): boolean {
    return crc32(this.payload, crc32(this.head.subarray(8))) === this.crc;
  }
}

function readFully(fd: number, buf: Buffer, len: number, pos: number): void {
  for (let done = 0; done < len;) {
    const n = readSync(fd, buf, done, len - done, pos + done);
    if (n <= 0) throw new DecodeError(`file ended while reading at byte ${pos + done}`);
    done += n;
  }
}

/** Pass one: where the last complete cut ends, or why the file has none. Throws fs errors (ENOENT...). */
export function scanState(path: string): Scan | string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(HEADER_BYTES);
    if (size < HEADER_BYTES) return 'shorter than a state file header';
    readFully(fd, head, HEADER_BYTES, 0);
    const h = readHeader(head);
    if (typeof h === 'string') return h;
    const f = new Frames(fd, size);
    let end = 0;
    const cuts: Scan['cuts'] = [];
    let open = -1;
    let start = 0;
    let lastSeq = 0;
    for (let at = f.pos; f.next() && f.intact; at = f.pos) {
      if (f.flags & Flag.Begin) { open = f.seq; start = at; } else if (open !== f.seq) break; // a frame of no open cut: not ours
      if (f.flags & Flag.End) {
        open = -1;
        cuts.push({ start, end: f.pos });
        if (f.seq >= h.completeAt) { end = f.pos; lastSeq = f.seq; }
      }
    }
    if (end === 0) return 'no complete checkpoint in it';
    while (cuts.at(-1)!.end > end) cuts.pop();
    return { end, cuts, size, completeAt: h.completeAt, lastSeq };
  } finally {
    closeSync(fd);
  }
}

/**
 * Pass two: applies the complete cuts (from scanState), the last one first, each from its first
 * record to its last. Throws DecodeError on bad records.
 */
export function applyState(path: string, scan: Scan, v: StateVisitor, progress?: (done: number, total: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    for (let c = scan.cuts.length - 1; c >= 0; c--) {
      const { start, end } = scan.cuts[c]!;
      const f = new Frames(fd, end, start);
      while (f.next()) {
        const r = new ByteReader(f.payload);
        while (!r.done) record(r, v);
        progress?.(done + f.pos - start, scan.end);
      }
      done += end - start;
    }
  } finally {
    closeSync(fd);
  }
}

function record(r: ByteReader, v: StateVisitor): void {
  const type = r.u8();
  switch (type) {
    case Rec.Cut: v.cut(r.f64()); break;
    case Rec.Group: { const gix = r.u32(); const name = r.str(); v.group(gix, name, r.u8(), r); break; }
    case Rec.Set: v.set(r.u32(), r); break;
    case Rec.Gone: { const gix = r.u32(); v.gone(gix, r.u32()); break; }
    case Rec.Files: v.files(r.str()); break;
    case Rec.Pending: v.pending(readPoints(r)); break;
    default: throw new DecodeError(`unknown record type ${type}`);
  }
}

function readPoints(r: ByteReader): Point[] {
  const n = r.u32();
  const out: Point[] = [];
  for (let i = 0; i < n; i++) out.push({ metric: r.str(), ts: r.f64(), value: r.str(), tags: r.str() });
  return out;
}
