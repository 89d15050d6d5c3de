// A datapool's part of the checkpoint (spec section 8), incremental: only the series sets changed
// since the last cut are written, plus a slice of the others (a sweep, so that every set is
// rewritten every few cuts and older records can be dropped from the file).
//
// A cut is taken at one instant (reading held, every batch applied) but written over several turns
// of the event loop. Copy on write keeps it consistent: the sets of the cut carry its mark, and a
// set about to change while it still carries it is written first, as it was at the cut. A set is
// written whole (its tag string and every key), so that a later record of a set replaces an
// earlier one; a forgotten set is written as a tombstone.
import type { ByteReader, ByteWriter } from '../core/bytes.js';
import { DecodeError } from '../core/bytes.js';
import type { GroupPool } from './pool.js';
import type { SeriesSet } from './sets.js';
import type { RefSpec } from './kinds.js';

/** Where a cut's sets go: the state file's writer frames what writeSet() writes. */
export interface SetSink {
  /** Writes `set` as it is now (a tombstone when it is dead). */
  write(pool: GroupPool, set: SeriesSet): void;
}

/** Sets a cut adds to its sweep at least (a small pool sweeps all of them each cut). */
const MIN_SWEEP = 64;
const WRITTEN = -2;
const NO_CUT = -3;

export class PoolCheckpoint {
  /** Sets changed since the last cut carry this mark; -1: checkpoints are off (nothing is tracked). */
  collect = -1;
  /** The mark of the sets of the cut being written. */
  private writing = NO_CUT;
  private sink: SetSink | null = null;
  private changed: SeriesSet[] = [];
  private sweep: Iterator<SeriesSet> | null = null;
  /** Every set has been written since the current sweep round began. */
  swept = false;
  private round = 0;
  /** The pool's number in the cut being written (the state file's group index). */
  gix = 0;

  constructor(private readonly pool: GroupPool) {}

  /** Starts tracking changes (a state file is in use). */
  enable(): void {
    if (this.collect < 0) this.collect = 0;
  }

  /** Called before `set` changes, when it does not carry the current mark yet. */
  touch(set: SeriesSet): void {
    if (this.collect < 0) return;
    if (set.mark === this.writing) {
      this.sink!.write(this.pool, set); // as it was at the cut
      set.round = this.round;
    }
    set.mark = this.collect;
    this.changed.push(set);
  }

  /**
   * Takes the cut's sets at the cut instant: the changed ones, and either every set (`full`, a new
   * file) or more of the current sweep round: enough for a round every `roundCuts` cuts. A set
   * written this round, because it changed, counts for it: the more changes, the sooner a round
   * is complete (the file's obsolete records grow with the changes, and a round lets them go).
   * They are written by writeSome().
   */
  begin(sink: SetSink, full: boolean, roundCuts: number): SeriesSet[] {
    const gen = this.collect;
    this.writing = gen;
    this.collect = gen + 1;
    this.sink = sink;
    const list = this.changed;
    this.changed = [];
    if (full) {
      for (const shard of this.pool.shards) for (const s of shard.sets.values()) if (s.mark !== gen) { s.mark = gen; list.push(s); }
      this.sweep = null;
      this.swept = true;
    } else {
      this.sweepInto(list, gen, Math.max(MIN_SWEEP, Math.ceil(this.pool.index.size / roundCuts)));
    }
    return list;
  }

  private sweepInto(list: SeriesSet[], gen: number, n: number): void {
    if (this.swept) return;
    this.sweep ??= this.pool.index.all();
    while (n > 0) {
      const r = this.sweep.next();
      if (r.done) { this.sweep = null; this.swept = true; return; }
      const s = r.value;
      if (s.mark !== gen && s.round !== this.round) { s.mark = gen; list.push(s); n--; }
    }
  }

  /** Starts a new sweep round (the file has kept every set since the last one began). */
  newRound(): void {
    this.swept = false;
    this.sweep = null;
    this.round++;
  }

  /** Writes the cut's sets from `from` on while `more()` says so; returns where it stopped. */
  writeSome(list: SeriesSet[], from: number, more: () => boolean): number {
    let i = from;
    while (i < list.length && more()) {
      const s = list[i++]!;
      if (s.mark !== this.writing) continue; // written already, by touch()
      this.sink!.write(this.pool, s);
      s.mark = WRITTEN;
      s.round = this.round;
    }
    return i;
  }

  /** The cut is written (or given up). */
  end(): void {
    this.writing = NO_CUT;
    this.sink = null;
  }

  /** The cut did not reach the disk: its sets go into the next one. */
  requeue(list: SeriesSet[]): void {
    for (const s of list) {
      s.round = -1;
      if (s.mark === this.collect) continue;
      s.mark = this.collect;
      this.changed.push(s);
    }
  }
}

// ---- records -------------------------------------------------------------------------------------

/** What identifies a group's sets and keys across restarts: its tags, and its references by name. */
export function tagSignature(pool: GroupPool): string {
  return pool.group.tags.map((t) => (t.position === null ? `${t.name}=${t.value}` : t.name)).join(' ');
}

/** The pool's own state at the cut (clock, ids) and what its set records refer to. */
export function writePoolHeader(w: ByteWriter, pool: GroupPool): void {
  w.f64(pool.clock);
  w.f64(pool.lastTick);
  w.u32(pool.index.idCounter);
  w.str(tagSignature(pool));
  w.u32(pool.refs.length);
  for (const r of pool.refs) {
    w.str(r.id);
    w.u8(r.kind.code);
  }
}

export interface PoolHeader {
  clock: number;
  lastTick: number;
  nextId: number;
  /** tagSignature() when written. */
  tags: string;
  /** The references, by name and kind code, in the order the set records number them. */
  refs: Array<{ id: string; code: number }>;
}

export function readPoolHeader(r: ByteReader): PoolHeader {
  const clock = r.f64();
  const lastTick = r.f64();
  const nextId = r.u32();
  const tags = r.str();
  const n = r.u32();
  const refs: PoolHeader['refs'] = [];
  for (let i = 0; i < n; i++) refs.push({ id: r.str(), code: r.u8() });
  return { clock, lastTick, nextId, tags, refs };
}

/** A set record: id, tag string, then each key (reference, kind, bookkeeping, statistic). */
export function writeSet(w: ByteWriter, set: SeriesSet): void {
  w.u32(set.id);
  w.str(set.tagPrefix);
  const countAt = w.length;
  w.u32(0);
  let n = 0;
  for (const k of set.keys) {
    if (!k) continue;
    w.u32(k.ref.index);
    w.u8(k.ref.kind.code);
    k.writeBookkeeping(w);
    const lenAt = w.length;
    w.u32(0);
    k.stat.write(w);
    w.patchU32(lenAt, w.length - lenAt - 4);
    n++;
  }
  w.patchU32(countAt, n);
}

/** A pool in a version-1 state file (JSON; non-finite numbers were written as null). */
export interface LegacyPoolState {
  clock: number | null;
  lastTick: number | null;
  sets: Array<{
    tagPrefix: string;
    keys: Array<{ i: number; st: unknown; newest: number | null; first: number | null; lastPush: number | null;
      lastStamp: number | null; dirty: boolean }>;
  }>;
}

export interface RestoreCounts {
  /** Keys whose reference is no longer in the config, or changed kind. */
  keysDropped: number;
  /** Sets not restored because the group's tags changed. */
  setsDropped: number;
}

/**
 * Applies a group's records to its (new, empty) pool, newest first: the state file is read from its
 * last cut back, so the first record of a set is its final state, and older ones are skipped
 * without being decoded (a restore costs what the state holds, not what the file once held).
 */
export class PoolRestore {
  /** Set ids settled: a set record or a tombstone of theirs was seen (ids are small and dense). */
  private readonly done: boolean[] = [];
  /** Saved reference index -> reference now (null: gone or of another kind), as of the segment being read. */
  private refMap: Array<RefSpec | null> = [];
  /** The segment being read has the group's tags changed: its sets cannot be matched. */
  private retagged = false;
  /** The newest header was applied (clock, ids). */
  private headed = false;
  /** Older segments no longer apply: the group was made afresh (or removed) in this one. */
  private closing = false;
  closed = false;
  /** Some sets could not be matched because the group's tags changed. */
  tagsChanged = false;
  readonly counts: RestoreCounts = { keysDropped: 0, setsDropped: 0 };

  constructor(readonly pool: GroupPool) {}

  /** A new (older) segment begins. */
  segment(): void {
    if (this.closing) this.closed = true;
  }

  /** The group's records before this segment's no longer apply (its pool was replaced or removed). */
  reset(): void {
    this.closing = true;
  }

  header(h: PoolHeader): void {
    const byName = new Map(this.pool.refs.map((ref) => [ref.id, ref]));
    this.refMap = h.refs.map(({ id, code }) => {
      const ref = byName.get(id);
      return ref && ref.kind.code === code ? ref : null;
    });
    this.retagged = h.tags !== tagSignature(this.pool);
    if (this.retagged || this.headed || this.closed) return;
    this.headed = true;
    this.pool.clock = h.clock;
    this.pool.lastTick = h.lastTick;
    this.pool.index.idCounter = h.nextId;
  }

  /** A set record: the set's final state unless a newer record of it was seen. */
  set(r: ByteReader): void {
    const id = r.u32();
    const prefix = r.str();
    const n = r.u32();
    if (this.closed || this.done[id]) {
      for (let i = 0; i < n; i++) skipKey(r);
      return;
    }
    this.done[id] = true;
    if (this.retagged) {
      for (let i = 0; i < n; i++) skipKey(r);
      this.counts.setsDropped++;
      this.tagsChanged = true;
      return;
    }
    const set = this.pool.index.restore(id, prefix);
    for (let i = 0; i < n; i++) this.key(r, set);
    if (set.live === 0) this.pool.index.forget(set);
  }

  /** Reads a key into its set, or past it. */
  private key(r: ByteReader, set: SeriesSet): void {
    const refIdx = r.u32();
    const code = r.u8();
    const ref = this.refMap[refIdx] ?? null;
    if (!ref || ref.kind.code !== code || set.keys[ref.index]) {
      skipKeyRest(r);
      this.counts.keysDropped++;
      return;
    }
    const newest = r.f64();
    const first = r.f64();
    const lastPush = r.f64();
    const lastStamp = r.f64();
    const dirty = r.u8() === 1;
    const len = r.u32();
    const end = r.pos + len;
    const stat = ref.kind.read(r, ref);
    if (r.pos !== end) throw new DecodeError(`a ${ref.id} statistic of ${len} bytes read as ${r.pos - end + len}`);
    const key = this.pool.newKey(set, ref.index, this.pool.shards[set.shard]!, stat)!;
    key.newest = newest;
    key.first = first;
    key.lastPush = lastPush;
    key.lastStamp = lastStamp;
    key.dirty = dirty;
  }

  /** A tombstone: the set was forgotten (its older records are skipped). */
  gone(id: number): void {
    if (!this.closed) this.done[id] = true;
  }

  /** A pool as a version-1 (JSON) state file held it. */
  json(ps: LegacyPoolState): void {
    this.pool.clock = ps.clock ?? -Infinity;
    this.pool.lastTick = ps.lastTick ?? -Infinity;
    for (const s of ps.sets) {
      let set: SeriesSet;
      try {
        set = this.pool.index.restore(this.pool.index.idCounter, s.tagPrefix);
      } catch {
        this.counts.setsDropped++; // the group's tags changed
        continue;
      }
      const shard = this.pool.shards[set.shard]!;
      for (const ks of s.keys) {
        const ref = this.pool.refs[ks.i];
        if (!ref) { this.counts.keysDropped++; continue; }
        this.pool.dropKey(set, ref.index);
        const key = this.pool.newKey(set, ref.index, shard, ref.kind.fromJson(ks.st, ref))!;
        key.newest = ks.newest ?? -Infinity;
        key.first = ks.first ?? NaN;
        key.lastPush = ks.lastPush ?? NaN;
        key.lastStamp = ks.lastStamp ?? -Infinity;
        key.dirty = ks.dirty === true;
      }
      if (set.live === 0) this.pool.index.forget(set);
    }
  }

  /** Done: live mode's lists of dirty keys, from the keys restored. */
  finish(): void {
    if (!this.pool.group.live_poll) return;
    for (const shard of this.pool.shards) {
      shard.dirty = [];
      for (const set of shard.sets.values()) for (const k of set.keys) if (k && k.dirty) shard.dirty.push(k);
    }
  }
}

/** Reads past a set record (of a group that is not restored). */
export function skipSet(r: ByteReader): void {
  r.u32();
  r.str();
  const n = r.u32();
  for (let i = 0; i < n; i++) skipKey(r);
}

function skipKey(r: ByteReader): void {
  r.u32();
  r.u8();
  skipKeyRest(r);
}

function skipKeyRest(r: ByteReader): void {
  r.bytes(8 * 4 + 1);
  r.bytes(r.u32());
}
