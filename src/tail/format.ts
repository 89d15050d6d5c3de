// What a file holds, by its first bytes (never by its name): plain text, or one of the compressed
// formats logrotate can leave. gzip is always readable; zstd when this Node.js has a zstd
// decompressor (zlib.createZstdDecompress, Node 22.15 and later); the others are recognised only to
// be skipped with a warning instead of being read as text.
import * as zlib from 'node:zlib';
import type { Transform } from 'node:stream';

export type Format = 'plain' | 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'lz4' | 'lzip' | 'compress';

const MAGIC: Array<[Format, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],                 // "BZh"
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['lzip', [0x4c, 0x5a, 0x49, 0x50]],             // "LZIP"
  ['compress', [0x1f, 0x9d]],                     // .Z
];

/** Bytes sniff() needs to see (fewer: the file is shorter, and plain unless its start says otherwise). */
export const MAGIC_BYTES = 6;

export function sniff(head: Uint8Array): Format {
  for (const [f, m] of MAGIC) {
    if (head.length >= m.length && m.every((b, i) => head[i] === b)) {
      // bzip2's "BZh" must be followed by the block size digit, or it is text starting with "BZh"
      if (f === 'bzip2' && !(head.length > 3 && head[3]! >= 0x31 && head[3]! <= 0x39)) continue;
      return f;
    }
  }
  return 'plain';
}

/** A decompressing stream; bytesWritten counts the input it has consumed. */
export type Decompressor = Transform & { bytesWritten: number };
type Factory = (o: zlib.ZlibOptions) => Decompressor;
const zstdFactory = (zlib as unknown as { createZstdDecompress?: Factory }).createZstdDecompress;

/** A streaming decompressor for a readable compressed format, or null when this runtime has none. */
export function decompressor(f: Format, chunkSize: number): Decompressor | null {
  if (f === 'gzip') return zlib.createGunzip({ chunkSize });
  if (f === 'zstd' && zstdFactory) return zstdFactory({ chunkSize });
  return null;
}

export function canDecompress(f: Format): boolean {
  return f === 'gzip' || (f === 'zstd' && zstdFactory !== undefined);
}

/** Why a format is skipped, for the warning. */
export function unreadableReason(f: Format): string {
  return f === 'zstd' ? 'zstd (this Node.js has no zstd decompressor; Node 22.15 or later reads it)'
    : `${f} (not supported: only gzip and zstd are decompressed)`;
}
