// A 64-bit hash of a JS string for the distinct-count sketch (hll.ts), seeded by a constant so that a
// replay, on any -j or shard count, gives the same registers and so byte-identical counts.
//
// Structure: MurmurHash3_x86_128 (Austin Appleby, public domain, github.com/aappleby/smhasher)
// reduced to two 32-bit lanes: each block of four UTF-16 code units is two 32-bit words (two units a
// word, so every code unit, surrogates included, is taken whole and no UTF-8 encoding is needed); the
// words are multiplied and rotated by Murmur3's constants, each lane feeds the other, and the two
// lanes end in Murmur3's fmix32 avalanche with a final cross-add. Not a cryptographic hash: someone
// who controls the values can craft collisions and so lower a count. Only 32-bit integer operations
// (Math.imul, shifts): no BigInt, no per-call allocation; the result goes into a caller's array.

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
/** The constant seed: changing it changes every count a replay gives. */
const SEED = 0x6c6d6330; // "lmc0"

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hashes `s` into out[0] (high 32 bits) and out[1] (low 32 bits), both as unsigned 32-bit values. */
export function hash64(s: string, out: Uint32Array): void {
  let h1 = SEED;
  let h2 = SEED ^ 0x9e3779b9;
  const n = s.length;
  const blocks = n & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    let k1 = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    let k2 = s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (Math.imul(h1 + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2 + h1, 5) + 0x0bcaa747) | 0;
  }
  const rest = n - blocks;
  if (rest > 0) {
    // The tail, as Murmur3 mixes it: into the lanes without the rotate-and-add step.
    let k1 = s.charCodeAt(i);
    if (rest > 1) k1 |= s.charCodeAt(i + 1) << 16;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    if (rest > 2) {
      let k2 = Math.imul(s.charCodeAt(i + 2), C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= Math.imul(k2, C3);
    }
  }
  h1 ^= n;
  h2 ^= n;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}

const H = new Uint32Array(2);
const LO_SPAN = 2 ** 21;

/** The top 53 bits of hash64(s) as one number (exact in a double): what extraction records for a
 *  distinct reference, so a value travels (to a worker's result, into a sketch) as a number and the
 *  string itself is never kept. */
export function hash53(s: string): number {
  hash64(s, H);
  return H[0]! * LO_SPAN + (H[1]! >>> 11);
}
