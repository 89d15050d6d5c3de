// Windows of log time for distinct counts (behaviour spec section 4, "distinct"): `window_min`
// minutes aligned to midnight in a zone. Pure: the instant is an argument, the zone comes from
// parse/date-zone.ts (the zone machinery the date parser uses, so a window and a parsed date agree).
//
// Decisions the spec leaves open:
// - window_min divides a day (1, 5, 15, 60, 1440 ...): windows tile each day from local midnight.
//   window_min a multiple of a day (10080 = a week): windows of whole days from local midnight,
//   counted from Monday 1970-01-05, so 7 days are Monday to Sunday. Other values are config errors.
// - A window is every instant whose wall reading lies in [start, end) of the window's wall times;
//   its edges are the FIRST instants whose wall reading reaches them. So a DST change never splits or
//   overlaps windows: on a spring-forward day the day window is 23 hours long and a one-hour window
//   over the skipped hour is empty (it never opens); on a fall-back day the repeated hour belongs to
//   the window that holds its first occurrence, which is one hour longer.
// - Dates written with their own numeric offset (`-0700`, `Z07:00`, rfc3339) can change offset from
//   line to line, so there is no one zone to take midnight from: their windows follow UTC. Layouts
//   without an offset, zone abbreviations (MST), unix stamps and the journal's own entry time follow
//   `date.timezone`.
import { K, compileLayout } from '../parse/date-layout.js';
import { getZone, type Zone } from '../parse/date-zone.js';
import type { DateDef } from '../config/types.js';

const DAY = 86400;
/** Day number (since 1970-01-01) of Monday 1970-01-05: where multi-day windows start counting. */
const MONDAY = 4;
/** No zone offset reaches this far from UTC, so a wall reading X is reached within X +- SPAN. */
const SPAN = 18 * 3600;

/** Why a window_min is not usable, or null when it is. */
export function windowMinProblem(min: number): string | null {
  if (!Number.isInteger(min) || min < 1) return 'must be a whole number of minutes, at least 1';
  if (1440 % min === 0 || min % 1440 === 0) return null;
  return 'must divide a day (1440 minutes: 1, 5, 15, 60 ...) or be a whole number of days (1440, 10080 ...), so windows line up with midnight';
}

/** The zone a group's windows take midnight from (its `date` settings): UTC when its dates carry
 *  their own offset, `date.timezone` otherwise. */
export function windowZone(date: Pick<DateDef, 'format' | 'timezone' | 'source'>): Zone {
  if (date.source === 'journal') return getZone(date.timezone);
  const f = date.format.toLowerCase();
  if (f === 'rfc3339') return getZone('UTC');
  if (f !== 'unix' && f !== 'unix_ms' && compileLayout(date.format).some((e) => e.k === K.TzNum)) return getZone('UTC');
  return getZone(date.timezone);
}

/** The windows of one metric: shared by all its keys, remembering the last window it located. */
export class WindowCalendar {
  /** Window of the last locate(): epoch seconds, start inclusive, end exclusive. */
  start = 0;
  end = 0;
  private readonly len: number;

  constructor(readonly zone: Zone, readonly windowMin: number) {
    const problem = windowMinProblem(windowMin);
    if (problem !== null) throw new RangeError(`window_min ${windowMin} ${problem}`);
    this.len = windowMin * 60;
  }

  /** Sets `start` and `end` to the window holding instant t (epoch seconds). */
  locate(t: number): void {
    if (t >= this.start && t < this.end) return;
    let wall = this.wallStart(t + this.zone.offsetAt(t));
    let start = this.firstReaching(wall);
    let end = this.firstReaching(wall + this.len);
    // t's wall reading is in [wall, wall + len), so start <= t; but after a fall-back an earlier
    // instant may already have reached wall + len: t then belongs to a later window.
    while (t >= end) {
      wall += this.len;
      start = end;
      end = this.firstReaching(wall + this.len);
    }
    this.start = start;
    this.end = end;
  }

  /** Wall-clock start (local seconds) of the window holding the wall reading `wall`. */
  private wallStart(wall: number): number {
    const len = this.len;
    if (len <= DAY) return Math.floor(wall / len) * len;
    const days = len / DAY;
    const day = Math.floor(wall / DAY);
    return (MONDAY + Math.floor((day - MONDAY) / days) * days) * DAY;
  }

  /** The first instant whose wall reading is at or past `wall`. Assumes at most one offset change
   *  within SPAN of it (zones change offset months apart). */
  private firstReaching(wall: number): number {
    const z = this.zone;
    let a = wall - SPAN;
    let b = wall + SPAN;
    const before = z.offsetAt(a);
    if (z.offsetAt(b) === before) return wall - before;
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (z.offsetAt(mid) === before) a = mid;
      else b = mid;
    }
    // b: the first instant of the new offset.
    if (wall - before < b) return wall - before;
    return Math.max(b, wall - z.offsetAt(b));
  }
}
