// The few protobuf wire-format writes the remote write and OTLP encoders need (varints, fixed 64-bit
// values, length-delimited fields, nested messages), into one growable buffer. A dependency would do
// the same through generic per-field reflection; measured in README "Pushing to Prometheus, InfluxDB
// and OpenTelemetry", these lines were the faster.

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;

export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  private dv: DataView;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
    this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
  }

  /** A non-negative integer below 2^53 as a varint (room for it must be there: up to 8 bytes). */
  varint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80000000) { b[p++] = (v % 128) | 0x80; v = Math.floor(v / 128); }
    while (v >= 0x80) { b[p++] = (v & 0x7f) | 0x80; v >>>= 7; }
    b[p++] = v;
    this.pos = p;
  }

  tag(field: number, wire: number): void {
    this.ensure(8);
    this.varint((field << 3) | wire);
  }

  double(field: number, v: number): void {
    this.tag(field, FIXED64);
    this.ensure(8);
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A fixed64 given as a BigInt (OTLP's nanosecond times exceed 2^53). */
  fixed64(field: number, v: bigint): void {
    this.tag(field, FIXED64);
    this.ensure(8);
    this.dv.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  uint(field: number, v: number): void {
    this.tag(field, VARINT);
    this.ensure(10);
    this.varint(v);
  }

  string(field: number, s: string): void {
    const n = Buffer.byteLength(s);
    this.tag(field, LEN);
    this.ensure(10 + n);
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  /** Bytes as they are: an already encoded field or run of fields. */
  raw(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n > 32) {
      this.buf.set(b, this.pos);
    } else {
      const buf = this.buf;
      const at = this.pos;
      for (let i = 0; i < n; i++) buf[at + i] = b[i]!;
    }
    this.pos += n;
  }

  /** Starts a nested message in `field`; end() with what this returns writes its length. */
  begin(field: number): number {
    this.tag(field, LEN);
    this.ensure(1);
    return this.pos++;   // one byte kept for the length; end() moves the body if it needs more
  }

  end(at: number): void {
    const len = this.pos - at - 1;
    const extra = varintSize(len) - 1;
    if (extra > 0) {
      this.ensure(extra);
      this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
      this.pos += extra;
    }
    const end = this.pos;
    this.pos = at;
    this.varint(len);
    this.pos = end;
  }

  /** The bytes written, in the writer's own buffer (valid until the next write); pos = 0 starts over. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** The bytes written, as a new Buffer; the writer starts over (keeping its buffer). */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

/** Bytes the varint of a non-negative integer below 2^53 takes. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) { v = Math.floor(v / 128); n++; }
  return n;
}

/** One encoded field (for caches of label or attribute bytes). */
export function encodeField(write: (w: ProtoWriter) => void): Buffer {
  const w = new ProtoWriter(64);
  write(w);
  return w.take();
}
