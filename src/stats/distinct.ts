// Distinct: the number of distinct values a key saw in the current window of log time
// (`distinct.count`) and since the key was created (`distinct.count_total`), each a HyperLogLog++
// sketch (hll.ts) over the value's hash (behaviour spec section 4, "distinct").
//
// Pure: log time is an argument, windows come from a WindowCalendar shared by the metric's keys.
// What the caller (a datapool) does with it:
// - update(hash, t) for each recorded value (its hash53(): extraction hashes the captured string,
//   which is never kept), or add(value, t); advance(t) when the log clock that drives pushes reaches
//   t without a value for this key (live_poll: the group's clock).
// - When either returns true (and `closed` is set), the window that t left behind has closed: push
//   `distinct.count` = closedCount stamped closedAt (the window's last second) right away, before
//   the next call, which may close another window, and clear `closed`. The next window starts empty.
// - At the key's ordinary pushes: `distinct.count` = count, `distinct.count_total` = countTotal.
// A window closes only when the clock passes its end: the last window of a replay stays open, and
// its count goes out with the final push like any running count. A window in which the key saw no
// value is never pushed (no zeros for quiet keys). A line dated before the key's current window (out
// of order, its window already closed) counts in the total only.
import { Hll, type HllState } from './hll.js';
import { hash53 } from './hash64.js';
import type { WindowCalendar } from './window.js';
import { DecodeError, type ByteReader, type ByteWriter } from '../core/bytes.js';

export interface DistinctState {
  /** The current window's edges (epoch s); null before the first value. */
  start: number | null;
  end: number | null;
  window: HllState;
  total: HllState;
}

export class Distinct {
  declare private readonly cal: WindowCalendar;
  declare private win: Hll;
  /** Null while the total holds exactly the window's values (no window closed with values yet, no
   *  late value): the key's first window then costs one sketch, and each value one update. */
  declare private total: Hll | null;
  /** Current window [windowStart, windowEnd), epoch s; -Infinity before the first value. */
  declare windowStart: number;
  declare windowEnd: number;
  /** The window closed by the last update() or advance() that returned true. */
  declare closedCount: number;
  declare closedAt: number;
  /** A window closed and its count is not pushed yet (the caller clears it once it has). */
  declare closed: boolean;

  constructor(cal: WindowCalendar, precision?: number) {
    this.cal = cal;
    this.win = new Hll(precision);
    this.total = null;
    this.windowStart = -Infinity;
    this.windowEnd = -Infinity;
    this.closedCount = 0;
    this.closedAt = 0;
    this.closed = false;
  }

  /** Records the value of hash53() `hash` seen at log time t (s). Returns true when t first closed
   *  the current window. */
  update(hash: number, t: number): boolean {
    const closed = t >= this.windowEnd && this.advance(t);
    const late = t < this.windowStart;
    let total = this.total;
    if (total === null && late) total = this.total = Hll.fromState(this.win.toState());
    if (total !== null) total.addHash53(hash);
    if (!late) this.win.addHash53(hash);
    return closed;
  }

  /** update() for a value as written. */
  add(value: string, t: number): boolean {
    return this.update(hash53(value), t);
  }

  /** The log clock reached t: when t is past the current window, that window closes and the one
   *  holding t starts empty. Returns true when the closed window had values (closedCount/At set). */
  advance(t: number): boolean {
    if (!(t >= this.windowEnd)) return false;
    const had = !this.win.isEmpty;
    if (had) {
      this.closedCount = this.win.count();
      this.closedAt = this.windowEnd - 1;
      this.closed = true;
      if (this.total === null) {
        this.total = this.win; // the values so far stay in the total; the next window starts empty
        this.win = new Hll(this.total.p);
      } else {
        this.win.clear();
      }
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
    return (this.total ?? this.win).count();
  }

  /** Heap bytes, approximately. */
  bytes(): number {
    return 112 + this.win.bytes() + (this.total === null ? 0 : this.total.bytes());
  }

  toState(): DistinctState {
    const open = this.windowEnd !== -Infinity;
    return {
      start: open ? this.windowStart : null,
      end: open ? this.windowEnd : null,
      window: this.win.toState(),
      total: (this.total ?? this.win).toState(),
    };
  }

  /** The state in binary, for a checkpoint: window edges (NaN before the first value), whether the
   *  total is the window, then the window's sketch and the total's unless it is the window. */
  write(w: ByteWriter): void {
    const open = this.windowEnd !== -Infinity;
    w.f64(open ? this.windowStart : NaN);
    w.f64(open ? this.windowEnd : NaN);
    w.u8(this.total === null ? 1 : 0);
    this.win.write(w);
    if (this.total !== null) this.total.write(w);
  }

  static read(r: ByteReader, cal: WindowCalendar): Distinct {
    const start = r.f64();
    const end = r.f64();
    const d = Distinct.restored(cal, Number.isNaN(start) ? null : start, Number.isNaN(end) ? null : end, DecodeError);
    const shared = r.u8();
    if (shared > 1) throw new DecodeError('invalid distinct state: shared flag');
    d.win = Hll.read(r);
    d.total = shared === 1 ? null : Hll.read(r);
    return d;
  }

  /** Restores a key; its current window keeps the edges it was saved with until it closes. */
  static fromState(state: DistinctState, cal: WindowCalendar): Distinct {
    if (state === null || typeof state !== 'object') throw new Error('invalid distinct state');
    const d = Distinct.restored(cal, state.start, state.end, Error);
    d.win = Hll.fromState(state.window);
    d.total = Hll.fromState(state.total);
    return d;
  }

  private static restored(cal: WindowCalendar, start: unknown, end: unknown, E: new (m: string) => Error): Distinct {
    const d = new Distinct(cal);
    if (start === null && end === null) {
      // no value yet: nothing to restore in the window
    } else if (typeof start === 'number' && typeof end === 'number' && Number.isFinite(start) && Number.isFinite(end) && start < end) {
      d.windowStart = start;
      d.windowEnd = end;
    } else {
      throw new E('invalid distinct state: window edges');
    }
    return d;
  }
}
