// Deterministic pseudo-random numbers for the forward-decay reservoir (see reservoir.ts).
//
// References:
// - hashKey: FNV-1a 32-bit (Fowler, Noll, Vo; http://www.isthe.com/chongo/tech/comp/fnv/) over the
//   string's UTF-16 code units, followed by the MurmurHash3 fmix32 finaliser (Austin Appleby) for
//   full avalanche, so keys that differ in one character get unrelated seeds.
// - Prng: sfc32, Chris Doty-Humphrey's "Small Fast Counting" generator from PractRand
//   (https://pracrand.sourceforge.net/), seeded through splitmix32 and warmed up with 12 rounds.
//
// Everything is 32-bit integer arithmetic (Math.imul, |0, >>>), so the same seed gives the same
// sequence on every run and platform. Replays of the same log therefore produce the same samples.

/** 32-bit hash of a string (FNV-1a over UTF-16 code units + fmix32). Returns an unsigned integer. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // fmix32
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_POW_32 = 4294967296;

/**
 * sfc32 generator. State is four 32-bit words held in an Int32Array (no boxing of values outside
 * the small-integer range, no allocation per call).
 */
export class Prng {
  // Fields are `declare`d and assigned in the constructor: under target ES2022 a plain declaration
  // is emitted as a class field set to undefined first, which makes V8 keep numbers boxed (an
  // allocation per update) instead of in unboxed double fields.
  declare private readonly s: Int32Array;

  /** `seed` is taken modulo 2^32 (non-integers are truncated first). */
  constructor(seed: number) {
    this.s = new Int32Array(4);
    // splitmix32 expands the seed into the three free words; d is the counter.
    let x = (seed >>> 0) | 0;
    for (let i = 0; i < 3; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      z ^= z >>> 16;
      this.s[i] = z;
    }
    this.s[3] = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next raw 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const a = s[0];
    const b = s[1];
    const c = s[2];
    const d = s[3];
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in (0, 1] with 32-bit resolution; never 0 (smallest value 2^-32). */
  next(): number {
    return (this.nextUint32() + 1) / TWO_POW_32;
  }

  /** The four state words as unsigned 32-bit integers (JSON-safe). */
  getState(): number[] {
    const s = this.s;
    return [s[0] >>> 0, s[1] >>> 0, s[2] >>> 0, s[3] >>> 0];
  }

  /** Rebuilds a generator from `getState()`; the sequence continues exactly where it left off. */
  static fromState(state: number[]): Prng {
    if (!Array.isArray(state) || state.length !== 4) {
      throw new Error('Prng state must be an array of 4 integers');
    }
    const p = new Prng(0);
    for (let i = 0; i < 4; i++) {
      const w = state[i];
      if (typeof w !== 'number' || !Number.isInteger(w) || w < -2147483648 || w > 4294967295) {
        throw new Error(`Prng state word ${i} is not a 32-bit integer: ${String(w)}`);
      }
      p.s[i] = w | 0;
    }
    return p;
  }
}
