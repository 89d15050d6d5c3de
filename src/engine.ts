// The processing stage: line batches in, points out. One Extractor and one GroupPool per log group,
// a FileCtx per file. Backpressure: handleBatch() returns a promise when the sink is full, and the
// tailer reads nothing more until it resolves.
import type { Config, LogGroup } from './config/types.js';
import type { LineBatch, Point, PointSink } from './types.js';
import type { Logger } from './log.js';
import { WarnLimiter } from './log.js';
import type { Registry, Series } from './selfstats/registry.js';
import { Extractor, Outcome, type FileCtx } from './parse/extract.js';
import { GroupPool } from './datapool/pool.js';

interface FileState extends FileCtx {
  matched: Series;
  failed: Series;
  skipped: boolean;   // path does not match filename_match
}

export interface GroupRuntime {
  group: LogGroup;
  extractor: Extractor;
  pool: GroupPool;
  files: Map<string, FileState>;
  /** Wall time (ms) of the last line handed to this group. */
  lastLineAt: number;
  /** Counters of events that have no per-file series. */
  badDates: number;
  valueFails: number;
  negatives: number;
}

export interface EngineOptions {
  log: Logger;
  registry: Registry;
  sink: PointSink;
  wallClock?: () => number; // ms
  /** Called with the wall time minus log time (s) of the newest point of each batch handed out. */
  onLag?: (lagSec: number) => void;
}

export class Engine {
  readonly groups = new Map<string, GroupRuntime>();
  private readonly warn: WarnLimiter;
  private readonly now: () => number;

  constructor(config: Config, private readonly opts: EngineOptions) {
    this.now = opts.wallClock ?? Date.now;
    this.warn = new WarnLimiter(opts.log, this.now);
    for (const g of config.groups) this.addGroup(g);
  }

  addGroup(group: LogGroup): void {
    this.groups.set(group.name, {
      group, extractor: new Extractor(group), pool: new GroupPool(group, this.opts.registry), files: new Map(),
      lastLineAt: this.now(), badDates: 0, valueFails: 0, negatives: 0,
    });
  }

  removeGroup(name: string): void {
    this.groups.delete(name);
  }

  /** Processes one batch of lines. Returns a promise when the sink is full (wait before reading more). */
  handleBatch(groupName: string, batch: LineBatch): void | Promise<void> {
    const rt = this.groups.get(groupName);
    if (!rt) return;
    const file = this.fileState(rt, batch.path);
    if (file.skipped) return;
    const wallNow = this.now();
    rt.lastLineAt = wallNow;
    this.processLines(rt, file, batch.lines, wallNow / 1000);
    return this.drain(rt);
  }

  private processLines(rt: GroupRuntime, file: FileState, lines: string[], wallSec: number): void {
    const ex = rt.extractor;
    const pool = rt.pool;
    const g = rt.group;
    let matched = 0;
    let failed = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const o = ex.extract(line, file, wallSec);
      if (o !== Outcome.Matched) {
        failed++;
        if (o === Outcome.BadDate) {
          rt.badDates++;
          if (g.warn_on_regex_fail) this.warn.warn('bad_date', file.path, 'Date did not parse, line dropped', { log_group: g.name, line });
        } else if (g.warn_on_regex_fail) {
          this.warn.warn('regex_fail', file.path, 'Line did not match', { log_group: g.name, line });
        }
        continue;
      }
      matched++;
      const t = ex.t;
      if (!(t <= file.newest)) file.newest = t;
      if (ex.valueFails + ex.negatives > 0) {
        rt.valueFails += ex.valueFails;
        rt.negatives += ex.negatives;
        if (g.warn_on_operation_fail) {
          this.warn.warn('operation_fail', file.path, 'A value did not parse or went below 0 and was not recorded',
            { log_group: g.name, unparsable: ex.valueFails, negative: ex.negatives, line });
        }
      }
      const ooo = pool.outOfOrder;
      pool.record(ex.tagVals, t, ex.vals);
      if (pool.outOfOrder !== ooo && g.warn_on_out_of_order_time) {
        this.warn.warn('out_of_order', file.path, 'Line older than its key\'s newest update', { log_group: g.name, line });
      }
    }
    file.matched.value += matched;
    file.failed.value += failed;
  }

  /** Hands the group's pending points to the sink. */
  private drain(rt: GroupRuntime): void | Promise<void> {
    const out = rt.pool.out;
    if (out.length === 0) return;
    rt.pool.out = [];
    if (this.opts.onLag) this.opts.onLag(this.now() / 1000 - out[out.length - 1]!.ts);
    if (!this.opts.sink.write(out)) return this.opts.sink.waitDrain();
  }

  /** Pushes every dirty key of every group (end of --once, shutdown). */
  flushAll(): void | Promise<void> {
    const waits: Promise<void>[] = [];
    for (const rt of this.groups.values()) {
      rt.pool.flushAll();
      const w = this.drain(rt);
      if (w) waits.push(w);
    }
    if (waits.length) return Promise.all(waits).then(() => undefined);
  }

  /** Wall-time quiet flush (spec section 5): a group whose files are read to their end and got no line for `interval` s. */
  flushQuiet(caughtUp: (group: string) => boolean): void | Promise<void> {
    const now = this.now();
    const waits: Promise<void>[] = [];
    for (const rt of this.groups.values()) {
      if (now - rt.lastLineAt < rt.group.interval * 1000 || !caughtUp(rt.group.name)) continue;
      rt.pool.flushAll();
      rt.lastLineAt = now;
      const w = this.drain(rt);
      if (w) waits.push(w);
    }
    if (waits.length) return Promise.all(waits).then(() => undefined);
  }

  /** Newest log time seen per file (year inference), for a checkpoint. */
  fileTimes(groupName: string): Map<string, number> {
    const m = new Map<string, number>();
    const rt = this.groups.get(groupName);
    if (rt) for (const f of rt.files.values()) if (!Number.isNaN(f.newest)) m.set(f.path, f.newest);
    return m;
  }

  /** Restores a file's newest log time from a checkpoint. */
  restoreFileTime(groupName: string, path: string, newest: number): void {
    const rt = this.groups.get(groupName);
    if (rt) this.fileState(rt, path).newest = newest;
  }

  /** A file stopped being tailed: forget its context (its keys stay in the pool). */
  forgetFile(groupName: string, path: string): void {
    const rt = this.groups.get(groupName);
    const f = rt?.files.get(path);
    if (!rt || !f) return;
    rt.files.delete(path);
    this.opts.registry.remove(f.matched);
    this.opts.registry.remove(f.failed);
  }

  private fileState(rt: GroupRuntime, path: string): FileState {
    let f = rt.files.get(path);
    if (f) return f;
    const extra = rt.extractor.fileExtra(path);
    const tags = { log_group: rt.group.name, filename: path };
    f = {
      path, extra, newest: NaN, skipped: extra === null,
      matched: this.opts.registry.counter('tail.line_matched', tags),
      failed: this.opts.registry.counter('tail.line_failed', tags),
    };
    if (f.skipped) this.opts.log.warn('File matches the glob but not filename_match; skipped', { log_group: rt.group.name, file: path });
    rt.files.set(path, f);
    return f;
  }
}

export type { Point };
