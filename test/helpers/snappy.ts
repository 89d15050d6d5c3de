// A snappy block decoder for tests, written from the format description (varint length, then
// literals and copies with 1-, 2- or 4-byte offsets): checks what src/output/format/snappy.ts writes
// independently of it. The real servers (VictoriaMetrics, Prometheus) decode it too.
export function uncompress(src: Uint8Array): Buffer {
  let pos = 0;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    const b = src[pos++]!;
    len += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = Buffer.alloc(len);
  let op = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    if ((tag & 3) === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n += src[pos++]! * 2 ** (8 * i);
      }
      n += 1;
      if (pos + n > src.length || op + n > len) throw new Error('literal out of range');
      out.set(src.subarray(pos, pos + n), op);
      pos += n;
      op += n;
      continue;
    }
    let n: number;
    let off: number;
    if ((tag & 3) === 1) { n = ((tag >>> 2) & 7) + 4; off = ((tag >>> 5) << 8) | src[pos++]!; }
    else if ((tag & 3) === 2) { n = (tag >>> 2) + 1; off = src[pos]! | (src[pos + 1]! << 8); pos += 2; }
    else { n = (tag >>> 2) + 1; off = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0; pos += 4; }
    if (off === 0 || off > op || op + n > len) throw new Error(`bad copy (offset ${off} at ${op}, length ${n})`);
    for (let i = 0; i < n; i++, op++) out[op] = out[op - off]!;
  }
  if (op !== len) throw new Error(`decoded ${op} bytes, header says ${len}`);
  return out;
}
