// The datapool of one log group (spec section 5): keys in `goroutines` shards (a key lives in
// exactly one shard, chosen by its group-tag values), the group's log clock, and the flush rules.
// Points produced are appended to `out`; the engine hands them to the sink after each batch.
import type { LogGroup } from '../config/types.js';
import type { PointBatch } from '../core/types.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { sanitizeTagValue } from '../core/sanitize.js';
import { Meter } from '../stats/meter.js';
import { Counter } from '../stats/counter.js';
import { ForwardDecayReservoir } from '../stats/reservoir.js';
import { HdrInterval } from '../stats/hdr.js';
import { Prng, hashKey } from '../stats/prng.js';
import { Key, Kind, S, statNames, type StatNames } from './key.js';
import { own } from '../core/own.js';
import { TupleMap } from '../core/tuplemap.js';
import type { MeterState } from '../stats/meter.js';
import type { CounterState } from '../stats/counter.js';
import type { ReservoirState } from '../stats/reservoir.js';
import type { HdrState } from '../stats/hdr.js';

/** A key as checkpointed (spec section 8): its statistic and push bookkeeping. Non-finite numbers are null. */
export interface KeyState {
  i: number;                 // reference index within the group
  st: MeterState | CounterState | ReservoirState | HdrState;
  newest: number;
  first: number;
  lastPush: number | null;
  lastStamp: number | null;
  dirty: boolean;
}

export interface PoolState {
  clock: number | null;
  lastTick: number | null;
  sets: Array<{ canonical: string; tagPrefix: string; keys: KeyState[] }>;
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** All keys of one set of group-tag values. */
export class SeriesSet {
  readonly keys: Array<Key | null>;
  /** Raw tag-value paths that resolve to this set (several raw values can sanitise alike). */
  readonly aliases: string[][] = [];
  live = 0;
  /** Forgotten (every key went stale): a caller holding it must look its tag values up again. */
  dead = false;
  constructor(readonly canonical: string, readonly tagPrefix: string, readonly shard: number, nRefs: number) {
    this.keys = new Array(nRefs).fill(null);
  }
}

export class Shard {
  readonly sets = new Map<string, SeriesSet>();
  dirty: Key[] = [];
  keyCount = 0;
  constructor(readonly tracked: Series, readonly stalled: Series) {}
}

interface RefInfo {
  kind: Kind;
  names: StatNames;
  ownTags: string;      // the reference's own tags, "a=b c=d" or ""
  neverStale: boolean;
  /** HDR recording scale: integer metrics are recorded as they are (exact), floats in thousandths. */
  hdrScale: number;
}

export class GroupPool {
  readonly shards: Shard[];
  /** The group's log clock: the newest time seen in any of its files. */
  clock = -Infinity;
  private lastTick = -Infinity;
  /** Raw group-tag values (as the regex gave them) -> set; several raw tuples can share a set. */
  private readonly raw: TupleMap<SeriesSet>;
  private noTags: SeriesSet | null = null;
  private readonly refs: RefInfo[] = [];
  private readonly constTags: Array<string | null>;
  private readonly interval: number;
  private readonly ewma: number;
  private readonly staleSec: number;
  /** Points waiting to be handed to the sink (which empties the batch). */
  readonly out: PointBatch;
  /** Out-of-order updates seen (a line older than a key's newest update). */
  outOfOrder = 0;

  /** `out`: the sink's batch (PointSink.newBatch()), which the pool fills and the sink empties. */
  constructor(readonly group: LogGroup, registry: Registry, out: PointBatch) {
    this.out = out;
    this.raw = new TupleMap(Math.max(1, group.tags.length), (vals) => this.resolve(vals));
    this.interval = group.interval;
    this.ewma = group.ewma_interval;
    this.staleSec = group.stale_threshold_min * 60;
    this.constTags = group.tags.map((t) => (t.position === null ? t.value : null));
    this.shards = [];
    for (let i = 0; i < group.goroutines; i++) {
      const tags = { log_group: group.name, log_group_number: i };
      this.shards.push(new Shard(registry.gauge('data_pool.key_tracked', tags), registry.counter('data_pool.key_stalled', tags)));
    }
    for (const m of group.metrics) {
      const names = statNames(group.key_prefix + '.' + m.key_suffix);
      const kind = m.type === 'meter' ? Kind.Meter : m.type === 'counter' ? Kind.Counter
        : group.histogram_kind === 'hdr' ? Kind.Hdr : Kind.Decay;
      for (const r of m.reference) {
        this.refs.push({ kind, names, ownTags: r.tags.map(([k, v]) => `${k}=${v}`).join(' '), neverStale: m.never_stale,
          hdrScale: m.format === 'int' ? 1 : 1000 });
      }
    }
  }

  get keyCount(): number {
    let n = 0;
    for (const s of this.shards) n += s.keyCount;
    return n;
  }

  /**
   * Records one extracted line: group-tag values (constants are undefined here), its log time and a
   * value per reference (NaN: nothing recorded for that reference). True when the line is older than
   * the newest update of one of its keys (out of order: the values count, the stamps do not move).
   */
  record(tagVals: ArrayLike<string | undefined>, t: number, vals: Float64Array): boolean {
    return this.recordSet(this.lookupSet(tagVals), t, vals);
  }

  /** record() for a set from lookupSet() that is not `dead`. */
  recordSet(set: SeriesSet, t: number, vals: Float64Array): boolean {
    const shard = this.shards[set.shard]!;
    const live = this.group.live_poll;
    let late = false;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i]!;
      if (v !== v) continue; // NaN: nothing recorded
      let key = set.keys[i];
      if (key == null) key = this.newKey(set, i, shard);
      if (key.update(v, t)) { this.outOfOrder++; late = true; }
      if (live) {
        // Live: dirty keys wait for the group's next tick, which empties the list.
        if (!key.dirty) { key.dirty = true; shard.dirty.push(key); }
      } else {
        // Replay: each key pushes on its own updates; no list (it would collect a key once per push).
        key.dirty = true;
        const since = Number.isNaN(key.lastPush) ? key.first : key.lastPush;
        if (t - since >= this.interval) key.push(this.out, t, this.ewma);
      }
    }
    if (t > this.clock) {
      this.clock = t;
      if (t >= this.lastTick + this.interval) this.tick();
    }
    return late;
  }

  /** The group clock passed its last tick + interval: live pushes, duplicates, stale removal. */
  private tick(): void {
    const g = this.group;
    const clock = this.clock;
    this.lastTick = clock;
    if (!g.live_poll && !g.send_duplicates && !g.stale_removal) return;
    for (const shard of this.shards) {
      const clean: Key[] = [];
      if (g.send_duplicates) for (const set of shard.sets.values()) for (const k of set.keys) if (k && !k.dirty) clean.push(k);
      if (g.live_poll) this.pushDirty(shard, clock);
      for (const k of clean) k.push(this.out, clock, this.ewma, clock);
      if (g.stale_removal) this.removeStale(shard, clock);
    }
  }

  private pushDirty(shard: Shard, now: number): void {
    if (this.group.live_poll) {
      for (const k of shard.dirty) if (k.dirty) k.push(this.out, now, this.ewma);
    } else {
      for (const set of shard.sets.values()) for (const k of set.keys) if (k && k.dirty) k.push(this.out, k.newest, this.ewma);
    }
    shard.dirty = [];
  }

  /** Pushes every dirty key: end of --once, shutdown, and a quiet log (wall-time flush). */
  flushAll(): void {
    for (const shard of this.shards) this.pushDirty(shard, this.clock);
  }

  private removeStale(shard: Shard, clock: number): void {
    for (const [canonical, set] of shard.sets) {
      for (let i = 0; i < set.keys.length; i++) {
        const k = set.keys[i];
        if (!k || k.neverStale || clock - k.newest < this.staleSec) continue;
        if (k.dirty) k.push(this.out, this.group.live_poll ? clock : k.newest, this.ewma);
        set.keys[i] = null;
        set.live--;
        shard.keyCount--;
        shard.stalled.value++;
      }
      if (set.live === 0) {
        shard.sets.delete(canonical);
        set.dead = true;
        for (const a of set.aliases) this.raw.delete(a);
        if (set === this.noTags) this.noTags = null;
      }
    }
    shard.tracked.value = shard.keyCount;
    shard.dirty = shard.dirty.filter((k) => k.dirty);
  }

  /** The pool's state for a checkpoint. Call between batches (when `out` has been drained). */
  toState(): PoolState {
    const sets: PoolState['sets'] = [];
    for (const shard of this.shards) {
      for (const set of shard.sets.values()) {
        const keys: KeyState[] = [];
        for (const k of set.keys) {
          if (!k) continue;
          keys.push({ i: k.setIndex, st: k.stat.toState(), newest: k.newest, first: k.first,
            lastPush: fin(k.lastPush), lastStamp: fin(k.lastStamp), dirty: k.dirty });
        }
        sets.push({ canonical: set.canonical, tagPrefix: set.tagPrefix, keys });
      }
    }
    return { clock: fin(this.clock), lastTick: fin(this.lastTick), sets };
  }

  /** Restores a checkpointed state into this (empty) pool. Keys whose reference no longer exists are dropped. */
  restore(state: PoolState): void {
    this.clock = state.clock ?? -Infinity;
    this.lastTick = state.lastTick ?? -Infinity;
    const g = this.group;
    for (const s of state.sets) {
      const shardIdx = this.shards.length === 1 ? 0 : hashKey(s.canonical) % this.shards.length;
      const shard = this.shards[shardIdx]!;
      let set = shard.sets.get(s.canonical);
      if (!set) {
        set = new SeriesSet(s.canonical, s.tagPrefix, shardIdx, this.refs.length);
        shard.sets.set(s.canonical, set);
      }
      for (const ks of s.keys) {
        const r = this.refs[ks.i];
        if (!r) continue;
        const key = this.newKey(set, ks.i, shard);
        switch (r.kind) {
          case Kind.Meter: key.stat = Meter.fromState(ks.st as MeterState); break;
          case Kind.Counter: key.stat = Counter.fromState(ks.st as CounterState); break;
          case Kind.Hdr: key.stat = HdrInterval.fromState(ks.st as HdrState); break;
          default: key.stat = ForwardDecayReservoir.fromState(ks.st as ReservoirState,
            g.histogram_size, g.histogram_alpha_decay, g.histogram_rescale_threshold_min * 60);
        }
        key.newest = ks.newest;
        key.first = ks.first;
        key.lastPush = ks.lastPush ?? NaN;
        key.lastStamp = ks.lastStamp ?? -Infinity;
        if (ks.dirty) { key.dirty = true; if (g.live_poll) shard.dirty.push(key); }
      }
    }
  }

  /** The set of a line's group-tag values (constants undefined), created on first sight. */
  lookupSet(tagVals: ArrayLike<string | undefined>): SeriesSet {
    if (tagVals.length === 0) return this.noTags ?? (this.noTags = this.resolve(tagVals));
    return this.raw.get(tagVals);
  }

  /** Maps raw tag values to their canonical (sanitised) set, creating it on first sight. */
  private resolve(tagVals: ArrayLike<string | undefined>): SeriesSet {
    const tags = this.group.tags;
    let prefix = '';
    let canonical = '';
    for (let i = 0; i < tags.length; i++) {
      const c = this.constTags[i];
      const v = c ?? sanitizeTagValue(tagVals[i] ?? '');
      prefix += (i ? ' ' : '') + tags[i]!.name + '=' + v;
      if (c == null) canonical += '\u0001' + v;
    }
    const shardIdx = this.shards.length === 1 ? 0 : hashKey(canonical) % this.shards.length;
    const shard = this.shards[shardIdx]!;
    let set = shard.sets.get(canonical);
    if (!set) {
      set = new SeriesSet(canonical, prefix, shardIdx, this.refs.length);
      shard.sets.set(canonical, set);
    }
    const path: string[] = [];
    for (let i = 0; i < tags.length; i++) path.push(own(tagVals[i] ?? ''));
    set.aliases.push(path);
    return set;
  }

  private newKey(set: SeriesSet, i: number, shard: Shard): Key {
    const r = this.refs[i]!;
    const g = this.group;
    const tags = set.tagPrefix && r.ownTags ? set.tagPrefix + ' ' + r.ownTags : set.tagPrefix || r.ownTags;
    let stat;
    switch (r.kind) {
      case Kind.Meter: stat = new Meter(); break;
      case Kind.Counter: stat = new Counter(); break;
      case Kind.Hdr: stat = new HdrInterval(undefined, r.hdrScale); break;
      default:
        stat = new ForwardDecayReservoir(g.histogram_size, g.histogram_alpha_decay,
          g.histogram_rescale_threshold_min * 60, new Prng(hashKey(r.names[S.Count] + ' ' + tags)));
    }
    const key = new Key(r.kind, r.names, tags, stat, r.neverStale, i);
    set.keys[i] = key;
    set.live++;
    shard.keyCount++;
    shard.tracked.value = shard.keyCount;
    return key;
  }
}
