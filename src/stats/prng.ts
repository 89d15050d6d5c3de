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
 * sfc32 generator. The four 32-bit state words are plain int32 fields: V8 (x64, 32-bit small
 * integers) keeps them in the object itself, which costs less per draw than loads and stores
 * through an Int32Array's backing store.
 */
export class Prng {
  // Fields are `declare`d and assigned in the constructor: under target ES2022 a plain declaration
  // is emitted as a class field set to undefined first, which would give V8 a tagged (not small
  // integer) field representation.
  declare private a: number;
  declare private b: number;
  declare private c: number;
  declare private d: number;

  /** `seed` is taken modulo 2^32 (non-integers are truncated first). */
  constructor(seed: number) {
    // splitmix32 expands the seed into the three free words; d is the counter.
    let x = (seed >>> 0) | 0;
    x = (x + 0x9e3779b9) | 0;
    this.a = splitmix32(x);
    x = (x + 0x9e3779b9) | 0;
    this.b = splitmix32(x);
    x = (x + 0x9e3779b9) | 0;
    this.c = splitmix32(x);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next raw 32-bit output as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in (0, 1] with 32-bit resolution; never 0 (smallest value 2^-32). */
  next(): number {
    return (this.nextUint32() + 1) / TWO_POW_32;
  }

  /** The four state words as unsigned 32-bit integers (JSON-safe). */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Rebuilds a generator from `getState()`; the sequence continues exactly where it left off. */
  static fromState(state: number[]): Prng {
    if (!Array.isArray(state) || state.length !== 4) {
      throw new Error('Prng state must be an array of 4 integers');
    }
    for (let i = 0; i < 4; i++) {
      const w = state[i];
      if (typeof w !== 'number' || !Number.isInteger(w) || w < -2147483648 || w > 4294967295) {
        throw new Error(`Prng state word ${i} is not a 32-bit integer: ${String(w)}`);
      }
    }
    const p = new Prng(0);
    p.a = state[0]! | 0;
    p.b = state[1]! | 0;
    p.c = state[2]! | 0;
    p.d = state[3]! | 0;
    return p;
  }
}

/** splitmix32 output for counter value `x` (int32 in, int32 out). */
function splitmix32(x: number): number {
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}
