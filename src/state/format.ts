// The state file's binary layout (spec section 8). A file is a header and a run of frames; each
// frame is checksummed and belongs to one segment, and a segment is one checkpoint cut: a file's
// state is what its segments, applied in order, leave. A cut can be written over several turns of
// the event loop in many frames, so it counts only once its last frame (flagged END) is in.
//
//   header:  "LMCSTATE" | u32 version | u32 completeAt (the first segment whose end leaves a whole state)
//   frame:   u32 length | u32 crc32 of what follows it | u32 segment | u8 flags | records...
//   record:  u8 type | body (datapool/snapshot.ts writes the group and set bodies)
import * as zlib from 'node:zlib';

export const MAGIC = Buffer.from('LMCSTATE', 'latin1');
export const VERSION = 2;
export const HEADER_BYTES = 16;
export const FRAME_HEAD_BYTES = 13;
/** A frame is closed once its records pass this size (a record is never split). */
export const FRAME_TARGET_BYTES = 256 * 1024;

export const enum Flag { Begin = 1, End = 2 }

export const enum Rec {
  /** f64 wall time (ms) of the cut. */
  Cut = 1,
  /** u32 group index | str name | u8 GroupFlag | pool header (unless Removed). */
  Group = 2,
  /** u32 group index | set record. */
  Set = 3,
  /** u32 group index | u32 set id: the set was forgotten. */
  Gone = 4,
  /** str: JSON list of the tail stage's file records. */
  Files = 5,
  /** u32 n | n x (str metric, f64 ts, str value, str tags): points produced and not yet sent. */
  Pending = 6,
}

export const enum GroupFlag { None = 0, Fresh = 1, Removed = 2 }

export function header(completeAt: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(VERSION, 8);
  b.writeUInt32LE(completeAt >>> 0, 12);
  return b;
}

/** The header's completeAt, or why the bytes are not a version-2 header. */
export function readHeader(b: Buffer): { completeAt: number } | string {
  if (b.length < HEADER_BYTES || !b.subarray(0, 8).equals(MAGIC)) return 'not a state file (bad magic)';
  const v = b.readUInt32LE(8);
  if (v !== VERSION) return `state file version ${v}, this build reads ${VERSION}`;
  return { completeAt: b.readUInt32LE(12) };
}

/**
 * Seals a frame of segment `seg` in place: `buf` holds FRAME_HEAD_BYTES reserved for the header
 * (ByteWriter's `reserve`), then the records.
 */
export function seal(buf: Buffer, seg: number, flags: number): Buffer {
  buf.writeUInt32LE(buf.length - FRAME_HEAD_BYTES, 0);
  buf.writeUInt32LE(seg >>> 0, 8);
  buf[12] = flags;
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** Buffer size of a frame: records are cut at FRAME_TARGET_BYTES, the rest is room for the last record. */
export const FRAME_BUFFER_BYTES = 2 * FRAME_TARGET_BYTES;

/**
 * Frame buffers, used again once written: a cut of a million keys fills ~400 of them, and fresh
 * ones (memory outside the V8 heap) would each push V8 towards a full garbage collection.
 */
export class FramePool {
  private readonly free: Buffer[] = [];
  constructor(private readonly keep = 16) {}

  get = (minBytes: number): Buffer => {
    const b = this.free.pop();
    return b && b.length >= minBytes ? b : Buffer.allocUnsafe(Math.max(minBytes, FRAME_BUFFER_BYTES));
  };

  /** A frame (a view from the start of its buffer) that has been written. */
  put(frame: Buffer): void {
    if (this.free.length >= this.keep || frame.byteOffset !== 0 || frame.buffer.byteLength < FRAME_BUFFER_BYTES) return;
    this.free.push(Buffer.from(frame.buffer, 0, frame.buffer.byteLength));
  }
}

/** CRC-32 (zlib's), continued from `prev`; a plain table version where Node lacks zlib.crc32 (< 20.15). */
export function crc32(data: Uint8Array, prev = 0): number {
  return nativeCrc32 ? nativeCrc32(data, prev) : tableCrc32(data, prev);
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

let table: Int32Array | null = null;

function tableCrc32(data: Uint8Array, prev: number): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let c = ~prev;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
