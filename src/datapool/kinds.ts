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

/** A statistic's index in a StatNames list. */
export const enum S { Count, R1, R5, R15, Min, Max, Mean, StdDev, P50, P75, P95, P99, P999, Size }

const SUFFIXES = ['.count', '.rate._1min', '.rate._5min', '.rate._15min', '.min', '.max', '.mean', '.std-dev',
  '.p50', '.p75', '.p95', '.p99', '.p999', '.sample_size'];

/** Metric names a reference's keys push, computed once per metric: base + '.count' etc., indexed by S. */
export type StatNames = readonly string[];

export function statNames(base: string): StatNames {
  return SUFFIXES.map((s) => base + s);
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
};

/** The kind of a metric's keys in a group. */
export function kindOf(m: MetricDef, g: LogGroup): StatKind {
  switch (m.type) {
    case 'meter': return METER;
    case 'counter': return COUNTER;
    default: return g.histogram_kind === 'hdr' ? HDR : DECAY;
  }
}

/** The references of a group, in the order a line's values come. */
export function refSpecs(g: LogGroup): RefSpec[] {
  const refs: RefSpec[] = [];
  const seen = new Map<string, number>();
  for (const m of g.metrics) {
    const base = g.key_prefix + '.' + m.key_suffix;
    const names = statNames(base);
    const kind = kindOf(m, g);
    for (const r of m.reference) {
      const ownTags = r.tags.map(([k, v]) => `${k}=${v}`).join(' ');
      const name = `${m.type} ${base} ${ownTags}`;
      const n = seen.get(name) ?? 0; // two references alike: told apart by their order
      seen.set(name, n + 1);
      refs.push({ index: refs.length, kind, names, ownTags, neverStale: m.never_stale, id: n ? `${name} #${n}` : name,
        group: g, hdrScale: m.format === 'int' ? 1 : 1000 });
    }
  }
  return refs;
}
