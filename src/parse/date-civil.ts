// Proleptic Gregorian calendar arithmetic on plain numbers, so the hot path never builds a Date.
// Algorithms from Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms"
// (http://howardhinnant.github.io/date_algorithms.html): exact for every year, including <= 0.

/** Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31). */
export function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil year of a day count since 1970-01-01. */
export function yearFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

/** Civil (UTC) year of an epoch-seconds instant. */
export function yearOfEpoch(t: number): number {
  return yearFromDays(Math.floor(t / 86400));
}

export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days before month m (1..13) in a non-leap year, as Go's daysBefore. */
export const DAYS_BEFORE = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

export function daysIn(m: number, y: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return DAYS_BEFORE[m + 1]! - DAYS_BEFORE[m]!;
}
