// Applies a state file's records to a run's datapools (spec section 8): each group's records go to
// its pool, matched by name; the latest file positions and unsent points win. What cannot be
// matched is said by name: a group no longer in the config, a group whose tags changed, keys whose
// metric is gone.
import type { ByteReader } from '../core/bytes.js';
import type { Logger } from '../core/log.js';
import type { Point } from '../core/types.js';
import type { GroupPool } from '../datapool/pool.js';
import { PoolRestore, readPoolHeader, skipSet } from '../datapool/snapshot.js';
import { GroupFlag } from './format.js';
import type { StateVisitor } from './reader.js';
import type { LegacyState } from './legacy.js';

/** The datapools a state file is restored into. */
export interface PoolLookup {
  datapool(name: string): GroupPool | undefined;
}

export interface Restored {
  sets: number;
  keys: number;
  /** Groups of the file not in the config, and groups whose records could not all be matched (tags changed). */
  unknown: string[];
  retagged: string[];
  files: unknown[];
  pending: Point[];
  /** Wall time (ms) of the cut restored. */
  cutAt: number;
}

/** Takes a state file's records newest first (reader.ts reads its cuts from the last one back). */
export class Restorer implements StateVisitor {
  /** This segment's group indexes. */
  private readonly gix = new Map<number, PoolRestore | null>();
  private readonly byName = new Map<string, PoolRestore | null>();
  /** Groups whose newest record says they were removed (by a config reload): not worth a warning. */
  private readonly removed = new Set<string>();
  private readonly seen = new Set<string>();
  private filesJson: string | null = null;
  private points: Point[] | null = null;
  private cutAt = NaN;

  constructor(private readonly pools: PoolLookup) {}

  private poolRestore(name: string): PoolRestore | null {
    let pr = this.byName.get(name);
    if (pr === undefined) {
      const pool = this.pools.datapool(name);
      pr = pool ? new PoolRestore(pool) : null;
      this.byName.set(name, pr);
    }
    return pr;
  }

  cut(wallMs: number): void {
    if (Number.isNaN(this.cutAt)) this.cutAt = wallMs;
    this.gix.clear();
    for (const pr of this.byName.values()) pr?.segment();
  }

  group(gix: number, name: string, flags: GroupFlag, r: ByteReader): void {
    const pr = this.poolRestore(name);
    this.gix.set(gix, pr);
    if (!this.seen.has(name)) {
      this.seen.add(name);
      if (flags & GroupFlag.Removed) this.removed.add(name);
    }
    if (flags & (GroupFlag.Fresh | GroupFlag.Removed)) pr?.reset();
    if (flags & GroupFlag.Removed) return;
    const h = readPoolHeader(r);
    pr?.header(h);
  }

  set(gix: number, r: ByteReader): void {
    const pr = this.gix.get(gix);
    if (pr) pr.set(r);
    else skipSet(r);
  }

  gone(gix: number, id: number): void {
    this.gix.get(gix)?.gone(id);
  }

  files(json: string): void {
    this.filesJson ??= json;
  }

  pending(points: Point[]): void {
    this.points ??= points;
  }

  /** A version-1 (JSON) state. */
  legacy(s: LegacyState): void {
    for (const [name, ps] of Object.entries(s.groups)) this.poolRestore(name)?.json(ps);
    this.filesJson = JSON.stringify(s.files);
    const at = Date.parse(s.written ?? '');
    if (!Number.isNaN(at)) this.cutAt = at;
    this.points = s.pending;
  }

  /** Ends the restore: totals, and a warning for each group whose state could not be matched. */
  finish(log: Logger, stateFile: string): Restored {
    let sets = 0;
    let keys = 0;
    const unknown: string[] = [];
    const retagged: string[] = [];
    for (const [name, pr] of this.byName) {
      if (!pr) {
        if (!this.removed.has(name)) {
          unknown.push(name);
          log.warn('State of a log group not restored: no group of that name in the config (renamed or removed?)',
            { log_group: name, state_file: stateFile });
        }
        continue;
      }
      pr.finish();
      const c = pr.counts;
      if (c.setsDropped) {
        retagged.push(name);
        log.warn('State of a log group not restored: its tags changed', { log_group: name, state_file: stateFile, series_sets: c.setsDropped });
      }
      if (c.keysDropped) {
        log.warn('Keys of a log group not restored: their metric is no longer in the group', { log_group: name, keys: c.keysDropped });
      }
      sets += pr.pool.index.size;
      keys += pr.pool.keyCount;
    }
    const files = JSON.parse(this.filesJson ?? '[]') as unknown[];
    return { sets, keys, unknown, retagged, files: Array.isArray(files) ? files : [], pending: this.points ?? [], cutAt: this.cutAt };
  }
}
