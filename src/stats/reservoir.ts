// Forward-decay reservoir for `histogram_kind: forward_decay` (behaviour spec section 4).
//
// Reference: G. Cormode, V. Shkapenyuk, D. Srivastava, B. Xu, "Forward Decay: A Practical Time
// Decay Model for Streaming Systems", ICDE 2009 — priority sampling with exponential forward decay:
// each item gets priority g(t - L) / u with g(x) = exp(alpha * x), L a landmark and u uniform in
// (0, 1]; the sample is the `size` items with the highest priorities. Because g is exponential,
// moving the landmark from L to L' multiplies every priority by exp(-alpha * (L' - L)) and keeps
// their order, which is how overflow is avoided ("rescaling", section VI of the paper).
//
// Differences from the Go original (go-metrics ExpDecaySample), see spec section 11:
// - time is log time in SECONDS passed as an argument (the original rescaled with nanoseconds and
//   zeroed every priority, and overflowed to Inf/NaN on long log-time gaps);
// - a new item whose priority is not above the lowest kept one is NOT inserted (the original always
//   inserted the newest item);
// - u comes from a seeded Prng, never Math.random, so replays are reproducible.
//
// Storage: one Float64Array of (priority, value) pairs, up to 2 * size entries, cut back to the
// `size` highest priorities when full or read; amortised O(1) per update, no allocation. One array
// rather than two: each typed array costs ~0.2 KB of V8 heap whatever its length, which was most
// of a key holding a few values.

import { Prng } from './prng.js';
import type { ByteReader, ByteWriter } from '../core/bytes.js';
import { DecodeError } from '../core/bytes.js';

/**
 * Largest alpha * (t - landmark) used without rescaling. exp(600) ~ 3.8e260, and dividing by
 * u >= 2^-32 adds at most ln(2^32) ~ 22.2 to the exponent: far below exp(709.78) = Double.MAX.
 */
export const MAX_EXPONENT = 600;

export interface ReservoirState {
  size: number;
  alpha: number;
  /** null encodes Infinity (never rescale on time). */
  rescaleThresholdSec: number | null;
  /** null encodes NaN (no update yet). */
  landmark: number | null;
  /** Ascending by (priority, value); same length as `values`. */
  priorities: number[];
  values: number[];
  prng: number[];
  /** Lowest kept priority at the last cut (null: none yet); restores the exact internal state. */
  threshold?: number | null;
}

/** Index of a double's high (sign, exponent, top mantissa) 32-bit word in an Int32Array view. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** Buckets of the cut's histogram on the priorities' high words. */
const LOG2_BUCKETS = 8;
const BUCKETS = 1 << LOG2_BUCKETS;
/** Initial log2 of a bucket's width in high-word units: 1/16 of a binary order of magnitude. */
const SHIFT = 16;

/** Entries of a new reservoir's buffer: 64 bytes, the most V8 keeps inside its heap. */
const INITIAL_CAPACITY = 4;

// Scratch of the cut, shared by all reservoirs (a cut never re-enters).
const counts = new Int32Array(BUCKETS);
let scratch = new Int32Array(64);
const word = new Float64Array(1);
const wordBits = new Int32Array(word.buffer);

/**
 * exp(x) by log second, shared by all reservoirs: keys updated in the same second usually share
 * their landmark (their first second, or the last rescale), hence x. Exact: exp is a pure function.
 */
const EXP_SLOTS = 64;
const expX = new Float64Array(EXP_SLOTS).fill(NaN);
const expG = new Float64Array(EXP_SLOTS);

/** High word of a non-negative double, sign bit cleared (a -0 from a restored state). */
function highWord(x: number): number {
  word[0] = x;
  return wordBits[HI]! & 0x7fffffff;
}

/** counts[b] = entries whose high word is in bucket b (2^shift wide from lo); the last bucket is open-ended. */
function countBuckets(bits: Int32Array, n: number, lo: number, shift: number): void {
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const b = ((bits[4 * i + HI]! & 0x7fffffff) - lo) >>> shift;
    counts[b < BUCKETS ? b : BUCKETS - 1]++;
  }
}

function scratchOf(n: number): Int32Array {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, 2 * scratch.length));
  return scratch;
}

/** Sorts idx[0, m) by buf[2 * idx[i]] (the entries' priorities), ascending. */
function sortByPriority(idx: Int32Array, m: number, buf: Float64Array): void {
  if (m > 24) {
    // Many equal high words (e.g. priorities underflowed to 0 by a long gap): O(m log m).
    idx.subarray(0, m).sort((a, b) => buf[2 * a]! - buf[2 * b]!);
    return;
  }
  for (let a = 1; a < m; a++) {
    const ia = idx[a]!;
    const pa = buf[2 * ia]!;
    let b = a - 1;
    while (b >= 0 && buf[2 * idx[b]!]! > pa) {
      idx[b + 1] = idx[b]!;
      b--;
    }
    idx[b + 1] = ia;
  }
}

export class ForwardDecayReservoir {
  // Fields are `declare`d and assigned in the constructor: under target ES2022 a plain declaration
  // is emitted as a class field set to undefined first, which makes V8 keep numbers boxed (an
  // allocation per update) instead of in unboxed double fields.
  declare readonly size: number;
  declare readonly alpha: number;
  declare readonly rescaleThresholdSec: number;
  /** Source of u; drawn when pending updates are settled, so its state is only current after a read. */
  declare private readonly prng: Prng;
  /** Log time (s) of the landmark (NaN before the first update); current once settled. */
  declare private lm: number;
  /** Settled entries: [0, n) of the buffer hold (priority, value) pairs, up to 2 * size before a cut. */
  declare private n: number;
  /**
   * Pending updates: [n, end) of the buffer hold (log time, value), not yet given a priority.
   * update() only appends them; they are settled, in order and exactly as update() used to
   * offer them one by one, when the reservoir is read or the buffer is full. Batching keeps the
   * exp / PRNG / threshold work in one tight loop instead of spread over the line processing.
   */
  declare private end: number;
  /** Lowest kept priority at the last cut (-Infinity before the first): nothing at or below it can be kept. */
  declare private threshold: number;
  /** Entry i: buf[2i] its priority (its log time while pending), buf[2i + 1] its value. */
  declare private buf: Float64Array;
  /**
   * `buf`'s bytes as 32-bit words, for the cut's histogram; made by the first cut of each buffer.
   * A new reservoir's buffer (4 entries) lives inside the V8 heap; asking for its `.buffer` would
   * move it out, with an ArrayBuffer object (~0.3 KB a key that never fills its buffer).
   */
  declare private bits: Int32Array | null;
  /** Cache of exp(alpha * (t - landmark)) for the last t (log lines often share a timestamp). */
  declare private expT: number;
  declare private expV: number;
  /** log2 of the cut's bucket width in high-word units (grows if the cuts outrun the buckets). */
  declare private shift: number;

  /**
   * @param size reservoir size (integer >= 1)
   * @param alpha forward-decay alpha (>= 0; 0 = uniform sample)
   * @param rescaleThresholdSec log-time seconds between landmark moves (> 0; Infinity allowed)
   * @param prng source of u (owned by the reservoir from now on)
   */
  constructor(size: number, alpha: number, rescaleThresholdSec: number, prng: Prng) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`reservoir size must be an integer >= 1: ${size}`);
    if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new Error(`reservoir alpha must be finite and >= 0: ${alpha}`);
    if (!(rescaleThresholdSec > 0)) throw new Error(`reservoir rescale threshold must be > 0: ${rescaleThresholdSec}`);
    this.size = size;
    this.alpha = alpha;
    this.rescaleThresholdSec = rescaleThresholdSec;
    this.prng = prng;
    this.lm = NaN;
    this.n = 0;
    this.end = 0;
    this.threshold = -Infinity;
    this.buf = new Float64Array(2 * Math.min(INITIAL_CAPACITY, 2 * size));
    this.bits = null;
    this.expT = NaN;
    this.expV = 1.5; // any double: keeps the field an unboxed double
    this.shift = SHIFT;
  }

  /** Log time (s) of the landmark; NaN before the first update. */
  get landmark(): number {
    this.settle();
    return this.lm;
  }

  /** Offers `value` observed at log time `t` (seconds). A non-finite `t` is ignored. */
  update(value: number, t: number): void {
    if (t - t !== 0) return; // NaN or +-Infinity would poison the landmark
    const j = this.end;
    if (2 * j === this.buf.length) this.grow();
    this.buf[2 * j] = t;
    this.buf[2 * j + 1] = value;
    this.end = j + 1;
    if (j + 1 === 2 * this.size) this.settle();
  }

  /** Gives the pending updates their priorities, in order, and offers them. */
  private settle(): void {
    const end = this.end;
    let n = this.n;
    if (n === end) return;
    const buf = this.buf;
    const prng = this.prng;
    const alpha = this.alpha;
    let threshold = this.threshold;
    let expT = this.expT;
    let expV = this.expV;
    // Entry j is read before slot n <= j is written: settled entries never overtake pending ones.
    for (let j = n; j < end; j++) {
      const t = buf[2 * j]!;
      if (t !== expT) {
        let landmark = this.lm;
        if (landmark !== landmark) {
          landmark = t;
          this.lm = t;
        }
        const x = alpha * (t - landmark);
        if (t - landmark >= this.rescaleThresholdSec || x > MAX_EXPONENT) {
          this.n = n;
          this.rescale(t);
          threshold = this.threshold;
          expV = 1;
        } else {
          const slot = t & (EXP_SLOTS - 1);
          if (expX[slot] === x) {
            expV = expG[slot]!;
          } else {
            expV = Math.exp(x);
            expX[slot] = x;
            expG[slot] = expV;
          }
        }
        expT = t;
      }
      // g <= exp(MAX_EXPONENT) and u >= 2^-32: the priority is finite. A very old out-of-order t
      // underflows it to 0.
      const p = expV / prng.next();
      // Not above the lowest kept priority of the last cut: it can never be among the kept ones
      // (the kept set only rises, and a rescale preserves order), so it is dropped at once; ties too.
      if (p <= threshold) continue;
      buf[2 * n] = p;
      buf[2 * n + 1] = buf[2 * j + 1]!;
      n++;
    }
    this.n = n;
    this.end = n;
    this.expT = expT;
    this.expV = expV;
    // The buffer can only have filled with the last pending entry (n <= j + 1), which is where
    // offering them one by one would have cut it too.
    if (n === 2 * this.size) this.compact();
  }

  /**
   * Moves the landmark to `t`, multiplying every settled priority by exp(-alpha * (t - landmark)).
   * Only called with t >= landmark, so the factor is <= 1 and nothing can overflow.
   */
  private rescale(t: number): void {
    const factor = Math.exp(-this.alpha * (t - this.lm));
    const buf = this.buf;
    for (let i = 0; i < this.n; i++) buf[2 * i] *= factor;
    this.threshold *= factor;
    this.lm = t;
  }

  /** Appends a settled entry (fromState). */
  private offer(p: number, value: number): void {
    if (p <= this.threshold) return;
    let n = this.n;
    if (2 * n === this.buf.length) this.grow();
    this.buf[2 * n] = p;
    this.buf[2 * n + 1] = value;
    this.n = ++n;
    this.end = n;
    if (n >= 2 * this.size) this.compact();
  }

  private grow(): void {
    const cap = Math.min(2 * this.size, Math.max(INITIAL_CAPACITY, this.buf.length));
    const buf = new Float64Array(2 * cap);
    buf.set(this.buf);
    this.buf = buf;
    this.bits = null;
  }

  /**
   * Cuts the settled entries back to their `size` highest priorities; the pending ones must have
   * been settled. The buffer stays in offer order (the cut is a stable compaction), so among equal
   * priorities straddling the cut the earlier offered are kept: the same rule as the threshold's
   * "a new entry must be above a kept one to displace it", whenever the cut happens.
   *
   * The k = n - size lowest are found from a histogram of the priorities' high words (non-negative
   * doubles order like their bit patterns): one pass to bucket them, a sort of the few in the
   * bucket holding the k-th lowest, one pass to compact. A few linear passes, where a quickselect
   * over the 2 * size buffer swaps on unpredictable branches.
   */
  private compact(): void {
    const n = this.n;
    const size = this.size;
    if (n <= size) return;
    const k = n - size;
    const buf = this.buf;
    const bits = this.bits ?? (this.bits = new Int32Array(buf.buffer, buf.byteOffset, buf.length * 2));
    // Every settled priority is >= the threshold (kept ones were at the cut, later ones are
    // above it, and a rescale scales both alike), so its high word bounds theirs from below.
    // Buckets are 2^shift high-word units wide, the last one open-ended.
    let lo = 0;
    let shift = this.shift;
    let cut = BUCKETS - 1;
    let below = 0;
    if (this.threshold >= 0) {
      lo = highWord(this.threshold);
      countBuckets(bits, n, lo, shift);
      cut = 0;
      while (below + counts[cut]! < k) below += counts[cut++]!;
    }
    if (cut === BUCKETS - 1) {
      // No threshold yet, or the cut is in the open-ended bucket: buckets over the exact range.
      lo = 0x7fffffff;
      let hi = 0;
      for (let i = 0; i < n; i++) {
        const h = bits[4 * i + HI]! & 0x7fffffff;
        if (h < lo) lo = h;
        if (h > hi) hi = h;
      }
      shift = Math.max(0, 32 - Math.clz32(hi - lo) - LOG2_BUCKETS);
      if (this.threshold >= 0) this.shift = shift; // the cuts rise faster than the buckets reach
      countBuckets(bits, n, lo, shift);
      cut = 0;
      below = 0;
      while (below + counts[cut]! < k) below += counts[cut++]!;
    }
    // The k-th lowest priority is the r-th lowest of bucket `cut`. If that is its highest, the
    // lowest kept one is in the next non-empty bucket: gather through it too.
    const r = k - below;
    let last = cut;
    if (r === counts[cut]) while (counts[++last] === 0);
    let m = 0;
    for (let b = cut; b <= last; b++) m += counts[b]!;
    const idx = scratchOf(m);
    // High words of buckets cut..last (shift <= 23: the shifts stay within int32).
    const from = lo + (cut << shift);
    const to = last === BUCKETS - 1 ? 0x7fffffff : Math.min(0x7fffffff, lo + ((last + 1) << shift) - 1);
    let g = 0;
    for (let i = 0; i < n; i++) {
      const h = bits[4 * i + HI]! & 0x7fffffff;
      if (h >= from && h <= to) idx[g++] = i;
    }
    sortByPriority(idx, m, buf);
    const c = buf[2 * idx[r - 1]!]!; // highest dropped priority
    const min = buf[2 * idx[r]!]!; // lowest kept priority
    // Entries equal to c past the r-th are kept: the first ones in offer order, below.
    let tiesKept = 0;
    while (r + tiesKept < m && buf[2 * idx[r + tiesKept]!] === c) tiesKept++;
    let w = 0;
    for (let i = 0; i < n; i++) {
      const p = buf[2 * i]!;
      buf[2 * w] = p;
      buf[2 * w + 1] = buf[2 * i + 1]!;
      if (p > c || (p === c && tiesKept-- > 0)) w++;
    }
    this.n = size;
    this.end = size;
    this.threshold = min;
  }

  /** Number of values held (<= size). */
  get count(): number {
    this.settle();
    this.compact();
    return this.n;
  }

  /**
   * Held values, unsorted. With `out` (length >= count) copies into it and returns `out` (only the
   * first `count` entries are meaningful) without allocating; otherwise returns a new array.
   */
  values(out?: Float64Array): Float64Array {
    const n = this.count;
    const dst = out !== undefined && out.length >= n ? out : new Float64Array(n);
    const buf = this.buf;
    for (let i = 0; i < n; i++) dst[i] = buf[2 * i + 1]!;
    return dst;
  }

  /**
   * The internal storage: value i at buffer[2 * i + 1]. Read-only by contract: only the first
   * `count` entries are meaningful (read `count` first), and it changes on the next update. For
   * `summarize(r.buffer, r.count, out, 1, 2)`, which copies before sorting.
   */
  get buffer(): Float64Array {
    this.settle();
    this.compact();
    return this.buf;
  }

  toState(): ReservoirState {
    // Canonical: entries sorted by priority, and the threshold implied by a full reservoir, so the
    // state does not depend on when earlier cuts happened.
    const n = this.count;
    const b = this.buf;
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => b[2 * x]! - b[2 * y]! || b[2 * x + 1]! - b[2 * y + 1]!);
    const priorities = order.map((i) => b[2 * i]!);
    const values = order.map((i) => b[2 * i + 1]!);
    if (n === this.size && n > 0 && priorities[0]! > this.threshold) this.threshold = priorities[0]!;
    return {
      size: this.size,
      alpha: this.alpha,
      rescaleThresholdSec: this.rescaleThresholdSec === Infinity ? null : this.rescaleThresholdSec,
      landmark: this.lm === this.lm ? this.lm : null,
      priorities,
      values,
      prng: this.prng.getState(),
      threshold: this.threshold === -Infinity ? null : this.threshold,
    };
  }

  /**
   * Rebuilds a reservoir from `toState()`. `size`, `alpha` and `rescaleThresholdSec` default to the
   * saved ones; pass the configured ones to apply a changed configuration (a smaller size keeps the
   * highest priorities; held priorities are kept as they were computed).
   */
  static fromState(
    state: ReservoirState,
    size: number = state.size,
    alpha: number = state.alpha,
    rescaleThresholdSec: number = state.rescaleThresholdSec === null ? Infinity : state.rescaleThresholdSec,
  ): ForwardDecayReservoir {
    if (state === null || typeof state !== 'object') throw new Error('invalid reservoir state');
    const { priorities, values, landmark } = state;
    if (!Array.isArray(priorities) || !Array.isArray(values) || priorities.length !== values.length) {
      throw new Error('invalid reservoir state: priorities/values');
    }
    if (landmark !== null && (typeof landmark !== 'number' || !Number.isFinite(landmark))) {
      throw new Error('invalid reservoir state: landmark');
    }
    const threshold = typeof state.threshold === 'number' && size === state.size ? state.threshold : -Infinity;
    return ForwardDecayReservoir.rebuild(size, alpha, rescaleThresholdSec, Prng.fromState(state.prng),
      landmark === null ? NaN : landmark, priorities, values, priorities.length, threshold);
  }

  /**
   * The state for a binary checkpoint: the held entries in buffer order, so that read() rebuilds
   * exactly this reservoir (the same future cuts and ties). Settles the pending updates first, which
   * draws what the next read would have drawn: the results do not change.
   */
  write(w: ByteWriter): void {
    const n = this.count;
    w.u32(this.size);
    w.f64(this.lm);
    w.f64(this.threshold);
    const st = this.prng.getState();
    for (let i = 0; i < 4; i++) w.u32(st[i]!);
    w.u32(n);
    w.f64s(this.buf, 2 * n);
  }

  /** Reads write()'s state with the configured size, alpha and rescale threshold (as fromState). */
  static read(r: ByteReader, size: number, alpha: number, rescaleThresholdSec: number): ForwardDecayReservoir {
    const savedSize = r.u32();
    const lm = r.f64();
    const threshold = r.f64();
    const prng = Prng.fromState([r.u32(), r.u32(), r.u32(), r.u32()]);
    const n = r.u32();
    const pairs = r.f64s(2 * n);
    if (lm - lm !== 0 && lm === lm) throw new DecodeError('invalid reservoir state: landmark');
    const prio = pairs.filter((_, i) => i % 2 === 0);
    const vals = pairs.filter((_, i) => i % 2 === 1);
    return ForwardDecayReservoir.rebuild(size, alpha, rescaleThresholdSec, prng, lm, prio, vals, n,
      size === savedSize ? threshold : -Infinity);
  }

  /** A reservoir holding the given entries, offered in order (a smaller size keeps the highest priorities). */
  private static rebuild(size: number, alpha: number, rescaleThresholdSec: number, prng: Prng, landmark: number,
    priorities: ArrayLike<unknown>, values: ArrayLike<unknown>, n: number, threshold: number): ForwardDecayReservoir {
    if (landmark !== landmark && n > 0) throw new DecodeError('invalid reservoir state: values without landmark');
    const r = new ForwardDecayReservoir(size, alpha, rescaleThresholdSec, prng);
    r.lm = landmark;
    for (let i = 0; i < n; i++) {
      const p = priorities[i];
      const v = values[i];
      if (typeof p !== 'number' || !(p >= 0) || !Number.isFinite(p) || typeof v !== 'number' || !Number.isFinite(v)) {
        throw new DecodeError(`invalid reservoir state: entry ${i}`);
      }
      r.offer(p, v);
    }
    if (threshold > r.threshold) r.threshold = threshold;
    return r;
  }
}
