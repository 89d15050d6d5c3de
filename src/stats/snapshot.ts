// Summary statistics of a histogram's held values (behaviour spec section 4, "histogram").
//
// Reference: go-metrics' SampleSnapshot as used by the Go original (SampleMean, SampleStdDev,
// SamplePercentiles): the mean and POPULATION standard deviation (divide by n) of the values,
// unweighted; percentile p interpolates at pos = p * (n + 1) over the sorted values
// (pos < 1: min; pos >= n: max; else lower + frac(pos) * (upper - lower)).
import { fromRanks, orderStatistics } from './ranks.js';

/** One histogram push. A class so every instance has the same fixed numeric fields. */
export class Summary {
  min = 0;
  max = 0;
  mean = 0;
  stddev = 0;
  p50 = 0;
  p75 = 0;
  p95 = 0;
  p99 = 0;
  p999 = 0;
  /** Number of values summarised (`sample_size`). */
  size = 0;
}

// Module-level scratch: the values are copied here, so the caller's storage (for example a
// reservoir's buffer) is never reordered. `views[n]` caches a length-n view of `scratch` so a
// summary allocates nothing once warm; `bits` is the scratch's bytes as 32-bit words.
let scratch = new Float64Array(256);
let bits = new Int32Array(scratch.buffer);
let views: Float64Array[] = [];

function sortedView(n: number): Float64Array {
  if (n > scratch.length) {
    let cap = scratch.length;
    while (cap < n) cap *= 2;
    scratch = new Float64Array(cap);
    bits = new Int32Array(scratch.buffer);
    views = [];
  }
  let v = views[n];
  if (v === undefined) {
    v = scratch.subarray(0, n);
    views[n] = v;
  }
  return v;
}

/**
 * Percentile `p` (0..1) of the first `n` entries of `sorted` (ascending), go-metrics style.
 * Requires n >= 1.
 */
export function percentile(sorted: Float64Array, n: number, p: number): number {
  const pos = p * (n + 1);
  if (pos < 1) return sorted[0];
  if (pos >= n) return sorted[n - 1];
  const f = Math.floor(pos);
  const lower = sorted[f - 1];
  const upper = sorted[f];
  return lower + (pos - f) * (upper - lower);
}

/**
 * Summarises `n` entries of `values` (values[offset + i * stride], i < n) into `out` and returns
 * `out`. `values` is not modified (a module-level scratch copy is reordered). With n <= 0 every
 * field of `out` is set to 0.
 */
export function summarize(values: Float64Array, n: number, out: Summary, offset = 0, stride = 1): Summary {
  if (!(n > 0)) return clearSummary(out);
  // Copy (the caller's storage is never reordered), then find only the order statistics the
  // percentiles need (ranks.ts), never a full sort. Sums are compensated (Neumaier), so they do not
  // depend on the order the values are held in.
  const s = sortedView(n);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let abs = 0;
  let ints = true;
  for (let i = 0; i < n; i++) {
    const v = values[offset + i * stride]!;
    s[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
    if ((v | 0) !== v) ints = false;
    sum += v;
    abs += v < 0 ? -v : v;
  }
  // int32 values whose absolute sum stays below 2^53: every partial sum is exact, so the plain sum
  // is what the compensated one would give (its correction term stays 0). Otherwise compensate.
  if (!ints || !(abs < TWO_POW_53)) sum = compensatedSum(s, n);
  const mean = sum / n;
  let sq = 0;
  let cq = 0;
  for (let i = 0; i < n; i++) {
    const d = s[i]! - mean;
    const v = d * d;
    const t = sq + v;
    cq += sq >= v ? (sq - t) + v : (v - t) + sq;
    sq = t;
  }
  out.min = min;
  out.max = max;
  out.mean = mean;
  out.stddev = Math.sqrt((sq + cq) / n);
  out.size = n;
  orderStatistics(s, bits, n, min, max, ints);
  out.p50 = fromRanks(n, 0.5, min, max);
  out.p75 = fromRanks(n, 0.75, min, max);
  out.p95 = fromRanks(n, 0.95, min, max);
  out.p99 = fromRanks(n, 0.99, min, max);
  out.p999 = fromRanks(n, 0.999, min, max);
  return out;
}

const TWO_POW_53 = 9007199254740992;

/** Neumaier's compensated sum of a[0, n). */
function compensatedSum(a: Float64Array, n: number): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }
  return sum + c;
}

/** Sets every field of `out` to 0 (an empty histogram) and returns it. */
export function clearSummary(out: Summary): Summary {
  out.min = 0;
  out.max = 0;
  out.mean = 0;
  out.stddev = 0;
  out.p50 = 0;
  out.p75 = 0;
  out.p95 = 0;
  out.p99 = 0;
  out.p999 = 0;
  out.size = 0;
  return out;
}
