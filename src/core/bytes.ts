// Little-endian binary encoding for checkpoints (spec section 8): a growable writer and a bounds-
// checked reader. The datapool and the statistics write their own state with these; the state file
// frames, checksums and stores what they wrote.

/** Thrown by ByteReader on data that ends early or does not decode: a corrupt checkpoint. */
export class DecodeError extends Error {}

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** A UTF-8 string, length first. */
  str(s: string): void {
    this.room(4 + s.length * 3);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4 + n;
  }

  /** The first `n` entries of `a`, as raw doubles (the count is the caller's to write). */
  f64s(a: Float64Array, n: number): void {
    this.room(n * 8);
    if (n <= 8) {
      // Small arrays may live inside the V8 heap: reading `.buffer` would move them out of it.
      for (let i = 0; i < n; i++) this.buf.writeDoubleLE(a[i]!, this.pos + 8 * i);
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
    this.buf.writeUInt32LE(v >>> 0, at);
  }

  /** Everything written so far (the writer starts over empty, with a new buffer). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(1 << 12, Math.min(this.buf.length, 1 << 20)));
    this.pos = 0;
    return out;
  }
}

export class ByteReader {
  pos: number;
  constructor(private readonly buf: Buffer, start = 0, private readonly end = buf.length) {
    this.pos = start;
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
    const at = this.need(4);
    const b = this.buf;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
  }

  f64(): number {
    return this.buf.readDoubleLE(this.need(8));
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
