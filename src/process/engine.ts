// The processing stage: line batches in, points out. One Extractor and one GroupPool per log group,
// a FileCtx per file. With -j N > 1 the extraction runs on N parse workers and the results are
// applied here in the order the batches arrived, so the output does not depend on N.
// Backpressure: handleBatch() returns a promise while the sink is full (or too many batches are in
// flight), and the tailer reads nothing more until it resolves.
import type { Config, LogGroup } from '../config/types.js';
import type { LineBatch, PointSink } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { WallClock } from '../core/clock.js';
import { WarnLimiter } from '../core/log.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { Extractor, Outcome, type FileCtx } from '../parse/extract.js';
import { GroupPool, type SeriesSet } from '../datapool/pool.js';
import { ParseWorkers } from './parallel/workers.js';
import type { BatchResult } from './parallel/protocol.js';

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
  badDates: Series;
  valueFails: Series;
  negatives: Series;
  skippedLong: Series;
}

export interface EngineOptions {
  log: Logger;
  registry: Registry;
  sink: PointSink;
  /** Parse workers (-j); 1 = extraction on this thread. */
  threads?: number;
  wallClock?: WallClock;
  /** Called with the wall time minus log time (s) of the newest point of each batch handed out. */
  onLag?: (lagSec: number) => void;
  /** -P's file: the parse workers profile themselves next to it. */
  profile?: string;
}

/** A batch handed to a worker, waiting for its result to be applied in order. */
interface InFlight {
  seq: number;
  group: string;
  lines: string[];
  path: string;
  result: BatchResult | null;
}

const MAX_IN_FLIGHT_PER_WORKER = 16;

export class Engine {
  readonly groups = new Map<string, GroupRuntime>();
  private readonly warn: WarnLimiter;
  private readonly now: () => number;
  private readonly workers: ParseWorkers | null;
  private readonly queue: InFlight[] = [];
  private seq = 0;
  private sinkWait: Promise<void> | null = null;
  private room: { promise: Promise<void>; resolve: () => void } | null = null;
  private idleWaiters: Array<() => void> = [];
  private holding: { promise: Promise<void>; resolve: () => void } | null = null;
  private failure: Error | null = null;
  /** Shutdown with an output that did not drain: points are handed to the sink without waiting. */
  private noWait = false;
  // Reused buffers for applying worker results.
  private tagBuf: string[] = [];
  private valBuf = new Float64Array(0);
  private setBuf: Array<SeriesSet | null> = [];

  constructor(config: Config, private readonly opts: EngineOptions) {
    this.now = opts.wallClock ?? Date.now;
    this.warn = new WarnLimiter(opts.log, this.now);
    for (const g of config.groups) this.addGroup(g);
    const n = opts.threads ?? 1;
    this.workers = n > 1
      ? new ParseWorkers(n, config.groups, (r) => this.onResult(r), (e) => { this.failure = e; opts.log.error('Parse worker failed', { error: e.message }); this.wakeAll(); }, opts.profile)
      : null;
  }

  addGroup(group: LogGroup): void {
    const reg = this.opts.registry;
    const tags = { log_group: group.name };
    this.groups.set(group.name, {
      group, extractor: new Extractor(group), pool: new GroupPool(group, reg, this.opts.sink.newBatch()), files: new Map(), lastLineAt: this.now(),
      badDates: reg.counter('parse.date_failed', tags), valueFails: reg.counter('parse.value_failed', tags),
      negatives: reg.counter('parse.value_negative', tags), skippedLong: reg.counter('tail.line_too_long', tags),
    });
  }

  removeGroup(name: string): void {
    this.groups.delete(name);
  }

  /** After addGroup/removeGroup: tells the parse workers about the new set of groups. */
  groupsChanged(): void {
    this.workers?.setGroups([...this.groups.values()].map((rt) => rt.group));
  }

  /** Processes one batch of lines. Returns a promise when reading must wait (backpressure). */
  handleBatch(groupName: string, batch: LineBatch): void | Promise<void> {
    if (this.failure) throw this.failure;
    const rt = this.groups.get(groupName);
    if (!rt) return;
    if (batch.skippedLong) rt.skippedLong.value += batch.skippedLong;
    if (batch.lines.length === 0) return this.holding?.promise;
    const wallNow = this.now();
    rt.lastLineAt = wallNow;
    if (this.workers) {
      const seq = this.seq++;
      if (this.queue.length === 0) this.workers.busy(true);
      this.queue.push({ seq, group: groupName, lines: batch.lines, path: batch.path, result: null });
      this.fileState(rt, batch.path); // logs a filename_match mismatch once, on this thread
      this.workers.batch(seq, groupName, batch.path, batch.lines, wallNow / 1000);
      if (this.holding) return this.holding.promise;
      if (this.queue.length >= MAX_IN_FLIGHT_PER_WORKER * this.workers.size || this.sinkWait) return this.waitRoom();
      return;
    }
    const file = this.fileState(rt, batch.path);
    if (!file.skipped) this.processLines(rt, file, batch.lines, wallNow / 1000);
    const w = this.drain(rt);
    return this.holding ? this.holding.promise : w;
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
        this.lineFailed(rt, file.path, line, o);
        continue;
      }
      matched++;
      const t = ex.t;
      if (!(t <= file.newest)) file.newest = t;
      if (ex.valueFails + ex.negatives > 0) this.valuesFailed(rt, file.path, line, ex.valueFails, ex.negatives);
      const ooo = pool.outOfOrder;
      pool.record(ex.tagVals, t, ex.vals);
      if (pool.outOfOrder !== ooo && g.warn_on_out_of_order_time) this.outOfOrder(rt, file.path, line);
    }
    file.matched.value += matched;
    file.failed.value += failed;
  }

  private lineFailed(rt: GroupRuntime, path: string, line: string, o: Outcome): void {
    const g = rt.group;
    if (o === Outcome.BadDate) {
      rt.badDates.value++;
      if (g.warn_on_regex_fail) this.warn.warn('bad_date', path, 'Date did not parse, line dropped', { log_group: g.name, line: clip(line) });
    } else if (g.warn_on_regex_fail) {
      this.warn.warn('regex_fail', path, 'Line did not match', { log_group: g.name, line: clip(line) });
    }
  }

  private valuesFailed(rt: GroupRuntime, path: string, line: string, fails: number, negs: number): void {
    rt.valueFails.value += fails;
    rt.negatives.value += negs;
    if (rt.group.warn_on_operation_fail) {
      this.warn.warn('operation_fail', path, 'A value did not parse or went below 0 and was not recorded',
        { log_group: rt.group.name, unparsable: fails, negative: negs, line: clip(line) });
    }
  }

  private outOfOrder(rt: GroupRuntime, path: string, line: string): void {
    this.warn.warn('out_of_order', path, 'Line older than its key\'s newest update', { log_group: rt.group.name, line: clip(line) });
  }

  private onResult(r: BatchResult): void {
    const head = this.queue[0];
    const entry = head && head.seq === r.seq ? head : this.queue.find((e) => e.seq === r.seq);
    if (!entry) return;
    entry.result = r;
    this.applyReady();
  }

  /** Applies finished results from the head of the queue, in order, until one is missing or the sink is full. */
  private applyReady(): void {
    while (this.queue.length && this.queue[0]!.result && !this.sinkWait) {
      const e = this.queue.shift()!;
      const rt = this.groups.get(e.group);
      if (rt) {
        this.apply(rt, e, e.result!);
        const w = this.drain(rt);
        if (w) this.sinkWait = w.then(() => { this.sinkWait = null; this.applyReady(); });
      }
    }
    if (!this.sinkWait && this.room && this.queue.length < MAX_IN_FLIGHT_PER_WORKER * (this.workers?.size ?? 1)) {
      const r = this.room;
      this.room = null;
      r.resolve();
    }
    if (this.queue.length === 0 && !this.sinkWait) {
      this.workers?.busy(false);
      this.wakeIdle();
    }
  }

  private apply(rt: GroupRuntime, e: InFlight, r: BatchResult): void {
    const file = this.fileState(rt, e.path);
    if (r.skipped) return;
    const R = rt.extractor.refs.length;
    const T = rt.extractor.tagVals.length;
    if (this.valBuf.length !== R) this.valBuf = new Float64Array(R);
    const tags = this.tagBuf;
    tags.length = T;
    const vals = this.valBuf;
    const pool = rt.pool;
    const nums = r.nums;
    // Each tuple is looked up at its first line (so sets are created in line order, as on one
    // thread), and again only if its set went stale meanwhile.
    const sets = this.setBuf;
    sets.length = r.tupleCount;
    sets.fill(null);
    const warnOoo = rt.group.warn_on_out_of_order_time;
    for (let k = 0, p = 0; k < r.matched; k++) {
      const idx = nums[p++]!;
      const t = nums[p++]!;
      const tu = nums[p++]!;
      for (let j = 0; j < R; j++) vals[j] = nums[p++]!;
      let set = sets[tu]!;
      if (set === null || set.dead) {
        for (let j = 0; j < T; j++) tags[j] = r.tuples[tu * T + j]!;
        set = pool.lookupSet(tags);
        sets[tu] = set;
      }
      const ooo = pool.outOfOrder;
      pool.recordSet(set, t, vals);
      if (warnOoo && pool.outOfOrder !== ooo) this.outOfOrder(rt, e.path, e.lines[idx]!);
    }
    for (let i = 0; i < r.failed.length; i += 2) this.lineFailed(rt, e.path, e.lines[r.failed[i]!]!, r.failed[i + 1] as Outcome);
    if (r.valueFails + r.negatives > 0) {
      rt.valueFails.value += r.valueFails;
      rt.negatives.value += r.negatives;
      if (rt.group.warn_on_operation_fail) {
        for (const i of r.opFails) this.warn.warn('operation_fail', e.path, 'A value did not parse or went below 0 and was not recorded',
          { log_group: rt.group.name, line: clip(e.lines[i]!) });
      }
    }
    if (!Number.isNaN(r.newest)) file.newest = r.newest;
    file.matched.value += r.matched;
    file.failed.value += r.failed.length / 2;
  }

  private waitRoom(): Promise<void> {
    if (!this.room) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.room = { promise, resolve };
    }
    return this.room.promise;
  }

  /** Resolves once every batch handed in has been applied and its points handed to the sink. */
  idle(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length === 0 && !this.sinkWait) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }

  private wakeAll(): void {
    this.room?.resolve();
    this.room = null;
    this.wakeIdle();
  }

  /**
   * Runs `fn` at a consistent cut (spec section 8): reading is held, every batch handed in is
   * applied, then fn runs (it reads the tailer's positions and the pools), then reading resumes.
   */
  async atCut<T>(fn: () => T): Promise<T> {
    if (!this.holding) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.holding = { promise, resolve };
    }
    const hold = this.holding;
    try {
      await this.idle();
      return fn();
    } finally {
      if (this.holding === hold) this.holding = null;
      hold.resolve();
    }
  }

  /** Hands the group's pending points to the sink. */
  private drain(rt: GroupRuntime): void | Promise<void> {
    const out = rt.pool.out;
    if (out.length === 0) return;
    if (this.opts.onLag) this.opts.onLag(this.now() / 1000 - out.lastTs);
    if (!this.opts.sink.writeBatch(out) && !this.noWait) return this.opts.sink.waitDrain();
  }

  /**
   * Shutdown after the output did not drain in time: stop waiting for the sink (a sink keeps every
   * point it is given: the pusher queue reports it in pending(), stdout buffers it), so that the
   * batches in flight are applied and flushAll() and atCut() complete instead of waiting forever.
   */
  stopWaiting(): void {
    this.noWait = true;
    if (this.sinkWait) {
      this.sinkWait = null;
      this.applyReady();
    }
  }

  /** Pushes every dirty key of every group (end of --once, shutdown), after every batch is applied. */
  async flushAll(): Promise<void> {
    await this.idle();
    const waits: Promise<void>[] = [];
    for (const rt of this.groups.values()) {
      rt.pool.flushAll();
      const w = this.drain(rt);
      if (w) waits.push(w);
    }
    await Promise.all(waits);
  }

  /** Wall-time quiet flush (spec section 5): a group whose files are read to their end and got no line for `interval` s. */
  flushQuiet(caughtUp: (group: string) => boolean): void | Promise<void> {
    if (this.queue.length || this.sinkWait) return;
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
    if (!rt) return;
    this.fileState(rt, path).newest = newest;
    this.workers?.fileTime(groupName, path, newest);
  }

  async close(): Promise<void> {
    await this.workers?.close();
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

/** Log lines can be 1 MB: warnings carry their start. */
function clip(line: string): string {
  return line.length > 512 ? line.slice(0, 512) + '…' : line;
}
