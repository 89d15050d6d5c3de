// Just enough protobuf reading for servers' replies (OTLP partial success, google.rpc.Status): walk
// the fields, read varints and length-delimited strings, skip the rest. Throws on malformed input.
import { FIXED64, LEN, VARINT } from './protobuf.js';

export class ProtoReader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  /** The next field's number and wire type, or null at the end. */
  next(): { field: number; wire: number } | null {
    if (this.pos >= this.buf.length) return null;
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key & 7 };
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new Error('varint too long');
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  skip(wire: number): void {
    if (wire === VARINT) this.varint();
    else if (wire === FIXED64) this.pos += 8;
    else if (wire === LEN) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (this.pos > this.buf.length) throw new Error('truncated field');
  }
}
