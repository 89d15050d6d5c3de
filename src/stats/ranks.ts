// The order statistics a histogram summary needs (snapshot.ts): the values at the few ranks that
// percentiles p50..p999 interpolate between, found without sorting the sample. Three ways, each
// exact, chosen by the sample's shape:
// - counted: integers over a range not much wider than the sample (timings in ms of a fast service,
//   sizes, counts): one counting pass, O(n + range), no data-dependent swaps;
// - bucketed: non-negative values over a wide range (long-tailed timings: 1 ms to tens of seconds):
//   a counting sort on the values' high 32 bits (sign, exponent, top of the mantissa: non-negative
//   doubles order like their bit patterns, and the buckets come out about logarithmic), then only
//   the few buckets that hold a needed rank are sorted. A few branch-free passes, where a quickselect
//   mispredicts a branch at every step of its partitions (about 4x the time on 256 log-normal values);
// - selected: anything else (negative values, buckets too crowded): an in-place multi-quickselect.

/** The percentiles a summary reports, in ascending order. */
export const PS = [0.5, 0.75, 0.95, 0.99, 0.999];

/** Ranks (0-based, ascending, pairs f - 1, f per percentile strictly inside the sample) and their values. */
const ranks = new Int32Array(2 * PS.length);
export const rankVals = new Float64Array(2 * PS.length);

/** Index of a double's high 32-bit word in an Int32Array view of its bytes. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** Samples smaller than this are selected: below it the buckets' fixed costs outweigh the swaps saved. */
const MIN_BUCKETED = 64;
/** Largest bucket holding a needed rank that is sorted by insertion; a more crowded one means selection. */
const MAX_SEGMENT = 48;

/** Fills `ranks` for a sample of n; returns how many there are. */
function neededRanks(n: number): number {
  let nr = 0;
  for (let i = 0; i < PS.length; i++) {
    const pos = PS[i]! * (n + 1);
    if (pos < 1 || pos >= n) continue;
    const f = Math.floor(pos);
    if (nr > 0 && ranks[nr - 2] === f - 1) continue; // same pair as the previous percentile
    ranks[nr++] = f - 1;
    ranks[nr++] = f;
  }
  return nr;
}

/** Percentile p of a sample of n whose needed order statistics are in `rankVals`. */
export function fromRanks(n: number, p: number, min: number, max: number): number {
  const pos = p * (n + 1);
  if (pos < 1) return min;
  if (pos >= n) return max;
  const f = Math.floor(pos);
  let i = 0;
  while (ranks[i] !== f - 1) i += 2;
  const lower = rankVals[i]!;
  return lower + (pos - f) * (rankVals[i + 1]! - lower);
}

/**
 * Finds the needed order statistics of s[0, n) into `rankVals`; `bits` is an Int32Array view of
 * s's bytes (s starts at its offset 0). s may be reordered. `ints`: every value is an int32.
 */
export function orderStatistics(s: Float64Array, bits: Int32Array, n: number, min: number, max: number, ints: boolean): void {
  const nr = neededRanks(n);
  if (nr === 0) return;
  if (min === max) {
    rankVals.fill(min, 0, nr);
  } else if (ints && max - min < 4 * n + 256) {
    counted(s, n, min, max - min + 1, nr);
  } else if (!(n >= MIN_BUCKETED && min >= 0 && bucketed(s, bits, n, min, max, nr))) {
    selected(s, n, nr);
  }
}

let counts = new Int32Array(1024);

function counted(s: Float64Array, n: number, min: number, range: number, nr: number): void {
  if (counts.length < range) counts = new Int32Array(Math.max(range, 2 * counts.length));
  const cnt = counts;
  cnt.fill(0, 0, range);
  for (let i = 0; i < n; i++) cnt[s[i]! - min]!++;
  let cum = 0;
  let r = 0;
  for (let v = 0; v < range && r < nr; v++) {
    cum += cnt[v]!;
    while (r < nr && ranks[r]! < cum) rankVals[r++] = v + min;
  }
}

const word = new Float64Array(1);
const wordBits = new Int32Array(word.buffer);

/** High word of a non-negative double, sign bit cleared (-0). */
function highWord(x: number): number {
  word[0] = x;
  return wordBits[HI]! & 0x7fffffff;
}

// The bucketed way's scratch: bucket of each value, the values in bucket order, bucket ends.
let bucketOf = new Uint16Array(256);
let sorted = new Float64Array(256);
let ends = new Int32Array(258);

/**
 * Counting sort of s[0, n) (all >= 0, not all equal) on the high words: bucket 0 holds the high
 * word 0 (zeros, the tiniest subnormals), buckets 1.. the rest, 2^shift high-word units each from the
 * lowest non-zero one. Then each bucket holding a needed rank is sorted. False (nothing written)
 * when such a bucket is too crowded to sort cheaply.
 */
function bucketed(s: Float64Array, bits: Int32Array, n: number, min: number, max: number, nr: number): boolean {
  const log2b = Math.min(15, Math.max(8, 32 - Math.clz32(n - 1)));
  const nb = (1 << log2b) + 1;
  if (ends.length < nb + 1) ends = new Int32Array(nb + 1);
  if (bucketOf.length < n) { bucketOf = new Uint16Array(2 * n); sorted = new Float64Array(2 * n); }
  const hi = highWord(max);
  if (hi === 0) return false; // every high word 0: one bucket
  let lo = highWord(min);
  if (lo === 0) {
    lo = hi;
    for (let i = 0; i < n; i++) {
      const h = bits[2 * i + HI]! & 0x7fffffff;
      if (h !== 0 && h < lo) lo = h;
    }
  }
  const shift = Math.max(0, 32 - Math.clz32(hi - lo) - log2b);
  const end = ends;
  end.fill(0, 0, nb + 1);
  const bk = bucketOf;
  for (let i = 0; i < n; i++) {
    // (h - lo) >> shift + 1 for h >= lo; negative for h = 0, clamped to bucket 0 without a branch.
    let b = (((bits[2 * i + HI]! & 0x7fffffff) - lo) >> shift) + 1;
    b &= ~(b >> 31);
    bk[i] = b;
    end[b + 1]++;
  }
  for (let b = 1; b <= nb; b++) end[b] += end[b - 1]!; // end[b] = start of bucket b
  // The needed ranks' buckets must be small enough to sort by insertion.
  let b = 0;
  for (let r = 0; r < nr; r++) {
    while (end[b + 1]! <= ranks[r]!) b++;
    if (end[b + 1]! - end[b]! > MAX_SEGMENT) return false;
  }
  const t = sorted;
  for (let i = 0; i < n; i++) t[end[bk[i]!]!++] = s[i]!; // afterwards end[b] = end of bucket b
  let sortedTo = 0;
  b = 0;
  for (let r = 0; r < nr; r++) {
    const k = ranks[r]!;
    while (end[b]! <= k) b++;
    if (k >= sortedTo) {
      insertionSort(t, b === 0 ? 0 : end[b - 1]!, end[b]!);
      sortedTo = end[b]!;
    }
    rankVals[r] = t[k]!;
  }
  return true;
}

function insertionSort(a: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= from && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

function selected(s: Float64Array, n: number, nr: number): void {
  let from = 0;
  for (let r = 0; r < nr; r++) {
    const k = ranks[r]!;
    if (k >= from) {
      if (k === from) minToFront(s, k, n);
      else select(s, from, n - 1, k);
      from = k + 1;
    }
    rankVals[r] = s[k]!;
  }
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
