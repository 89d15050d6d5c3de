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
 * Summarises `n` entries of `values` (values[offset + i * stride], i < n) into `out` and returns
 * `out`. `values` is not modified (a module-level scratch copy is sorted). With n <= 0 every field
 * of `out` is set to 0.
 */
export function summarize(values: Float64Array, n: number, out: Summary, offset = 0, stride = 1): Summary {
  if (!(n > 0)) return clearSummary(out);
  // Copy (the caller's storage is never reordered), then select only the order statistics the
  // percentiles need: an in-place multi-quickselect costs a fraction of a full sort (V8's
  // TypedArray sort is ~40 ns an element here). Sums are compensated (Neumaier), so they do not
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
  // Integers over a range not much wider than the sample (timings in ms, sizes, counts): a counting
  // pass finds the order statistics in O(n + range) with no data-dependent swaps; anything else
  // is selected in place.
  if (ints && max - min < 4 * n + 256) countedPercentiles(s, n, min, max - min + 1, out);
  else selectedPercentiles(s, n, min, max, out);
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

let counts = new Int32Array(1024);
/** Ranks (0-based, ascending) whose values the percentiles need, and those values. */
const ranks = new Int32Array(10);
const rankVals = new Float64Array(10);

function countedPercentiles(s: Float64Array, n: number, min: number, range: number, out: Summary): void {
  if (counts.length < range) counts = new Int32Array(Math.max(range, 2 * counts.length));
  const cnt = counts;
  cnt.fill(0, 0, range);
  for (let i = 0; i < n; i++) cnt[s[i]! - min]!++;
  let nr = 0;
  for (let i = 0; i < PS.length; i++) {
    const pos = PS[i]! * (n + 1);
    if (pos < 1 || pos >= n) continue;
    const f = Math.floor(pos);
    if (nr > 0 && ranks[nr - 2] === f - 1) continue; // same pair as the previous percentile
    ranks[nr++] = f - 1;
    ranks[nr++] = f;
  }
  let cum = 0;
  let r = 0;
  for (let v = 0; v < range && r < nr; v++) {
    cum += cnt[v]!;
    while (r < nr && ranks[r]! < cum) rankVals[r++] = v + min;
  }
  out.p50 = fromRanks(n, 0.5, out.min, out.max);
  out.p75 = fromRanks(n, 0.75, out.min, out.max);
  out.p95 = fromRanks(n, 0.95, out.min, out.max);
  out.p99 = fromRanks(n, 0.99, out.min, out.max);
  out.p999 = fromRanks(n, 0.999, out.min, out.max);
}

/** Percentile p from the order statistics countedPercentiles found (ranks f-1 and f, in `ranks` order). */
function fromRanks(n: number, p: number, min: number, max: number): number {
  const pos = p * (n + 1);
  if (pos < 1) return min;
  if (pos >= n) return max;
  const f = Math.floor(pos);
  let i = 0;
  while (ranks[i] !== f - 1) i += 2;
  const lower = rankVals[i]!;
  return lower + (pos - f) * (rankVals[i + 1]! - lower);
}

function selectedPercentiles(s: Float64Array, n: number, min: number, max: number, out: Summary): void {
  let from = 0;
  for (let i = 0; i < PS.length; i++) {
    const pos = PS[i]! * (n + 1);
    if (pos < 1 || pos >= n) continue;
    const f = Math.floor(pos);
    if (f - 1 >= from) { select(s, from, n - 1, f - 1); from = f; }
    if (f >= from) { minToFront(s, f, n); from = f + 1; }
  }
  out.p50 = pick(s, n, 0.5, min, max);
  out.p75 = pick(s, n, 0.75, min, max);
  out.p95 = pick(s, n, 0.95, min, max);
  out.p99 = pick(s, n, 0.99, min, max);
  out.p999 = pick(s, n, 0.999, min, max);
}

const PS = [0.5, 0.75, 0.95, 0.99, 0.999];

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

/** Percentile p over `s` whose needed order statistics have been selected into place. */
function pick(s: Float64Array, n: number, p: number, min: number, max: number): number {
  const pos = p * (n + 1);
  if (pos < 1) return min;
  if (pos >= n) return max;
  const f = Math.floor(pos);
  const lower = s[f - 1]!;
  return lower + (pos - f) * (s[f]! - lower);
}

/** Moves the smallest of a[from..n) to a[from]: the rank after a selected one needs one pass, not a partition. */
function minToFront(a: Float64Array, from: number, n: number): void {
  let m = from;
  let mv = a[from]!;
  for (let i = from + 1; i < n; i++) if (a[i]! < mv) { mv = a[i]!; m = i; }
  a[m] = a[from]!;
  a[from] = mv;
}

/** Hoare quickselect: afterwards a[k] is the k-th smallest of a[lo..hi], smaller ones before it, larger after. */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!; a[i] = a[j]!; a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
