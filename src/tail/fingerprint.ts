// Fingerprint of a file's first bytes (FileIdentity.fingerprint): 16 hex digits, two 32-bit
// per-byte hashes (FNV-1a, and a murmur-style multiply/xor-shift) of the first min(size, 4096)
// content bytes (decompressed for compressed files), "" for an empty file. 4 KB: long enough that
// two logs beginning with the same header (a JVM's GC log, a W3C header block) are told apart. Both hashes have no finalisation step, so the state after k bytes IS
// the fingerprint of the k-byte prefix: a fingerprint taken while the file was shorter is checked
// against the file's current head in one pass, without knowing how long the file was then.
import * as fs from 'node:fs';

export const FINGERPRINT_BYTES = 4096;

const H1 = 0x811c9dc5;
const H2 = 0x9747b28c;

/** Incremental fingerprint state: the hash of the first `len` bytes. */
export interface FpState {
  len: number;
  h1: number;
  h2: number;
}

export function fpInit(): FpState {
  return { len: 0, h1: H1, h2: H2 };
}

/** Feeds buf[from, to) (which must be the file bytes at [st.len, st.len + to - from)). */
export function fpFeed(st: FpState, buf: Uint8Array, from: number, to: number): void {
  let h1 = st.h1;
  let h2 = st.h2;
  const end = Math.min(to, from + (FINGERPRINT_BYTES - st.len));
  for (let i = from; i < end; i++) {
    const b = buf[i];
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  if (end > from) {
    st.h1 = h1;
    st.h2 = h2;
    st.len += end - from;
  }
}

export function fpHex(st: FpState): string {
  if (st.len === 0) return '';
  return (st.h1 >>> 0).toString(16).padStart(8, '0') + (st.h2 >>> 0).toString(16).padStart(8, '0');
}

/** Fingerprint of a buffer holding a file's head (only its first FINGERPRINT_BYTES count). */
export function fingerprint(head: Uint8Array): string {
  const st = fpInit();
  fpFeed(st, head, 0, head.length);
  return fpHex(st);
}

/**
 * Length of the prefix of `head` whose fingerprint is `fp`, considering only prefixes of at least
 * `minLen` bytes; -1 when none matches. `fp === ""` matches the empty prefix (0).
 */
export function fpPrefixMatch(head: Uint8Array, fp: string, minLen = 0): number {
  if (fp === '') return minLen <= 0 ? 0 : -1;
  const t = fpParse(fp);
  if (!t) return -1;
  let found = -1;
  fpScanPrefixes(head, new Map([[t[0], true]]), (len, _h1, h2) => {
    if (len < minLen || h2 !== t[1]) return false;
    found = len;
    return true;
  });
  return found;
}

/** Reads up to FINGERPRINT_BYTES at offset 0 of an open file. */
export function readHead(fd: number, into?: Buffer): Buffer {
  const buf = into ?? Buffer.allocUnsafe(FINGERPRINT_BYTES);
  let got = 0;
  while (got < FINGERPRINT_BYTES) {
    const n = fs.readSync(fd, buf, got, FINGERPRINT_BYTES - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** The two hash words of a fingerprint (as int32), or null when it is not one. */
export function fpParse(fp: string): [number, number] | null {
  if (!/^[0-9a-f]{16}$/.test(fp)) return null;
  return [parseInt(fp.slice(0, 8), 16) | 0, parseInt(fp.slice(8), 16) | 0];
}

/**
 * Calls visit(len, h1, h2) for every prefix length of head (up to FINGERPRINT_BYTES) whose first
 * hash word is a key of `byH1`, until it returns true: one pass over head, whatever the number of
 * fingerprints looked for.
 */
export function fpScanPrefixes(head: Uint8Array, byH1: ReadonlyMap<number, unknown>, visit: (len: number, h1: number, h2: number) => boolean | void): void {
  let h1 = H1;
  let h2 = H2;
  const n = Math.min(head.length, FINGERPRINT_BYTES);
  for (let i = 0; i < n; i++) {
    const b = head[i];
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 15;
    if (byH1.has(h1 | 0) && visit(i + 1, h1 | 0, h2 | 0) === true) return;
  }
}
