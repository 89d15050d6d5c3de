// Summary statistics of a histogram's held values (behaviour spec section 4, "histogram").
//
// Reference: go-metrics' SampleSnapshot as used by the Go original (SampleMean, SampleStdDev,
// SamplePercentiles): the mean and POPULATION standard deviation (divide by n) of the values,
// unweighted; percentile p interpolates at pos = p * (n + 1) over the sorted values
// (pos < 1: min; pos >= n: max; else lower + frac(pos) * (upper - lower)).

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

// Module-level scratch: the values are copied here and sorted, so the caller's storage (for
// example a reservoir's heap) is never reordered. `views[n]` caches a length-n view of `scratch`
// so a summary allocates nothing once warm.
let scratch = new Float64Array(256);
let views: Float64Array[] = [];

function sortedView(n: number): Float64Array {
  if (n > scratch.length) {
    let cap = scratch.length;
    while (cap < n) cap *= 2;
    scratch = new Float64Array(cap);
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
 * Summarises the first `n` entries of `values` into `out` and returns `out`. `values` is not
 * modified (a module-level scratch copy is sorted). With n <= 0 every field of `out` is set to 0.
 */
export function summarize(values: Float64Array, n: number, out: Summary): Summary {
  if (!(n > 0)) {
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
  const s = sortedView(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    s[i] = v;
    sum += v;
  }
  s.sort();
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = s[i] - mean;
    sq += d * d;
  }
  out.min = s[0];
  out.max = s[n - 1];
  out.mean = mean;
  out.stddev = Math.sqrt(sq / n);
  out.p50 = percentile(s, n, 0.5);
  out.p75 = percentile(s, n, 0.75);
  out.p95 = percentile(s, n, 0.95);
  out.p99 = percentile(s, n, 0.99);
  out.p999 = percentile(s, n, 0.999);
  out.size = n;
  return out;
}
