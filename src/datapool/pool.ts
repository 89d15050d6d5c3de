// The datapool of one log group (spec section 5): keys in `goroutines` shards (a key lives in
// exactly one shard, chosen by its group-tag values), the group's log clock, and the flush rules.
// Points produced are appended to `out`; the engine hands them to the sink after each batch.
import type { LogGroup } from '../config/types.js';
import type { PointBatch } from '../core/types.js';
import type { Registry } from '../selfstats/registry.js';
import { silentLogger, type Logger } from '../core/log.js';
import { Events } from '../core/events.js';
import { Key } from './key.js';
import { refSpecs, S, type RefSpec, type WindowOps } from './kinds.js';
import { DROPPED, SetIndex, type SeriesSet, type Shard } from './sets.js';
import { PoolCheckpoint } from './snapshot.js';
import type { TagCount } from './limits.js';
import type { Statistic } from '../stats/statistic.js';

export type { SeriesSet } from './sets.js';

/** What /status shows of a group's datapool. */
export interface PoolCounts {
  log_group: string;
  keys: number;
  max_keys: number;
  updates_dropped: number;
  shards: number[];
  /** The line tags with the most distinct values. */
  tags: TagCount[];
}

export interface PoolOptions {
  log?: Logger;
  /** Wall clock (ms), for the rate limits of the pool's events (a pool made without `events`). */
  wallClock?: () => number;
  /** The run's events (counted in `registry`); default: the pool's own, logging to `log`. */
  events?: Events;
}

export class GroupPool {
  readonly refs: RefSpec[];
  readonly index: SetIndex;
  /** The group's log clock: the newest time seen in any of its files. */
  clock = -Infinity;
  lastTick = -Infinity;
  private readonly interval: number;
  private readonly ewma: number;
  private readonly staleSec: number;
  /** Points waiting to be handed to the sink (which empties the batch). */
  readonly out: PointBatch;
  /** What the next checkpoint writes of this pool (snapshot.ts). */
  readonly checkpoint: PoolCheckpoint;
  /** Some reference has windows of log time (distinct). */
  private readonly windowed: boolean;
  /** No window of a windowed key ends before this (epoch s): the group clock closes none until then. */
  private windowEdge = Infinity;

  /** `out`: the sink's batch (PointSink.newBatch()), which the pool fills and the sink empties. */
  constructor(readonly group: LogGroup, registry: Registry, out: PointBatch, opts: PoolOptions = {}) {
    const events = opts.events ?? new Events(registry, opts.log ?? silentLogger, opts.wallClock);
    this.out = out;
    this.refs = refSpecs(group);
    this.index = new SetIndex(group, registry, events, this.refs.length);
    this.interval = group.interval;
    this.ewma = group.ewma_interval;
    this.staleSec = group.stale_threshold_min * 60;
    this.checkpoint = new PoolCheckpoint(this);
    this.windowed = this.refs.some((r) => r.kind.window !== null);
  }

  get shards(): readonly Shard[] {
    return this.index.shards;
  }

  get keyCount(): number {
    return this.index.keys;
  }

  counts(topTags = 5): PoolCounts {
    const l = this.index.limits;
    return { log_group: this.group.name, keys: this.index.keys, max_keys: l.maxKeys, updates_dropped: l.droppedCount,
      shards: this.shards.map((s) => s.keyCount), tags: l.top(topTags) };
  }

  /**
   * Records one extracted line: group-tag values (constants are undefined here), its log time and a
   * value per reference (NaN: nothing recorded for that reference). True when the line is older than
   * the newest update of one of its keys (out of order: the values count, the stamps do not move).
   */
  record(tagVals: ArrayLike<string | undefined>, t: number, vals: Float64Array): boolean {
    return this.recordSet(this.index.lookup(tagVals), t, vals);
  }

  /** The set of a line's group-tag values: for recordSet(); look it up again once it is `dead`. */
  lookupSet(tagVals: ArrayLike<string | undefined>): SeriesSet {
    return this.index.lookup(tagVals);
  }

  /** record() for a set from lookupSet(). */
  recordSet(set: SeriesSet, t: number, vals: Float64Array): boolean {
    let late = false;
    if (set === DROPPED) this.dropLine(vals);
    else late = this.apply(set, t, vals);
    if (t > this.clock) {
      this.clock = t;
      if (t >= this.lastTick + this.interval) this.tick();
    }
    return late;
  }

  /** Records the line's values in its set's keys; true when it is older than one key's newest update. */
  private apply(set: SeriesSet, t: number, vals: Float64Array): boolean {
    if (set.mark !== this.checkpoint.collect) this.checkpoint.touch(set);
    if (set.other !== 0) this.index.limits.countFolds(set.other);
    const shard = this.shards[set.shard]!;
    const live = this.group.live_poll;
    const windowed = this.windowed;
    let late = false;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i]!;
      if (v !== v) continue; // NaN: nothing recorded
      let key = set.keys[i];
      if (key == null) {
        key = this.newKey(set, i, shard);
        if (key === null) { this.index.limits.drop(1, () => this.keyName(set, i)); continue; }
      }
      if (key.update(v, t)) late = true;
      if (windowed) {
        const w = key.ref.kind.window;
        if (w !== null) this.windowMoved(key, w);
      }
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
    return late;
  }

  /** A windowed key's window may have closed (its final count is pushed now) or moved on. */
  private windowMoved(k: Key, w: WindowOps): void {
    const at = w.emitClosed(k.stat, this.out, k.ref.names, k.tags);
    // Later points of the key belong to later windows: stamped past the final count, never on it.
    if (at >= k.lastStamp) k.lastStamp = at + 1;
    const end = w.end(k.stat);
    if (end < this.windowEdge) this.windowEdge = end;
  }

  /** The group clock closes the windows it passed (live_poll, send_duplicates: keys follow it). */
  private advanceWindows(shard: Shard, clock: number): void {
    for (const set of shard.sets.values()) {
      for (const k of set.keys) {
        const w = k?.ref.kind.window;
        if (!w) continue;
        if (w.end(k!.stat) <= clock) {
          // A dirty key's running count goes out before its window's final count.
          if (k!.dirty) this.push(k!, this.group.live_poll ? clock : k!.newest);
          else if (set.mark !== this.checkpoint.collect) this.checkpoint.touch(set);
          w.advance(k!.stat, clock);
        }
        this.windowMoved(k!, w);
      }
    }
  }

  /** A line whose set would be new while the group holds max_keys keys. */
  private dropLine(vals: Float64Array): void {
    let n = 0;
    for (let i = 0; i < vals.length; i++) if (vals[i] === vals[i]) n++;
    if (n > 0) this.index.limits.drop(n, () => 'a new combination of tag values');
  }

  private keyName(set: SeriesSet, i: number): string {
    const r = this.refs[i]!;
    return `${r.names[S.Count].slice(0, -'.count'.length)} ${[set.tagPrefix, r.ownTags].filter(Boolean).join(' ')}`;
  }

  /** The group clock passed its last tick + interval: live pushes, duplicates, stale removal. */
  private tick(): void {
    const g = this.group;
    const clock = this.clock;
    this.lastTick = clock;
    if (!g.live_poll && !g.send_duplicates && !g.stale_removal) return;
    // Windows follow the group clock where the keys' pushes do; a dirty key pushes its window's
    // running count before the window's final count.
    const windows = this.windowed && (g.live_poll || g.send_duplicates) && clock >= this.windowEdge;
    if (windows) this.windowEdge = Infinity;
    for (const shard of this.shards) {
      const clean: Key[] = [];
      if (g.send_duplicates) for (const set of shard.sets.values()) for (const k of set.keys) if (k && !k.dirty) clean.push(k);
      if (g.live_poll) this.pushDirty(shard, clock);
      if (windows) this.advanceWindows(shard, clock);
      for (const k of clean) this.push(k, clock, clock);
      if (g.stale_removal) this.removeStale(shard, clock);
    }
  }

  /** Every push goes through here: the checkpoint must see the key's set as changed. */
  private push(k: Key, now: number, stampAt?: number): void {
    if (k.set.mark !== this.checkpoint.collect) this.checkpoint.touch(k.set);
    k.push(this.out, now, this.ewma, stampAt);
  }

  private pushDirty(shard: Shard, now: number): void {
    if (this.group.live_poll) {
      for (const k of shard.dirty) if (k.dirty) this.push(k, now);
    } else {
      for (const set of shard.sets.values()) for (const k of set.keys) if (k && k.dirty) this.push(k, k.newest);
    }
    shard.dirty = [];
  }

  /** Pushes every dirty key: end of --once, shutdown, and a quiet log (wall-time flush). */
  flushAll(): void {
    for (const shard of this.shards) this.pushDirty(shard, this.clock);
  }

  private removeStale(shard: Shard, clock: number): void {
    for (const set of shard.sets.values()) {
      for (let i = 0; i < set.keys.length; i++) {
        const k = set.keys[i];
        if (!k || k.ref.neverStale || clock - k.newest < this.staleSec) continue;
        if (k.dirty) this.push(k, this.group.live_poll ? clock : k.newest);
        else if (set.mark !== this.checkpoint.collect) this.checkpoint.touch(set);
        const w = k.ref.kind.window;
        if (w !== null) {
          // Forgotten: a window the clock has passed ends with its final count.
          w.advance(k.stat, clock);
          w.emitClosed(k.stat, this.out, k.ref.names, k.tags);
        }
        this.dropKey(set, i);
        if (shard.stalled.logged) shard.stalled.report(this.group.name, { key: this.keyName(set, i), newest: k.newest, clock });
        else shard.stalled.count(1);
      }
      if (set.live === 0) this.index.forget(set);
    }
    shard.tracked.value = shard.keyCount;
    shard.dirty = shard.dirty.filter((k) => k.dirty);
  }

  /**
   * A new key, or null when the group holds max_keys keys. A restored key comes with its `stat`, and
   * is made whatever the limit (a checkpoint never loses keys to a lowered max_keys).
   */
  newKey(set: SeriesSet, i: number, shard: Shard, stat?: Statistic): Key | null {
    if (this.index.keys >= this.index.limits.maxKeys && !stat) return null;
    const r = this.refs[i]!;
    const tags = set.tagPrefix && r.ownTags ? set.tagPrefix + ' ' + r.ownTags : set.tagPrefix || r.ownTags;
    const key = new Key(set, r, tags, stat ?? r.kind.create(r, r.names[S.Count] + ' ' + tags));
    set.keys[i] = key;
    set.live++;
    if (stat) {
      const w = r.kind.window;
      if (w !== null && w.end(stat) < this.windowEdge) this.windowEdge = w.end(stat);
    }
    shard.keyCount++;
    this.index.keys++;
    shard.tracked.value = shard.keyCount;
    return key;
  }

  /** Forgets key i of a set (stale, or replaced by a checkpoint's). */
  dropKey(set: SeriesSet, i: number): void {
    if (!set.keys[i]) return;
    const shard = this.shards[set.shard]!;
    set.keys[i] = null;
    set.live--;
    shard.keyCount--;
    this.index.keys--;
    shard.tracked.value = shard.keyCount;
  }
}
