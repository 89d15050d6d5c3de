// The wall clock, which enters the program in one place: the run modes build it here and hand it to
// the stages (quiet-log flush, year inference, rate-limited warnings). `--assume-now` shifts it, so a
// replay of old year-less logs infers the years they were written in.

/** Milliseconds since the epoch, as the stages see the wall clock. */
export type WallClock = () => number;

/** The wall clock shifted so that it read `assumeNow` (ms) at start-up; Date.now when not given. */
export function shiftedClock(assumeNow: number | undefined): WallClock {
  if (assumeNow === undefined) return Date.now;
  const offset = assumeNow - Date.now();
  return () => Date.now() + offset;
}
