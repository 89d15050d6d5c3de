// Metric kinds (spec section 4): for each, how a key's statistic is made, turned into points at a
// push, and read back from a checkpoint. A new kind is one more StatKind here; the datapool itself
// never asks which kind a key is.
import type { LogGroup, MetricDef } from '../config/types.js';
import type { PointBatch } from '../core/types.js';
import type { ByteReader } from '../core/bytes.js';
import type { Statistic } from '../stats/statistic.js';
import { Meter, type MeterState } from '../stats/meter.js';
import { Counter, type CounterState } from '../stats/counter.js';
import { ForwardDecayReservoir, type ReservoirState } from '../stats/reservoir.js';
import { HdrInterval, type HdrState } from '../stats/hdr.js';
import { Prng, hashKey } from '../stats/prng.js';
import { summarize, Summary } from '../stats/snapshot.js';
import { Distinct, type DistinctState } from '../stats/distinct.js';
import { WindowCalendar, windowZone } from '../stats/window.js';
import { DEFAULT_PRECISION } from '../stats/hll.js';

/** A statistic's index in a StatNames list (DCount, DTotal: distinct metrics' lists only). */
export const enum S { Count, R1, R5, R15, Min, Max, Mean, StdDev, P50, P75, P95, P99, P999, Size, DCount, DTotal }

const SUFFIXES = ['.count', '.rate._1min', '.rate._5min', '.rate._15min', '.min', '.max', '.mean', '.std-dev',
  '.p50', '.p75', '.p95', '.p99', '.p999', '.sample_size'];
const DISTINCT_SUFFIXES = ['.distinct.count', '.distinct.count_total'];

/** Metric names a reference's keys push, computed once per metric: base + '.count' etc., indexed by S. */
export type StatNames = readonly string[];

export function statNames(base: string, distinct = false): StatNames {
  return (distinct ? [...SUFFIXES, ...DISTINCT_SUFFIXES] : SUFFIXES).map((s) => base + s);
}

/** One metric reference of a group: what its keys are made of. */
export interface RefSpec {
  /** Position in the group's list of references (the index of a line's value). */
  readonly index: number;
  readonly kind: StatKind;
  readonly names: StatNames;
  /** The reference's own tags, "a=b c=d" or "". */
  readonly ownTags: string;
  readonly neverStale: boolean;
  /** Names the reference across restarts (a checkpoint maps its keys by it, not by position). */
  readonly id: string;
  readonly group: LogGroup;
  /** HDR recording scale: integer metrics are recorded as they are (exact), floats in thousandths. */
  readonly hdrScale: number;
  /** Distinct: the metric's windows of log time (shared by its keys), and the sketches' precision. */
  readonly calendar: WindowCalendar | null;
  readonly precision: number;
}

/** What a kind whose statistic has windows of log time (distinct) adds; the pool drives it. */
export interface WindowOps {
  /** The log clock reached t without a value for the key: its window closes when t is past it. */
  advance(stat: Statistic, t: number): void;
  /** The end (epoch s) of the statistic's current window. */
  end(stat: Statistic): number;
  /** Adds the final point of a window that update() or advance() closed, if any (and forgets it);
   *  returns its stamp, or -Infinity when no window closed. */
  emitClosed(stat: Statistic, out: PointBatch, names: StatNames, tags: string): number;
}

/** How one kind of metric behaves in the datapool. */
export interface StatKind {
  /** Stored in checkpoints (a key restored under another kind is dropped). */
  readonly code: number;
  /** A new key's statistic; `seed` names the key (a replay draws the same random numbers). */
  create(ref: RefSpec, seed: string): Statistic;
  /** Adds the points of one push of `stat` stamped `ts`; `now` is the push's log time. */
  emit(stat: Statistic, out: PointBatch, names: StatNames, tags: string, ts: number, now: number, ewma: number): void;
  read(r: ByteReader, ref: RefSpec): Statistic;
  /** A statistic from a version-1 (JSON) state file. */
  fromJson(state: unknown, ref: RefSpec): Statistic;
  /** Null for kinds without windows. */
  readonly window: WindowOps | null;
}

const scratch = new Summary();

function emitSummary(out: PointBatch, names: StatNames, tags: string, ts: number, s: Summary): void {
  out.begin(names, tags, ts);
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

const METER: StatKind = {
  code: 1,
  create: () => new Meter(),
  emit(stat, out, names, tags, ts, now, ewma) {
    const m = stat as Meter;
    m.tick(now, ewma);
    out.begin(names, tags, ts);
    out.add(S.Count, m.count, false);
    if (m.hasRates) {
      out.add(S.R1, m.rate1, true);
      out.add(S.R5, m.rate5, true);
      out.add(S.R15, m.rate15, true);
    }
  },
  read: (r) => Meter.read(r),
  fromJson: (s) => Meter.fromState(s as MeterState),
  window: null,
};

const COUNTER: StatKind = {
  code: 2,
  create: () => new Counter(),
  emit(stat, out, names, tags, ts) {
    out.begin(names, tags, ts);
    out.add(S.Count, (stat as Counter).count, false);
  },
  read: (r) => Counter.read(r),
  fromJson: (s) => Counter.fromState(s as CounterState),
  window: null,
};

const decayParams = (g: LogGroup) => [g.histogram_size, g.histogram_alpha_decay, g.histogram_rescale_threshold_min * 60] as const;

const DECAY: StatKind = {
  code: 3,
  create: (ref, seed) => new ForwardDecayReservoir(...decayParams(ref.group), new Prng(hashKey(seed))),
  emit(stat, out, names, tags, ts) {
    const r = stat as ForwardDecayReservoir;
    if (r.count > 0) emitSummary(out, names, tags, ts, summarize(r.buffer, r.count, scratch, 1, 2));
  },
  read: (r, ref) => ForwardDecayReservoir.read(r, ...decayParams(ref.group)),
  fromJson: (s, ref) => ForwardDecayReservoir.fromState(s as ReservoirState, ...decayParams(ref.group)),
  window: null,
};

const HDR: StatKind = {
  code: 4,
  create: (ref) => new HdrInterval(undefined, ref.hdrScale),
  emit(stat, out, names, tags, ts) {
    const h = stat as HdrInterval;
    if (h.count > 0) emitSummary(out, names, tags, ts, h.summarize(scratch));
    h.reset();
  },
  read: (r) => HdrInterval.read(r),
  fromJson: (s) => HdrInterval.fromState(s as HdrState),
  window: null,
};

// Distinct (spec section 4): the running counts at each push; a window's final count as soon as the
// key's clock (its own updates; the group's clock in live_poll and for send_duplicates) passes its
// end, stamped at its last second.
const DISTINCT: StatKind = {
  code: 5,
  create: (ref) => new Distinct(ref.calendar!, ref.precision),
  emit(stat, out, names, tags, ts) {
    const d = stat as Distinct;
    out.begin(names, tags, ts);
    out.add(S.DCount, d.count, false);
    out.add(S.DTotal, d.countTotal, false);
  },
  read: (r, ref) => Distinct.read(r, ref.calendar!),
  fromJson: (s, ref) => Distinct.fromState(s as DistinctState, ref.calendar!),
  window: {
    advance: (stat, t) => { (stat as Distinct).advance(t); },
    end: (stat) => (stat as Distinct).windowEnd,
    emitClosed(stat, out, names, tags) {
      const d = stat as Distinct;
      if (!d.closed) return -Infinity;
      d.closed = false;
      out.begin(names, tags, d.closedAt);
      out.add(S.DCount, d.closedCount, false);
      return d.closedAt;
    },
  },
};

/** The kind of a metric's keys in a group. */
export function kindOf(m: MetricDef, g: LogGroup): StatKind {
  switch (m.type) {
    case 'meter': return METER;
    case 'counter': return COUNTER;
    case 'distinct': return DISTINCT;
    default: return g.histogram_kind === 'hdr' ? HDR : DECAY;
  }
}

/** The references of a group, in the order a line's values come. */
export function refSpecs(g: LogGroup): RefSpec[] {
  const refs: RefSpec[] = [];
  const seen = new Map<string, number>();
  for (const m of g.metrics) {
    const base = g.key_prefix + '.' + m.key_suffix;
    const distinct = m.type === 'distinct';
    const names = statNames(base, distinct);
    const kind = kindOf(m, g);
    const calendar = distinct ? new WindowCalendar(windowZone(g.date), m.window_min ?? 1440) : null;
    const precision = m.precision ?? DEFAULT_PRECISION;
    for (const r of m.reference) {
      const ownTags = r.tags.map(([k, v]) => `${k}=${v}`).join(' ');
      // A distinct key restored at another precision would mix sketches: the id tells them apart.
      const name = `${m.type} ${base} ${ownTags}${distinct ? ` p=${precision}` : ''}`;
      const n = seen.get(name) ?? 0; // two references alike: told apart by their order
      seen.set(name, n + 1);
      refs.push({ index: refs.length, kind, names, ownTags, neverStale: m.never_stale, id: n ? `${name} #${n}` : name,
        group: g, hdrScale: m.format === 'int' ? 1 : 1000, calendar, precision });
    }
  }
  return refs;
}
