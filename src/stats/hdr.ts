// Per-interval HDR histogram for `histogram_kind: hdr` (behaviour spec section 2: "an HDR histogram
// of the values seen since the key's previous push, reset after each push").
//
// Reference: Gil Tene's HdrHistogram (https://hdrhistogram.org), via hdr-histogram-js (pure JS
// build, 3 significant digits, 32-bit buckets, auto-resizing).
//
// Precision: HDR records non-negative integers, so a value v is recorded as Math.round(v * 1000)
// and results are divided by 1000. Percentiles are therefore exact to 0.1% relative (3 significant
// digits) and 0.001 absolute, and are clamped into [min, max]. Negative values (which the parser
// never produces) are recorded as 0 in the HDR part; values above 2^53 / 1000 are clamped.
// min, max, mean (sum / count) and the population std-dev (Welford) are tracked exactly beside
// the histogram, not derived from its buckets.
//
// Cost: hdr-histogram-js' recordValue is ~0.2 us (Math.log2/Math.pow per call) — several times a
// reservoir update; memory ~10-50 KB per key depending on the value range.

import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';
import { clearSummary, type Summary } from './snapshot.js';
import type { ByteReader, ByteWriter } from '../core/bytes.js';

// Loaded on first use: only `histogram_kind: hdr` needs it, and importing it costs ~40 ms of every
// start-up (a --once replay, --check, --test-parser) otherwise.
type HdrModule = typeof import('hdr-histogram-js');
let hdrModule: HdrModule | undefined;
function hdr(): HdrModule {
  return (hdrModule ??= createRequire(import.meta.url)('hdr-histogram-js') as HdrModule);
}

/** Default recording scale for non-integer values (see the header); integer metrics use 1 and stay exact below 2048. */
export const DEFAULT_SCALE = 1000;
const MAX_RECORDED = Number.MAX_SAFE_INTEGER;

export interface HdrState {
  count: number;
  /** null when count is 0 (min/max are +-Infinity then). */
  min: number | null;
  max: number | null;
  sum: number;
  wmean: number;
  m2: number;
  /** hdr-histogram-js compressed base64 encoding; null when count is 0. */
  histogram: string | null;
  scale?: number;
}

function newHistogram(): Histogram {
  return hdr().build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export class HdrInterval {
  // Fields are `declare`d and assigned in the constructor: under target ES2022 a plain declaration
  // is emitted as a class field set to undefined first, which makes V8 keep numbers boxed (an
  // allocation per update) instead of in unboxed double fields.
  /** Values recorded since the last reset. */
  declare count: number;
  declare min: number;
  declare max: number;
  /** Sum of the values (the reported mean is sum / count, as for the reservoir). */
  declare sum: number;
  /** Running mean and sum of squared deviations (Welford), for the std-dev. */
  declare wmean: number;
  declare m2: number;
  declare private readonly h: Histogram;
  /** Values are recorded as Math.round(value * scale). */
  declare readonly scale: number;

  constructor(histogram?: Histogram, scale: number = DEFAULT_SCALE) {
    this.scale = scale;
    this.clear();
    this.h = histogram ?? newHistogram();
  }

  /** The exact figures kept beside the histogram, back to empty. */
  private clear(): void {
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.sum = 0;
    this.wmean = 0;
    this.m2 = 0;
  }

  update(value: number, _t?: number): void {
    const n = this.count + 1;
    this.count = n;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sum += value;
    const d = value - this.wmean;
    this.wmean += d / n;
    this.m2 += d * (value - this.wmean);
    let s = Math.round(value * this.scale);
    if (!(s >= 0)) s = 0;
    else if (s > MAX_RECORDED) s = MAX_RECORDED;
    this.h.recordValue(s);
  }

  /** Fills `out` (all zeros when nothing was recorded since the last reset) and returns it. */
  summarize(out: Summary): Summary {
    const n = this.count;
    if (n === 0) return clearSummary(out);
    out.min = this.min;
    out.max = this.max;
    out.mean = this.sum / n;
    out.stddev = Math.sqrt(this.m2 / n);
    out.p50 = this.pct(50);
    out.p75 = this.pct(75);
    out.p95 = this.pct(95);
    out.p99 = this.pct(99);
    out.p999 = this.pct(99.9);
    out.size = n;
    return out;
  }

  private pct(p: number): number {
    const v = this.h.getValueAtPercentile(p) / this.scale;
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }

  /** Forgets everything recorded (called after each push). */
  reset(): void {
    this.clear();
    this.h.reset();
  }

  toState(): HdrState {
    const empty = this.count === 0;
    return {
      count: this.count,
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      sum: this.sum,
      wmean: this.wmean,
      m2: this.m2,
      histogram: empty ? null : hdr().encodeIntoCompressedBase64(this.h),
      scale: this.scale,
    };
  }

  /** The state for a binary checkpoint: toState() as JSON (an HDR key's state is small and rare). */
  write(w: ByteWriter): void {
    w.str(JSON.stringify(this.toState()));
  }

  static read(r: ByteReader): HdrInterval {
    return HdrInterval.fromState(JSON.parse(r.str()) as HdrState);
  }

  static fromState(state: HdrState): HdrInterval {
    if (state === null || typeof state !== 'object') throw new Error('invalid hdr state');
    const { count, min, max, sum, wmean, m2, histogram } = state;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error('invalid hdr state: count');
    const scale = typeof state.scale === 'number' && state.scale > 0 ? state.scale : DEFAULT_SCALE;
    if (count === 0) return new HdrInterval(undefined, scale);
    if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max)) {
      throw new Error('invalid hdr state: min/max');
    }
    for (const v of [sum, wmean, m2]) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error('invalid hdr state: sum/wmean/m2');
    }
    if (typeof histogram !== 'string') throw new Error('invalid hdr state: histogram');
    let h: Histogram;
    try {
      h = hdr().decodeFromCompressedBase64(histogram, 32, false);
    } catch (e) {
      throw new Error(`invalid hdr state: histogram: ${(e as Error).message}`);
    }
    if (h.totalCount !== count) throw new Error('invalid hdr state: histogram count mismatch');
    h.autoResize = true; // decoding leaves it off
    const r = new HdrInterval(h, scale);
    r.count = count;
    r.min = min;
    r.max = max;
    r.sum = sum;
    r.wmean = wmean;
    r.m2 = m2;
    return r;
  }
}
