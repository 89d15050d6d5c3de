// Series sets: the keys of one combination of group-tag values, found from a line's raw tag values.
// A set lives in one shard, chosen by its values, and is named by its tag string ("call=get
// host=a"). Raw values that sanitise alike share a set. The tag limits (limits.ts) apply when a set
// is created: a tag past max_tag_values takes `_other_`, and a group at max_keys gets DROPPED.
import type { LogGroup } from '../config/types.js';
import type { EventSource, Events } from '../core/events.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { sanitizeTagValue } from '../core/sanitize.js';
import { TupleMap } from '../core/tuplemap.js';
import { own } from '../core/own.js';
import { hashKey } from '../stats/prng.js';
import { OTHER, TagLimits } from './limits.js';
import type { Key } from './key.js';

export class SeriesSet {
  readonly keys: Array<Key | null>;
  live = 0;
  /** Forgotten (every key went stale): a caller holding it must look its tag values up again. */
  dead = false;
  /** Checkpoint bookkeeping (snapshot.ts): the cut the set was last changed for, and the sweep round it was last written in. */
  mark = -1;
  round = -1;
  /** Bit i set: group tag i holds `_other_` (lines counted here are folds). */
  readonly other: number;
  constructor(readonly id: number, readonly tagPrefix: string, readonly shard: number, nRefs: number, other = 0) {
    this.keys = new Array<Key | null>(nRefs).fill(null);
    this.other = other;
  }
}

/** What a lookup returns when the group holds max_keys keys and the line's set does not exist. */
export const DROPPED = new SeriesSet(-1, '', 0, 0);
DROPPED.dead = true;

export class Shard {
  /** Sets by tag string. */
  readonly sets = new Map<string, SeriesSet>();
  dirty: Key[] = [];
  keyCount = 0;
  constructor(readonly tracked: Series, readonly stalled: EventSource) {}
}

/** Raw-tuple cache entries allowed beyond twice the live sets (a cache of dead sets and aliases). */
const RAW_SLACK = 4096;

export class SetIndex {
  readonly shards: Shard[] = [];
  readonly limits: TagLimits;
  /** Keys held by the group (max_keys). */
  keys = 0;
  /** Live sets. */
  size = 0;
  /**
   * Raw group-tag values (as the regex gave them) -> set. Only a cache: it can hold dead sets and
   * aliases, and starts over when it outgrows the live sets (raw values that sanitise alike, or a
   * churn of stale sets, cannot make it grow without bound). Folded and dropped tuples stay out.
   */
  private raw: TupleMap<SeriesSet>;
  private rawEntries = 0;
  private noTags: SeriesSet | null = null;
  private readonly constTags: Array<string | null>;
  private readonly values: string[];
  private nextId = 0;

  constructor(private readonly group: LogGroup, registry: Registry, events: Events, private readonly nRefs: number) {
    this.raw = new TupleMap(Math.max(1, group.tags.length), () => DROPPED);
    this.constTags = group.tags.map((t) => (t.position === null ? t.value : null));
    this.values = group.tags.map(() => '');
    this.limits = new TagLimits(group, registry, events);
    for (let i = 0; i < group.goroutines; i++) {
      const tags = { log_group: group.name, log_group_number: i };
      this.shards.push(new Shard(registry.gauge('data_pool.key_tracked', tags), events.source('stale_removed', tags, group)));
    }
  }

  /** The set of a line's group-tag values (constants undefined), created on first sight; maybe DROPPED. */
  lookup(tagVals: ArrayLike<string | undefined>): SeriesSet {
    if (tagVals.length === 0) {
      const s = this.noTags;
      return s !== null ? s : this.resolve(tagVals);
    }
    const s = this.raw.find(tagVals);
    return s !== undefined && !s.dead ? s : this.resolve(tagVals);
  }

  private resolve(tagVals: ArrayLike<string | undefined>): SeriesSet {
    const tags = this.group.tags;
    const values = this.values;
    let prefix = '';
    let canonical = '';
    let folded = false;
    for (let i = 0; i < tags.length; i++) {
      const c = this.constTags[i]!;
      let v = c;
      if (c === null) {
        const raw = tagVals[i] ?? '';
        const clean = sanitizeTagValue(raw);
        v = this.limits.admit(i, clean, raw);
        if (v !== clean) folded = true;
        canonical += '\u0001' + v;
      }
      values[i] = v!;
      prefix += (i ? ' ' : '') + tags[i]!.name + '=' + v;
    }
    const shardIdx = this.shards.length === 1 ? 0 : hashKey(canonical) % this.shards.length;
    let set = this.shards[shardIdx]!.sets.get(prefix);
    if (set === undefined) {
      if (this.keys >= this.limits.maxKeys) return DROPPED;
      // own(): the concatenation may still point into the log line the values were cut from.
      set = this.add(this.nextId++, own(prefix), shardIdx, values, true);
    }
    if (tagVals.length === 0) this.noTags = set;
    else if (!folded) this.cache(tagVals, set);
    return set;
  }

  private cache(tagVals: ArrayLike<string | undefined>, set: SeriesSet): void {
    if (++this.rawEntries > 2 * this.size + RAW_SLACK) {
      this.raw.clear();
      this.rawEntries = 1;
    }
    this.raw.put(tagVals, set);
  }

  /** `fromLine`: the values were cut from a log line (held as copies); else from `prefix` itself. */
  private add(id: number, prefix: string, shardIdx: number, values: readonly string[], fromLine: boolean): SeriesSet {
    let other = 0;
    for (let i = 0; i < values.length; i++) if (values[i] === OTHER && this.constTags[i] === null) other |= 1 << i;
    const set = new SeriesSet(id, prefix, shardIdx, this.nRefs, other);
    this.shards[shardIdx]!.sets.set(prefix, set);
    this.size++;
    this.limits.hold(values, fromLine);
    return set;
  }

  /** A set forgotten (every key went stale): its tag values no longer take room. */
  forget(set: SeriesSet): void {
    this.shards[set.shard]!.sets.delete(set.tagPrefix);
    set.dead = true;
    this.size--;
    this.limits.release(this.valuesOf(set.tagPrefix));
    if (set === this.noTags) this.noTags = null;
  }

  /** A checkpointed set, by its id and tag string (created empty, or the one already there). */
  restore(id: number, prefix: string): SeriesSet {
    const values = this.valuesOf(prefix);
    let shardIdx = 0;
    if (this.shards.length > 1) {
      let canonical = '';
      for (let i = 0; i < values.length; i++) if (this.constTags[i] === null) canonical += '\u0001' + values[i];
      shardIdx = hashKey(canonical) % this.shards.length;
    }
    const set = this.shards[shardIdx]!.sets.get(prefix) ?? this.add(id, prefix, shardIdx, values, false);
    if (id >= this.nextId) this.nextId = id + 1;
    if (this.group.tags.length === 0) this.noTags = set;
    return set;
  }

  /** The id the next new set takes (a checkpoint keeps it, so that ids are never reused). */
  get idCounter(): number {
    return this.nextId;
  }

  set idCounter(n: number) {
    if (n > this.nextId) this.nextId = n;
  }

  /** The group-tag values of a tag string (values are sanitised: no space, no '='). */
  valuesOf(prefix: string): string[] {
    const tags = this.group.tags;
    const out: string[] = [];
    let at = 0;
    for (let i = 0; i < tags.length; i++) {
      const name = tags[i]!.name;
      const end = i === tags.length - 1 ? prefix.length : prefix.indexOf(' ', at);
      if (end < 0 || prefix.charCodeAt(at + name.length) !== 61 /* = */ || !prefix.startsWith(name, at)) {
        throw new Error(`tag string "${prefix}" does not name the group's ${tags.length} tag(s)`);
      }
      out.push(prefix.slice(at + name.length + 1, end));
      at = end + 1;
    }
    if (at < prefix.length) throw new Error(`tag string "${prefix}" has more than the group's ${tags.length} tag(s)`);
    return out;
  }

  /** Every live set, shard by shard. */
  *all(): IterableIterator<SeriesSet> {
    for (const shard of this.shards) yield* shard.sets.values();
  }
}
