// The cardinality estimate of a dense HyperLogLog sketch from its register histogram.
//
// Reference: Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches" (2017,
// arXiv:1702.01284), the "improved raw estimator" (section 3.1, Algorithm 6). We take it instead of
// HyperLogLog++'s empirical bias correction (Heule, Nunkesser, Hall, EDBT 2013), whose correction
// is a table of measured biases per precision with a nearest-neighbour interpolation: Ertl's
// estimator needs no table, works for every precision and every hash width, has no switch-over
// point between linear counting and the raw estimate (so no jump in the count as a key grows), and
// its bias is below HLL++'s over the whole range (his figures 6 and 7).
//
// With m = 2^p registers, q = hash bits after the index, and C[k] the number of registers holding k
// (0 = empty, 1..q+1 = position of the first 1 bit; q+1 when the q bits are all 0):
//   z = m tau(1 - C[q+1]/m);  for k = q down to 1: z = (z + C[k]) / 2;  z += m sigma(C[0]/m)
//   estimate = alpha_inf m^2 / z,  alpha_inf = 1 / (2 ln 2)
// sigma handles the small range (the role of linear counting), tau the registers that reached q+1.

const ALPHA_INF = 1 / (2 * Math.LN2);

/** sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1); infinite at x = 1 (all registers empty). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const before = z;
    z += x * y;
    y += y;
    if (z === before) return z;
  }
}

/** tau(x) = (1/3) (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k); 0 at x = 0 and x = 1. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const before = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z === before) return z / 3;
  }
}

/**
 * Estimated number of distinct values. `hist[at + k]` = registers holding k, for k = 0..q+1; m = the
 * number of registers (the sum of those entries).
 */
export function estimateCardinality(hist: ArrayLike<number>, at: number, m: number, q: number): number {
  let z = m * tau(1 - hist[at + q + 1]! / m);
  for (let k = q; k >= 1; k--) z = 0.5 * (z + hist[at + k]!);
  z += m * sigma(hist[at]! / m);
  return (ALPHA_INF * m * m) / z;
}

/** Relative standard error of the dense estimate with m registers (Ertl 2017, eq. 24: ~1.04/sqrt(m)). */
export function standardError(m: number): number {
  return Math.sqrt(3 * Math.LN2 - 1) / Math.sqrt(m);
}
