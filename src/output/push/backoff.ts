// Retry policy (spec section 2, push_wait): the first wait is push_wait seconds, each further
// consecutive failed round doubles it, capped at 60 s; jitter (x0.75 .. x1.25, never over the cap)
// keeps several pushers, or several collectors, from hammering a recovering TSD in step.

export const BACKOFF_CAP_SECONDS = 60;
const MIN_WAIT_SECONDS = 0.01;   // push_wait 0 must not become a busy retry loop

/** Seconds to wait after the `round`-th (1-based) consecutive failed round. */
export function backoffSeconds(round: number, pushWait: number, random: () => number = Math.random,
  cap = BACKOFF_CAP_SECONDS): number {
  const base = Math.max(pushWait, MIN_WAIT_SECONDS) * 2 ** Math.min(Math.max(round - 1, 0), 30);
  const capped = Math.min(base, cap);
  return Math.min(capped * (0.75 + 0.5 * random()), cap);
}
