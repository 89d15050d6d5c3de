// Distinct: the number of distinct values a key saw in the current window of log time
// (`distinct.count`) and since the key was created (`distinct.count_total`), each a HyperLogLog++
// sketch (hll.ts) over the value's hash (behaviour spec section 4, "distinct").
//
// Pure: log time is an argument, windows come from a WindowCalendar shared by the metric's keys.
// What the caller (a datapool) does with it:
// - update(value, t) for each recorded value; advance(t) when the log clock that drives pushes
//   reaches t without a value for this key (live_poll: the group's clock).
// - When either returns true, the window that t left behind has closed: push `distinct.count` =
//   closedCount stamped closedAt (the window's last second) right away, before the next call, which
//   may close another window. The next window starts empty.
// - At the key's ordinary pushes: `distinct.count` = count, `distinct.count_total` = countTotal.
// A window closes only when the clock passes its end: the last window of a replay stays open, and
// its count goes out with the final push like any running count. A window in which the key saw no
// value is never pushed (no zeros for quiet keys). A line dated before the key's current window (out
// of order, its window already closed) counts in the total only.
import { Hll, type HllState } from './hll.js';
import { hash64 } from './hash64.js';
import type { WindowCalendar } from './window.js';

export interface DistinctState {
  /** The current window's edges (epoch s); null before the first value. */
  start: number | null;
  end: number | null;
  window: HllState;
  total: HllState;
}

/** Scratch for hash64(): a value is hashed once for both sketches, with no allocation. */
const H = new Uint32Array(2);

export class Distinct {
  declare private readonly cal: WindowCalendar;
  declare private win: Hll;
  declare private total: Hll;
  /** Current window [windowStart, windowEnd), epoch s; -Infinity before the first value. */
  declare windowStart: number;
  declare windowEnd: number;
  /** The window closed by the last update() or advance() that returned true. */
  declare closedCount: number;
  declare closedAt: number;

  constructor(cal: WindowCalendar, precision?: number) {
    this.cal = cal;
    this.win = new Hll(precision);
    this.total = new Hll(precision);
    this.windowStart = -Infinity;
    this.windowEnd = -Infinity;
    this.closedCount = 0;
    this.closedAt = 0;
  }

  /** Records `value` seen at log time t (s). Returns true when t first closed the current window. */
  update(value: string, t: number): boolean {
    const closed = t >= this.windowEnd && this.advance(t);
    hash64(value, H);
    this.total.addHash(H);
    if (t >= this.windowStart) this.win.addHash(H);
    return closed;
  }

  /** The log clock reached t: when t is past the current window, that window closes and the one
   *  holding t starts empty. Returns true when the closed window had values (closedCount/At set). */
  advance(t: number): boolean {
    if (!(t >= this.windowEnd)) return false;
    const had = !this.win.isEmpty;
    if (had) {
      this.closedCount = this.win.count();
      this.closedAt = this.windowEnd - 1;
      this.win.clear();
    }
    this.cal.locate(t);
    this.windowStart = this.cal.start;
    this.windowEnd = this.cal.end;
    return had;
  }

  /** Distinct values in the current window. */
  get count(): number {
    return this.win.count();
  }

  /** Distinct values since the key was created. */
  get countTotal(): number {
    return this.total.count();
  }

  /** Heap bytes, approximately. */
  bytes(): number {
    return 112 + this.win.bytes() + this.total.bytes();
  }

  toState(): DistinctState {
    const open = this.windowEnd !== -Infinity;
    return {
      start: open ? this.windowStart : null,
      end: open ? this.windowEnd : null,
      window: this.win.toState(),
      total: this.total.toState(),
    };
  }

  /** Restores a key; its current window keeps the edges it was saved with until it closes. */
  static fromState(state: DistinctState, cal: WindowCalendar): Distinct {
    if (state === null || typeof state !== 'object') throw new Error('invalid distinct state');
    const d = new Distinct(cal);
    const { start, end } = state;
    if (start === null && end === null) {
      // no value yet: nothing to restore in the window
    } else if (typeof start === 'number' && typeof end === 'number' && Number.isFinite(start) && Number.isFinite(end) && start < end) {
      d.windowStart = start;
      d.windowEnd = end;
    } else {
      throw new Error('invalid distinct state: window edges');
    }
    d.win = Hll.fromState(state.window);
    d.total = Hll.fromState(state.total);
    return d;
  }
}
