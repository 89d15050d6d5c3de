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
  /** Number of values held (<= size). Read-only outside this class. */
  declare count: number;
  declare private readonly prio: Float64Array;
  declare private readonly vals: Float64Array;
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
    this.count = 0;
    this.prio = new Float64Array(size);
    this.vals = new Float64Array(size);
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
    for (let i = 0; i < this.count; i++) prio[i] *= factor;
    this.landmark = t;
    this.expT = NaN;
  }

  /** Heap insert keeping the `size` highest priorities; ties with the lowest kept one are dropped. */
  private offer(p: number, value: number): void {
    const prio = this.prio;
    const vals = this.vals;
    const n = this.count;
    if (n < this.size) {
      // sift up from the new leaf
      let i = n;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const pp = prio[parent];
        if (pp <= p) break;
        prio[i] = pp;
        vals[i] = vals[parent];
        i = parent;
      }
      prio[i] = p;
      vals[i] = value;
      this.count = n + 1;
      return;
    }
    if (p <= prio[0]) return;
    // replace the root (lowest priority) and sift down
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && prio[r] < prio[l] ? r : l;
      const pm = prio[m];
      if (pm >= p) break;
      prio[i] = pm;
      vals[i] = vals[m];
      i = m;
    }
    prio[i] = p;
    vals[i] = value;
  }

  /**
   * Held values, unsorted. With `out` (length >= count) copies into it and returns `out` (only the
   * first `count` entries are meaningful) without allocating; otherwise returns a new array.
   */
  values(out?: Float64Array): Float64Array {
    const n = this.count;
    const dst = out !== undefined && out.length >= n ? out : new Float64Array(n);
    const vals = this.vals;
    for (let i = 0; i < n; i++) dst[i] = vals[i];
    return dst;
  }

  /**
   * The internal value storage (heap order). Read-only by contract: only the first `count` entries
   * are meaningful, and it changes on the next update. For `summarize(r.buffer, r.count, out)`,
   * which copies before sorting.
   */
  get buffer(): Float64Array {
    return this.vals;
  }

  toState(): ReservoirState {
    const n = this.count;
    const priorities = new Array<number>(n);
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      priorities[i] = this.prio[i];
      values[i] = this.vals[i];
    }
    return {
      size: this.size,
      alpha: this.alpha,
      rescaleThresholdSec: this.rescaleThresholdSec === Infinity ? null : this.rescaleThresholdSec,
      landmark: this.landmark === this.landmark ? this.landmark : null,
      priorities,
      values,
      prng: this.prng.getState(),
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
      // Entries are in heap order, so with the same size this rebuilds the identical heap.
      r.offer(p, v);
    }
    return r;
  }
}
