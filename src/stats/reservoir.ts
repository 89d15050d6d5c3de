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
// Storage: a binary min-heap on priority over two parallel Float64Arrays (priorities, values);
// O(log size) per update, no allocation.

import { Prng } from './prng.js';

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
  /** Heap order; same length as `values`. */
  priorities: number[];
  values: number[];
  prng: number[];
  /** Lowest kept priority at the last cut (null: none yet); restores the exact internal state. */
  threshold?: number | null;
}

export class ForwardDecayReservoir {
  // Fields are `declare`d and assigned in the constructor: under target ES2022 a plain declaration
  // is emitted as a class field set to undefined first, which makes V8 keep numbers boxed (an
  // allocation per update) instead of in unboxed double fields.
  declare readonly size: number;
  declare readonly alpha: number;
  declare readonly rescaleThresholdSec: number;
  declare readonly prng: Prng;
  /** Log time (s) of the landmark; NaN before the first update. Read-only outside this class. */
  declare landmark: number;
  /** Entries in the buffer (up to 2 * size before a cut); `count` is what is held. */
  declare private n: number;
  /** Lowest kept priority at the last cut (-Infinity before the first): nothing at or below it can be kept. */
  declare private threshold: number;
  declare private prio: Float64Array;
  declare private vals: Float64Array;
  /** Cache of exp(alpha * (t - landmark)) for the last t (log lines often share a timestamp). */
  declare private expT: number;
  declare private expV: number;

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
    this.landmark = NaN;
    this.n = 0;
    this.threshold = -Infinity;
    this.prio = new Float64Array(Math.min(16, 2 * size));
    this.vals = new Float64Array(Math.min(16, 2 * size));
    this.expT = NaN;
    this.expV = 1.5; // any double: keeps the field an unboxed double
  }

  /** Offers `value` observed at log time `t` (seconds). A non-finite `t` is ignored. */
  update(value: number, t: number): void {
    let g: number;
    if (t === this.expT) {
      g = this.expV;
    } else {
      if (t - t !== 0) return; // NaN or +-Infinity would poison the landmark
      let landmark = this.landmark;
      if (landmark !== landmark) {
        landmark = t;
        this.landmark = t;
      }
      const x = this.alpha * (t - landmark);
      if (t - landmark >= this.rescaleThresholdSec || x > MAX_EXPONENT) {
        this.rescale(t);
        g = 1;
      } else {
        g = Math.exp(x);
      }
      this.expT = t;
      this.expV = g;
    }
    // g <= exp(MAX_EXPONENT) and u >= 2^-32: the priority is finite. A very old out-of-order t
    // underflows it to 0.
    this.offer(g / this.prng.next(), value);
  }

  /**
   * Moves the landmark to `t`, multiplying every held priority by exp(-alpha * (t - landmark)).
   * Only called with t >= landmark, so the factor is <= 1 and nothing can overflow.
   */
  private rescale(t: number): void {
    const factor = Math.exp(-this.alpha * (t - this.landmark));
    const prio = this.prio;
    for (let i = 0; i < this.n; i++) prio[i] *= factor;
    this.threshold *= factor;
    this.landmark = t;
    this.expT = NaN;
  }

  /**
   * Keeps the `size` highest priorities. New entries are appended to a buffer of up to 2 * size
   * and the buffer is cut back to the top `size` by quickselect when it fills (amortised O(1), and
   * sequential memory access, where a heap costs a cache-missing sift per update). An entry not
   * above the lowest kept priority of the last cut can never be among the kept ones (the kept set
   * only rises, and a rescale preserves order), so it is dropped at once; ties with it too.
   */
  private offer(p: number, value: number): void {
    if (p <= this.threshold) return;
    let n = this.n;
    if (n === this.prio.length) this.grow();
    this.prio[n] = p;
    this.vals[n] = value;
    this.n = ++n;
    if (n >= 2 * this.size) this.compact();
  }

  private grow(): void {
    const cap = Math.min(2 * this.size, Math.max(16, this.prio.length * 2));
    const prio = new Float64Array(cap);
    const vals = new Float64Array(cap);
    prio.set(this.prio);
    vals.set(this.vals);
    this.prio = prio;
    this.vals = vals;
  }

  /** Cuts the buffer back to its `size` highest priorities (moved to the front). */
  private compact(): void {
    const n = this.n;
    const size = this.size;
    if (n <= size) return;
    const prio = this.prio;
    const vals = this.vals;
    // Quickselect: afterwards [n - size, n) holds the `size` highest priorities.
    const k = n - size;
    let lo = 0;
    let hi = n - 1;
    while (hi > lo) {
      const mid = (lo + hi) >>> 1;
      // median of three as pivot
      const a = prio[lo]!, b = prio[mid]!, c = prio[hi]!;
      const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (prio[i]! < pivot) i++;
        while (prio[j]! > pivot) j--;
        if (i <= j) {
          const tp = prio[i]!; prio[i] = prio[j]!; prio[j] = tp;
          const tv = vals[i]!; vals[i] = vals[j]!; vals[j] = tv;
          i++;
          j--;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else break;
    }
    let min = Infinity;
    for (let i = 0; i < size; i++) {
      const q = prio[k + i]!;
      prio[i] = q;
      vals[i] = vals[k + i]!;
      if (q < min) min = q;
    }
    this.n = size;
    this.threshold = min;
  }

  /** Number of values held (<= size). */
  get count(): number {
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
    const vals = this.vals;
    for (let i = 0; i < n; i++) dst[i] = vals[i]!;
    return dst;
  }

  /**
   * The internal value storage. Read-only by contract: only the first `count` entries are
   * meaningful (read `count` first), and it changes on the next update. For
   * `summarize(r.buffer, r.count, out)`, which copies before sorting.
   */
  get buffer(): Float64Array {
    this.compact();
    return this.vals;
  }

  toState(): ReservoirState {
    // Canonical: entries sorted by priority, and the threshold implied by a full reservoir, so the
    // state does not depend on when earlier cuts happened.
    const n = this.count;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.prio[a]! - this.prio[b]! || this.vals[a]! - this.vals[b]!);
    const priorities = order.map((i) => this.prio[i]!);
    const values = order.map((i) => this.vals[i]!);
    if (n === this.size && n > 0 && priorities[0]! > this.threshold) this.threshold = priorities[0]!;
    return {
      size: this.size,
      alpha: this.alpha,
      rescaleThresholdSec: this.rescaleThresholdSec === Infinity ? null : this.rescaleThresholdSec,
      landmark: this.landmark === this.landmark ? this.landmark : null,
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
    if (landmark === null && priorities.length > 0) throw new Error('invalid reservoir state: values without landmark');
    const r = new ForwardDecayReservoir(size, alpha, rescaleThresholdSec, Prng.fromState(state.prng));
    r.landmark = landmark === null ? NaN : landmark;
    for (let i = 0; i < priorities.length; i++) {
      const p = priorities[i];
      const v = values[i];
      if (typeof p !== 'number' || !(p >= 0) || !Number.isFinite(p) || typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`invalid reservoir state: entry ${i}`);
      }
      r.offer(p, v);
    }
    if (typeof state.threshold === 'number' && size === state.size) r.threshold = Math.max(r.threshold, state.threshold);
    return r;
  }
}
