// One key: a metric reference for one set of group-tag values, with its statistic and its push
// bookkeeping. Turns its statistic into points (spec section 4) when pushed.
import type { PointBatch } from '../core/types.js';
import { Meter } from '../stats/meter.js';
import { Counter } from '../stats/counter.js';
import { ForwardDecayReservoir } from '../stats/reservoir.js';
import { HdrInterval } from '../stats/hdr.js';
import { summarize, Summary } from '../stats/snapshot.js';

export const enum Kind { Meter = 0, Counter = 1, Decay = 2, Hdr = 3 }

export type Stat = Meter | Counter | ForwardDecayReservoir | HdrInterval;

/** A statistic's index in a StatNames list. */
export const enum S { Count, R1, R5, R15, Min, Max, Mean, StdDev, P50, P75, P95, P99, P999, Size }

const SUFFIXES = ['.count', '.rate._1min', '.rate._5min', '.rate._15min', '.min', '.max', '.mean', '.std-dev',
  '.p50', '.p75', '.p95', '.p99', '.p999', '.sample_size'];

/** Metric names a reference's keys push, computed once per metric: base + '.count' etc., indexed by S. */
export type StatNames = readonly string[];

export function statNames(base: string): StatNames {
  return SUFFIXES.map((s) => base + s);
}

const scratch = new Summary();

export class Key {
  /** Newest log time among the key's updates (the stamp of its points). */
  newest = -Infinity;
  /** Log time of the key's first update. */
  first = NaN;
  /** Log time of the key's last push (NaN: never pushed). */
  lastPush = NaN;
  /** Timestamp of the last point sent for the key (points never go back in time). */
  lastStamp = -Infinity;
  dirty = false;

  constructor(
    readonly kind: Kind,
    readonly names: StatNames,
    readonly tags: string,
    public stat: Stat, // replaced only when a checkpoint is restored
    readonly neverStale: boolean,
    readonly setIndex: number,
  ) {}

  /** Records one value at log time t. Returns true when t is older than the key's newest update. */
  update(v: number, t: number): boolean {
    switch (this.kind) {
      case Kind.Meter: (this.stat as Meter).mark(v, t); break;
      case Kind.Counter: (this.stat as Counter).add(v); break;
      case Kind.Decay: (this.stat as ForwardDecayReservoir).update(v, t); break;
      default: (this.stat as HdrInterval).update(v);
    }
    if (Number.isNaN(this.first)) this.first = t;
    if (t >= this.newest) { this.newest = t; return false; }
    return true;
  }

  /**
   * Adds this key's points to `out`, stamped with its newest time (or `stampAt`, for duplicates;
   * never earlier than a point already sent). `now` is the log time of the push (EWMA recomputation).
   */
  push(out: PointBatch, now: number, ewmaInterval: number, stampAt = -Infinity): void {
    let ts = Math.floor(Math.max(this.newest, stampAt));
    if (ts < this.lastStamp) ts = this.lastStamp;
    switch (this.kind) {
      case Kind.Meter: {
        const m = this.stat as Meter;
        m.tick(now, ewmaInterval);
        out.begin(this.names, this.tags, ts);
        out.add(S.Count, m.count, false);
        if (m.hasRates) {
          out.add(S.R1, m.rate1, true);
          out.add(S.R5, m.rate5, true);
          out.add(S.R15, m.rate15, true);
        }
        break;
      }
      case Kind.Counter:
        out.begin(this.names, this.tags, ts);
        out.add(S.Count, (this.stat as Counter).count, false);
        break;
      case Kind.Decay: {
        const r = this.stat as ForwardDecayReservoir;
        if (r.count > 0) pushSummary(out, this, ts, summarize(r.buffer, r.count, scratch));
        break;
      }
      default: {
        const h = this.stat as HdrInterval;
        if (h.count > 0) pushSummary(out, this, ts, h.summarize(scratch));
        h.reset();
      }
    }
    this.lastStamp = ts;
    this.lastPush = now;
    this.dirty = false;
  }
}

function pushSummary(out: PointBatch, key: Key, ts: number, s: Summary): void {
  out.begin(key.names, key.tags, ts);
  out.add(S.Min, s.min, false);
  out.add(S.Max, s.max, false);
  out.add(S.Mean, s.mean, true);
  out.add(S.StdDev, s.stddev, true);
  out.add(S.P50, s.p50, false);
  out.add(S.P75, s.p75, false);
  out.add(S.P95, s.p95, false);
  out.add(S.P99, s.p99, false);
  out.add(S.P999, s.p999, false);
  out.add(S.Size, s.size, false);
}
