// Snappy block compression (the "raw" format Prometheus remote write asks for, not the framed one):
// a varint of the uncompressed length, then literals and back-references, found through a hash table
// of 4-byte sequences over blocks of 64 KiB, as the format's reference compressor does. Compared with
// the npm packages in README "Pushing to Prometheus, InfluxDB and OpenTelemetry".

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const INPUT_MARGIN = 15;   // no match is looked for this close to a block's end

/** The most bytes compress() can write for `n` input bytes. */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

export function compress(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(maxCompressedLength(input.length));
  let op = 0;
  let n = input.length;
  while (n >= 0x80) { out[op++] = (n & 0x7f) | 0x80; n >>>= 7; }
  out[op++] = n;
  const table = new Uint16Array(1 << HASH_BITS);
  for (let start = 0; start < input.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, input.length);
    table.fill(0);
    op = compressBlock(input, start, end, out, op, table);
  }
  return out.subarray(0, op);
}

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function hash(v: number): number {
  return Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function compressBlock(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number, table: Uint16Array): number {
  let nextEmit = start;
  if (end - start >= INPUT_MARGIN) {
    const limit = end - INPUT_MARGIN;
    let ip = start + 1;
    let nextVal = load32(src, ip);
    outer: for (;;) {
      // Look for a 4-byte match, skipping faster through data that does not compress.
      let skip = 32;
      let next = ip;
      let candidate: number;
      let val: number;
      do {
        ip = next;
        val = nextVal;
        const h = hash(val);
        next = ip + (skip++ >> 5);
        if (next > limit) break outer;
        nextVal = load32(src, next);
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (val !== load32(src, candidate));
      op = emitLiteral(src, nextEmit, ip, out, op);
      // Copies for as long as the bytes right after one match start another.
      do {
        const base = ip;
        let len = 4;
        while (ip + len + 4 <= end && load32(src, ip + len) === load32(src, candidate + len)) len += 4;
        while (ip + len < end && src[ip + len] === src[candidate + len]) len++;
        ip += len;
        op = emitCopy(base - candidate, len, out, op);
        nextEmit = ip;
        if (ip >= limit) break outer;
        table[hash(load32(src, ip - 1))] = ip - 1 - start;
        val = load32(src, ip);
        const h = hash(val);
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (val === load32(src, candidate));
      nextVal = load32(src, ++ip);
    }
  }
  return nextEmit < end ? emitLiteral(src, nextEmit, end, out, op) : op;
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Uint8Array, op: number): number {
  const n = to - from - 1;
  if (n < 60) {
    out[op++] = n << 2;
  } else if (n < 0x100) {
    out[op++] = 60 << 2; out[op++] = n;
  } else if (n < 0x10000) {
    out[op++] = 61 << 2; out[op++] = n & 0xff; out[op++] = n >>> 8;
  } else {
    out[op++] = 62 << 2; out[op++] = n & 0xff; out[op++] = (n >>> 8) & 0xff; out[op++] = n >>> 16;
  }
  if (to - from > 16) {
    out.set(src.subarray(from, to), op);
    return op + to - from;
  }
  for (let i = from; i < to; i++) out[op++] = src[i]!;
  return op;
}

function emitCopy(offset: number, len: number, out: Uint8Array, op: number): number {
  while (len >= 68) { op = emitCopyUpTo64(offset, 64, out, op); len -= 64; }
  if (len > 64) { op = emitCopyUpTo64(offset, 60, out, op); len -= 60; }
  return emitCopyUpTo64(offset, len, out, op);
}

function emitCopyUpTo64(offset: number, len: number, out: Uint8Array, op: number): number {
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 | ((len - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}
