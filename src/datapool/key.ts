// One key: a metric reference for one set of group-tag values, with its statistic and its push
// bookkeeping. Its statistic turns into points through its kind (kinds.ts) when pushed.
import type { PointBatch } from '../core/types.js';
import type { ByteWriter } from '../core/bytes.js';
import type { Statistic } from '../stats/statistic.js';
import type { RefSpec } from './kinds.js';
import type { SeriesSet } from './sets.js';

export class Key {
  // Fields are `declare`d and assigned in the constructor (see stats/meter.ts): V8 then keeps the
  // numbers in mutable double boxes instead of allocating a new one per update.
  /** Newest log time among the key's updates (the stamp of its points). */
  declare newest: number;
  /** Log time of the key's first update. */
  declare first: number;
  /** Log time of the key's last push (NaN: never pushed). */
  declare lastPush: number;
  /** Timestamp of the last point sent for the key (points never go back in time). */
  declare lastStamp: number;
  declare dirty: boolean;
  declare readonly set: SeriesSet;
  declare readonly ref: RefSpec;
  /** Its tags: the set's, then the reference's own ("a=b c=d"); the set's own string when it has none. */
  declare readonly tags: string;
  declare stat: Statistic;

  constructor(set: SeriesSet, ref: RefSpec, tags: string, stat: Statistic) {
    this.newest = -Infinity;
    this.first = NaN;
    this.lastPush = NaN;
    this.lastStamp = -Infinity;
    this.dirty = false;
    this.set = set;
    this.ref = ref;
    this.tags = tags;
    this.stat = stat;
  }

  /** Records one value at log time t. Returns true when t is older than the key's newest update. */
  update(v: number, t: number): boolean {
    this.stat.update(v, t);
    if (this.first !== this.first) this.first = t;
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
    this.ref.kind.emit(this.stat, out, this.ref.names, this.tags, ts, now, ewmaInterval);
    this.lastStamp = ts;
    this.lastPush = now;
    this.dirty = false;
  }

  /** The push bookkeeping for a checkpoint (the statistic is written by its kind; PoolRestore reads both). */
  writeBookkeeping(w: ByteWriter): void {
    w.f64(this.newest);
    w.f64(this.first);
    w.f64(this.lastPush);
    w.f64(this.lastStamp);
    w.u8(this.dirty ? 1 : 0);
  }
}
