// One key: a metric reference for one set of group-tag values, with its statistic and its push
// bookkeeping. Turns its statistic into points (spec section 4) when pushed.
import type { Point } from '../types.js';
import { Meter } from '../stats/meter.js';
import { Counter } from '../stats/counter.js';
import { ForwardDecayReservoir } from '../stats/reservoir.js';
import { HdrInterval } from '../stats/hdr.js';
import { summarize, Summary } from '../stats/snapshot.js';
import { formatFixed6, formatPlain } from '../stats/format.js';

export const enum Kind { Meter = 0, Counter = 1, Decay = 2, Hdr = 3 }

export type Stat = Meter | Counter | ForwardDecayReservoir | HdrInterval;

/** Metric names a reference's keys push, computed once per reference: base + '.count' etc. */
export interface StatNames {
  count: string; r1: string; r5: string; r15: string;
  min: string; max: string; mean: string; stddev: string;
  p50: string; p75: string; p95: string; p99: string; p999: string; size: string;
}

export function statNames(base: string): StatNames {
  return {
    count: base + '.count', r1: base + '.rate._1min', r5: base + '.rate._5min', r15: base + '.rate._15min',
    min: base + '.min', max: base + '.max', mean: base + '.mean', stddev: base + '.std-dev',
    p50: base + '.p50', p75: base + '.p75', p95: base + '.p95', p99: base + '.p99', p999: base + '.p999',
    size: base + '.sample_size',
  };
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
   * Appends this key's points to `out`, stamped with its newest time (or `stampAt`, for duplicates;
   * never earlier than a point already sent). `now` is the log time of the push (EWMA recomputation).
   */
  push(out: Point[], now: number, ewmaInterval: number, stampAt = -Infinity): void {
    let ts = Math.floor(Math.max(this.newest, stampAt));
    if (ts < this.lastStamp) ts = this.lastStamp;
    const tags = this.tags;
    const n = this.names;
    switch (this.kind) {
      case Kind.Meter: {
        const m = this.stat as Meter;
        m.tick(now, ewmaInterval);
        out.push({ metric: n.count, ts, value: formatPlain(m.count), tags });
        if (m.hasRates) {
          out.push({ metric: n.r1, ts, value: formatFixed6(m.rate1), tags });
          out.push({ metric: n.r5, ts, value: formatFixed6(m.rate5), tags });
          out.push({ metric: n.r15, ts, value: formatFixed6(m.rate15), tags });
        }
        break;
      }
      case Kind.Counter:
        out.push({ metric: n.count, ts, value: formatPlain((this.stat as Counter).count), tags });
        break;
      case Kind.Decay: {
        const r = this.stat as ForwardDecayReservoir;
        if (r.count > 0) pushSummary(out, n, ts, tags, summarize(r.buffer, r.count, scratch));
        break;
      }
      default: {
        const h = this.stat as HdrInterval;
        if (h.count > 0) pushSummary(out, n, ts, tags, h.summarize(scratch));
        h.reset();
      }
    }
    this.lastStamp = ts;
    this.lastPush = now;
    this.dirty = false;
  }
}

function pushSummary(out: Point[], n: StatNames, ts: number, tags: string, s: Summary): void {
  out.push(
    { metric: n.min, ts, value: formatPlain(s.min), tags },
    { metric: n.max, ts, value: formatPlain(s.max), tags },
    { metric: n.mean, ts, value: formatFixed6(s.mean), tags },
    { metric: n.stddev, ts, value: formatFixed6(s.stddev), tags },
    { metric: n.p50, ts, value: formatPlain(s.p50), tags },
    { metric: n.p75, ts, value: formatPlain(s.p75), tags },
    { metric: n.p95, ts, value: formatPlain(s.p95), tags },
    { metric: n.p99, ts, value: formatPlain(s.p99), tags },
    { metric: n.p999, ts, value: formatPlain(s.p999), tags },
    { metric: n.size, ts, value: formatPlain(s.size), tags },
  );
}
