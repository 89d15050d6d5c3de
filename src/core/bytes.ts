// Little-endian binary encoding for checkpoints (spec section 8): a growable writer and a bounds-
// checked reader. The datapool and the statistics write their own state with these; the state file
// frames, checksums and stores what they wrote.

/** Thrown by ByteReader on data that ends early or does not decode: a corrupt checkpoint. */
export class DecodeError extends Error {}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Where a ByteWriter gets its buffers (a pool can hand back used ones). */
export type Alloc = (minBytes: number) => Buffer;

const plainAlloc: Alloc = (n) => Buffer.allocUnsafe(n);

export class ByteWriter {
  private buf: Buffer;
  /** `buf` as a DataView: its setters are several times faster than Buffer's write methods. */
  private dv: DataView;
  private pos: number;

  /**
   * `reserve` bytes are left free at the start of each buffer (a frame header, filled in by the
   * taker); `alloc` gives buffers of at least the size asked for.
   */
  constructor(capacity = 1 << 16, private readonly reserve = 0, private readonly alloc: Alloc = plainAlloc) {
    this.buf = alloc(Math.max(capacity, reserve));
    this.dv = view(this.buf);
    this.pos = reserve;
  }

  /** Position of the next byte in the current buffer (the reserved bytes included). */
  get length(): number {
    return this.pos;
  }

  /** Bytes written since the last take(). */
  get written(): number {
    return this.pos - this.reserve;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.dv = view(next);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A UTF-8 string, length first. ASCII is copied here: short strings are mostly that, and a call into Buffer.write costs more. */
  str(s: string): void {
    const len = s.length;
    this.room(4 + len * 3);
    const buf = this.buf;
    const at = this.pos + 4;
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    const n = i === len ? len : buf.write(s, at, 'utf8');
    this.dv.setUint32(this.pos, n, true);
    this.pos = at + n;
  }

  /** The first `n` entries of `a`, as raw doubles (the count is the caller's to write). */
  f64s(a: Float64Array, n: number): void {
    this.room(n * 8);
    if (n <= 8) {
      // Small arrays may live inside the V8 heap: reading `.buffer` would move them out of it.
      for (let i = 0; i < n; i++) this.dv.setFloat64(this.pos + 8 * i, a[i]!, true);
    } else {
      this.buf.set(new Uint8Array(a.buffer, a.byteOffset, n * 8), this.pos);
    }
    this.pos += n * 8;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Patches a u32 written earlier at byte `at` (a count known only once its items are written). */
  patchU32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, true);
  }

  /** Everything written so far, the reserved bytes first; the writer goes on in a new buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = this.alloc(Math.max(1 << 12, this.reserve, Math.min(this.buf.length, 1 << 20)));
    this.dv = view(this.buf);
    this.pos = this.reserve;
    return out;
  }
}

export class ByteReader {
  pos: number;
  private readonly dv: DataView;
  constructor(private readonly buf: Buffer, start = 0, private readonly end = buf.length) {
    this.pos = start;
    this.dv = view(buf);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.end) throw new DecodeError(`data ends ${at + n - this.end} byte(s) early`);
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)]!;
  }

  u32(): number {
    return this.dv.getUint32(this.need(4), true);
  }

  f64(): number {
    return this.dv.getFloat64(this.need(8), true);
  }

  str(): string {
    const n = this.u32();
    const at = this.need(n);
    return this.buf.toString('utf8', at, at + n);
  }

  /** `n` raw doubles, copied out. */
  f64s(n: number): Float64Array {
    if (n > (this.end - this.pos) / 8) throw new DecodeError(`${n} values announced, fewer present`);
    const at = this.need(n * 8);
    const out = new Float64Array(n);
    new Uint8Array(out.buffer).set(this.buf.subarray(at, at + n * 8));
    return out;
  }

  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
}
