// The processing stage: line batches in, points out. One GroupStage per log group (its Extractor,
// datapool and files, process/group.ts). With -j N > 1 every group's lines are extracted on N parse
// workers; with -j 1 only the groups whose regexes could run away (parse/runaway.ts) are, on one
// worker with a watchdog, the others here. Either way the batches are applied in the order they
// arrived (process/flow.ts), so the output does not depend on N.
// Backpressure: handleBatch() returns a promise while the sink is full (or too many batches are in
// flight), and the tailer reads nothing more until it resolves.
import type { Config, LogGroup } from '../config/types.js';
import type { LineBatch, PointSink } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { WallClock } from '../core/clock.js';
import { Events } from '../core/events.js';
import type { Registry } from '../selfstats/registry.js';
import { ParseWorkers, type ParseWorkersOptions, type WorkerPool } from './parallel/workers.js';
import type { BatchResult } from './parallel/protocol.js';
import { GroupStage } from './group.js';
import type { GroupPool } from '../datapool/pool.js';
import { InOrder } from './flow.js';

export interface EngineOptions {
  log: Logger;
  registry: Registry;
  sink: PointSink;
  /** The run's events (counted in `registry`); default: the engine's own. */
  events?: Events;
  /** Parse workers (-j); 1 = extraction on this thread (but for groups with runaway regexes). */
  threads?: number;
  wallClock?: WallClock;
  /** Seconds a line's date may lie past the wall clock; default settings.max_future_skew (Infinity: no limit). */
  maxFutureSkew?: number;
  /** Called with the wall time minus log time (s) of the newest point of each batch handed out. */
  onLag?: (lagSec: number) => void;
  /** -P's file: the parse workers profile themselves next to it. */
  profile?: string;
  /** Makes the parse workers (default: ParseWorkers, real threads); tests hand in their own. */
  workerPool?: (n: number, opts: ParseWorkersOptions) => WorkerPool;
}

/** A batch on its way: sent to a worker (`result` to come), or waiting here behind one. */
interface InFlight {
  ready: boolean;
  seq: number;
  stage: GroupStage;
  path: string;
  lines: string[];
  wallSec: number;
  result: BatchResult | null;
}

const MAX_IN_FLIGHT_PER_WORKER = 16;

export class Engine {
  readonly groups = new Map<string, GroupStage>();
  /** Groups with lines (or restored keys) not yet pushed by a quiet flush. */
  private readonly quietDue = new Set<GroupStage>();
  private readonly events: Events;
  private readonly now: () => number;
  private readonly threads: number;
  private readonly maxFutureSkew: number;
  private workers: WorkerPool | null = null;
  private readonly flow: InOrder<InFlight>;
  private seq = 0;
  /** Shutdown with an output that did not drain: points are handed to the sink without waiting. */
  private noWait = false;

  constructor(config: Config, private readonly opts: EngineOptions) {
    this.now = opts.wallClock ?? Date.now;
    this.events = opts.events ?? new Events(opts.registry, opts.log, this.now);
    this.threads = opts.threads ?? 1;
    this.maxFutureSkew = opts.maxFutureSkew ?? config.settings.max_future_skew;
    this.flow = new InOrder((e) => this.apply(e), () => MAX_IN_FLIGHT_PER_WORKER * (this.workers?.size ?? 1), (busy) => this.workers?.busy(busy));
    for (const g of config.groups) this.addGroup(g);
    this.startWorkers();
  }

  addGroup(group: LogGroup): void {
    const o = this.opts;
    const st = new GroupStage(group, {
      registry: o.registry, log: o.log, events: this.events, out: o.sink.newBatch(), now: this.now, maxFutureSkew: this.maxFutureSkew,
    });
    this.groups.set(group.name, st);
    this.quietDue.add(st);
  }

  removeGroup(name: string): void {
    const st = this.groups.get(name);
    if (st) this.quietDue.delete(st);
    this.groups.delete(name);
  }

  /** After addGroup/removeGroup: tells the parse workers about the new set of groups. */
  groupsChanged(): void {
    if (this.workers) this.workers.setGroups(this.groupList());
    else this.startWorkers();
  }

  /** Processes one batch of lines. Returns a promise when reading must wait (backpressure). */
  handleBatch(groupName: string, batch: LineBatch): void | Promise<void> {
    if (this.flow.failed) throw this.flow.failed;
    const st = this.groups.get(groupName);
    if (!st) return;
    if (batch.skippedLong) st.skippedLong.value += batch.skippedLong;
    if (batch.lines.length === 0) return this.flow.held();
    const wallNow = this.now();
    st.lastLineAt = wallNow;
    this.quietDue.add(st);
    const e: InFlight = { ready: true, seq: -1, stage: st, path: batch.path, lines: batch.lines, wallSec: wallNow / 1000, result: null };
    if (this.remote(st)) {
      e.ready = false;
      e.seq = this.seq++;
      this.workers!.batch(e.seq, groupName, batch.path, batch.lines, e.wallSec);
      return this.flow.admit(e);
    }
    // Behind a batch in flight: wait for it, in order.
    if (!this.flow.empty) return this.flow.admit(e);
    st.processLines(batch.path, batch.lines, e.wallSec);
    const w = this.drain(st);
    return this.flow.held() ?? w;
  }

  /** Resolves once every batch handed in has been applied and its points handed to the sink. */
  idle(): Promise<void> {
    return this.flow.idle();
  }

  /**
   * Runs `fn` at a consistent cut (spec section 8): reading is held, every batch handed in is
   * applied, then fn runs (it reads the tailer's positions and the pools), then reading resumes.
   */
  atCut<T>(fn: () => T): Promise<T> {
    return this.flow.atCut(fn);
  }

  /**
   * Shutdown after the output did not drain in time: stop waiting for the sink (a sink keeps every
   * point it is given: the pusher queue reports it in pending(), stdout buffers it), so that the
   * batches in flight are applied and flushAll() and atCut() complete instead of waiting forever.
   */
  stopWaiting(): void {
    this.noWait = true;
    this.flow.stopWaiting();
  }

  /** Pushes every dirty key of every group (end of --once, shutdown), after every batch is applied. */
  async flushAll(): Promise<void> {
    await this.idle();
    const waits: Promise<void>[] = [];
    for (const st of this.groups.values()) {
      st.pool.flushAll();
      const w = this.drain(st);
      if (w) waits.push(w);
    }
    await Promise.all(waits);
  }

  /** Wall-time quiet flush (spec section 5): a group whose files are read to their end and got no line for `interval` s. */
  flushQuiet(caughtUp: (group: string) => boolean): void | Promise<void> {
    if (!this.flow.empty) return;
    const now = this.now();
    const waits: Promise<void>[] = [];
    for (const st of this.quietDue) {
      if (now - st.lastLineAt < st.group.interval * 1000 || !caughtUp(st.group.name)) continue;
      st.pool.flushAll();
      // Nothing to flush again until a line comes (10,000 idle groups flushed every interval, or even
      // looked at every second, cost a good part of 1% of a core).
      this.quietDue.delete(st);
      const w = this.drain(st);
      if (w) waits.push(w);
    }
    if (waits.length) return Promise.all(waits).then(() => undefined);
  }

  /** The datapool stage of each group, for checkpoints and /status (their snapshot and counts). */
  datapools(): GroupPool[] {
    return [...this.groups.values()].map((st) => st.pool);
  }

  datapool(name: string): GroupPool | undefined {
    return this.groups.get(name)?.pool;
  }

  /** Newest log time seen per file (year inference), for a checkpoint. */
  fileTimes(groupName: string): Map<string, number> {
    const m = new Map<string, number>();
    const st = this.groups.get(groupName);
    if (st) for (const f of st.files.values()) if (!Number.isNaN(f.newest)) m.set(f.path, f.newest);
    return m;
  }

  /** Restores a file's newest log time from a checkpoint. */
  restoreFileTime(groupName: string, path: string, newest: number): void {
    const st = this.groups.get(groupName);
    if (!st) return;
    const remote = this.remote(st);
    st.fileState(path, !remote).newest = newest;
    if (remote) this.workers!.fileTime(groupName, path, newest);
  }

  async close(): Promise<void> {
    await this.workers?.close();
  }

  /** Workers for -j N > 1, or one for the groups whose regexes could run away. */
  private startWorkers(): void {
    const runaway = [...this.groups.values()].some((st) => st.extractor.runaway.length > 0);
    if (this.workers || (this.threads <= 1 && !runaway)) return;
    const make = this.opts.workerPool ?? ((n: number, o: ParseWorkersOptions) => new ParseWorkers(n, o));
    this.workers = make(Math.max(1, this.threads), {
      groups: this.groupList(), maxFutureSkew: this.maxFutureSkew, now: this.now, profile: this.opts.profile, spare: runaway,
      onResult: (r) => this.onResult(r),
      linesOf: (seq) => this.inFlight(seq)?.lines ?? [],
      onError: (e) => { this.events.report('worker_failed', '', { error: e.message }); this.flow.fail(e); },
    });
  }

  /** Whether the group's lines are extracted by the parse workers (-j N > 1, or runaway regexes). */
  private remote(st: GroupStage): boolean {
    return this.workers !== null && (this.threads > 1 || st.extractor.runaway.length > 0);
  }

  private groupList(): LogGroup[] {
    return [...this.groups.values()].map((st) => st.group);
  }

  // A batch in flight is referenced from the flow's queue alone, and found there by seq: a second
  // reference until its answer made V8 promote nearly every batch's lines out of the young
  // generation (measured with the workers' pending map, see Slot.pending in workers.ts).
  private inFlight(seq: number): InFlight | undefined {
    return this.flow.find((e) => e.seq === seq);
  }

  private onResult(r: BatchResult): void {
    const e = this.inFlight(r.seq);
    if (!e || e.ready) return;
    e.result = r;
    this.flow.ready(e);
  }

  /** Applies a batch in its turn: a worker's result, or a batch waiting here. */
  private apply(e: InFlight): void | Promise<void> {
    const st = e.stage;
    if (this.groups.get(st.group.name) !== st) return; // removed by a reload meanwhile
    if (e.result) st.applyResult(e.path, e.lines, e.result);
    else st.processLines(e.path, e.lines, e.wallSec);
    return this.drain(st);
  }

  /** Hands the group's pending points to the sink. */
  private drain(st: GroupStage): void | Promise<void> {
    const out = st.pool.out;
    if (out.length === 0) return;
    if (this.opts.onLag) this.opts.onLag(this.now() / 1000 - out.lastTs);
    if (!this.opts.sink.writeBatch(out) && !this.noWait) return this.opts.sink.waitDrain();
  }
}
