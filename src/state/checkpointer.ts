// Restores and writes the state file for a run (daemon, or --once/--dry-run with --state-file):
// datapool state, per-file positions and unsent points (spec section 8).
//
// A cut is taken while reading is held and every batch handed in is applied (engine.atCut): the
// file positions, the unsent points, each pool's clock and the list of series sets to write are
// taken then. The sets are written after reading resumed, a slice of a few milliseconds per turn of
// the event loop, and copy on write (datapool/snapshot.ts) keeps what is written as it was at the
// cut. Only the sets changed since the last cut are written, plus a sweep of the others so that a
// round covers every set at least every SWEEP_CUTS cuts (sooner when much changes); once a round is
// complete, the file's records from before it no longer matter and can be compacted away (writer.ts).
import { performance } from 'node:perf_hooks';
import type { Config, LogGroup } from '../config/types.js';
import type { Logger } from '../core/log.js';
import type { PointSink } from '../core/types.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { Events, type EventSource } from '../core/events.js';
import type { GroupPool } from '../datapool/pool.js';
import type { SeriesSet } from '../datapool/sets.js';
import { writePoolHeader, writeSet } from '../datapool/snapshot.js';
import type { GroupRecord, Restored as TailRestored, TailPosition } from '../tail/types.js';
import { ByteWriter } from '../core/bytes.js';
import { Flag, FRAME_BUFFER_BYTES, FRAME_HEAD_BYTES, FRAME_TARGET_BYTES, FramePool, GroupFlag, HEADER_BYTES, Rec } from './format.js';
import { errorKind, realFs, type StateFs } from './fsio.js';
import { StateWriter, type Newest, type Seed } from './writer.js';
import { restoreState } from './load.js';

/** What the checkpointer needs of the processing stage. */
export interface CheckpointSource {
  datapools(): GroupPool[];
  datapool(name: string): GroupPool | undefined;
  /** A fresh pool for a group (after a state that could not be restored). */
  addGroup(g: LogGroup): void;
  atCut<T>(fn: () => T): Promise<T>;
  fileTimes(group: string): Map<string, number>;
  restoreFileTime(group: string, path: string, newest: number): void;
}

export interface CheckpointerOptions {
  file: string;
  source: CheckpointSource;
  sink: PointSink;
  log: Logger;
  registry: Registry;
  fs?: StateFs;
  /** Wall clock (ms): the cut's time, restore progress. */
  wallClock?: () => number;
  /** Main-thread time (ms), for the figures of each cut. */
  cpuClock?: () => number;
  /** CPU time the process has used (ms): a cut's figure that a busy host does not inflate. */
  cpuUsage?: () => number;
  /** Lets the event loop run between two slices of a cut. */
  yieldTo?: () => Promise<void>;
  sliceMs?: number;
  /** The run's events (counted in `registry`); default: the checkpointer's own, logging to `log`. */
  events?: Events;
}

/** Where the inputs are at a cut: the tailed files' positions, and the journal sources' cursors. */
export interface CutInputs {
  positions(): TailPosition[];
  cursors?(): JournalPosition[];
}

/** A journal source's position (input/journal/source.ts): the cursor after its last batch handed on. */
export interface JournalPosition {
  group: string;
  /** The source's name: `journal` or `journal:<directory>`. */
  source: string;
  cursor: string;
}

/**
 * A state file record of a journal source: its cursor, and the newest log time seen (year inference
 * of dates in the message). Kept in the files' record, told apart by `cursor`.
 */
interface CursorCheckpoint {
  group: string;
  path: string;
  cursor: string;
  newest: number | null;
}

/** A state file record of a tailed file (the tail stage's position, and the newest log time seen). */
export interface FileCheckpoint {
  group: string;
  path: string;
  dev: number;
  ino: number;
  fingerprint: string;
  /** A line boundary: every line before it is in the pool state (content bytes: decompressed for a compressed file). */
  offset: number;
  /** Newest log time seen in the file (year inference). */
  newest: number | null;
  /** Read to its end and closed: remembered so that its rotated or compressed copies are not read again. */
  done?: boolean;
  /** The record is of a compressed file (offset in decompressed bytes). */
  compressed?: boolean;
}

/** Cuts per sweep round at most: every set is rewritten at least every 5 min (at a cut per 5 s). */
const SWEEP_CUTS = 60;
/** Compaction waits for at least this much of the file to be obsolete (and as much as is live). */
const MIN_GARBAGE = 64 * 1024;
/** Frames handed to the writer and not written yet, beyond which a cut waits for the disk. */
const MAX_QUEUED = 8 << 20;
/** After failed writes, cuts skipped before the next try: 5, 10, 20, 30 s at a cut per 5 s. */
const BACKOFF = [0, 1, 3, 5];

interface PoolCut { pool: GroupPool; list: SeriesSet[]; pos: number }

export class Checkpointer {
  /** Saved file records (found by identity, wherever rotation moved them), for the tailer's `restored` option. */
  readonly records: GroupRecord[] = [];
  /** Saved journal cursors by group and source name (cursorOf). */
  private readonly cursorMap = new Map<string, string>();
  private cutAt = 0;
  private tails: CutInputs | null = null;
  private readonly fs: StateFs;
  private readonly wall: () => number;
  private readonly cpu: () => number;
  private readonly usage: () => number;
  private readonly yieldTo: () => Promise<void>;
  private readonly sliceMs: number;
  private newest: Newest = 'none';
  private seed: Seed | null = null;
  private writer: StateWriter | null = null;
  private seq = 0;
  /** Pools by group name as of the last cut (a new instance is written whole). */
  private readonly known = new Map<string, GroupPool>();
  /** Groups of the restored file that the config no longer has: written as removed by the next cut. */
  private gone: string[] = [];
  // The cut being written.
  private readonly framePool = new FramePool();
  private out = this.newOut();
  private gix = new Map<GroupPool, number>();
  private firstFrame = true;
  private inSlice = false;
  private cutMs = 0;
  private cutCpuMs = 0;
  private pauseMs = 0;
  // Sweep rounds and compaction.
  private roundStart: number | null = null;
  private live: { from: number; completeAt: number } | null = null;
  // Failures.
  private readonly logged = new Set<string>();
  private failures = 0;
  private skip = 0;
  // Serialised saves.
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private readonly m: { cuts: Series; cutSec: Series; cutMaxSec: Series; cutCpuSec: Series; pauseSec: Series; bytes: Series };
  private readonly errors = new Map<string, EventSource>();
  private readonly events: Events;

  constructor(private readonly o: CheckpointerOptions) {
    this.fs = o.fs ?? realFs;
    this.wall = o.wallClock ?? Date.now;
    this.cpu = o.cpuClock ?? (() => performance.now());
    this.yieldTo = o.yieldTo ?? (() => new Promise<void>((r) => setImmediate(r)));
    this.usage = o.cpuUsage ?? (() => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; });
    this.sliceMs = o.sliceMs ?? 4;
    this.events = o.events ?? new Events(o.registry, o.log, this.wall);
    const r = o.registry;
    this.m = { cuts: r.counter('state.cuts_written'), cutSec: r.gauge('state.cut_seconds'), cutMaxSec: r.gauge('state.cut_seconds_max'),
      cutCpuSec: r.gauge('state.cut_cpu_seconds'), pauseSec: r.gauge('state.cut_pause_seconds'), bytes: r.gauge('state.bytes') };
  }

  get enabled(): boolean {
    return this.o.file !== '';
  }

  /** Reads the state file (or its previous generation) into the pools and the sink. Call before tailing starts. */
  restore(config: Config): void {
    if (!this.enabled) return;
    const r = restoreState(this.o.file, this.o.source, this.o.log, this.wall, () => {
      for (const g of config.groups) this.o.source.addGroup(g); // fresh pools: forget a half-applied state
    });
    this.newest = r.newest;
    this.seed = r.seed;
    if (!r.state) return;
    this.seq = (r.seed?.lastSeq ?? 0) + 1;
    // Changes are tracked from here on: the run's first file is a copy of the restored one, and its
    // first cut writes only what changed since (a group whose records could not all be matched is
    // written whole; one the config no longer has is written as removed).
    for (const pool of this.o.source.datapools()) {
      pool.checkpoint.enable();
      if (!r.state.retagged.includes(pool.group.name)) this.known.set(pool.group.name, pool);
    }
    this.gone.push(...r.state.unknown);
    for (const f of r.state.files as Array<FileCheckpoint | CursorCheckpoint>) {
      if (!f || typeof f !== 'object' || !this.o.source.datapool(f.group)) continue;
      if ('cursor' in f) {
        if (typeof f.cursor === 'string') this.cursorMap.set(f.group + '\0' + f.path, f.cursor);
        if (typeof f.newest === 'number') this.o.source.restoreFileTime(f.group, f.path, f.newest);
        continue;
      }
      this.records.push({ group: f.group, path: f.path, dev: f.dev, ino: f.ino, fingerprint: f.fingerprint, offset: f.offset,
        done: f.done === true, compressed: f.compressed === true });
      if (typeof f.newest === 'number' && f.done !== true) this.o.source.restoreFileTime(f.group, f.path, f.newest);
    }
    this.cutAt = Number.isFinite(r.state.cutAt) ? r.state.cutAt : 0;
    if (r.state.pending.length) this.o.sink.write(r.state.pending);
  }

  /** What the tailer needs of the restored state (undefined when no file was restored). */
  restored(): TailRestored | undefined {
    return this.records.length ? { records: this.records, writtenAt: this.cutAt } : undefined;
  }

  attach(inputs: CutInputs): void {
    this.tails = inputs;
  }

  /** The saved cursor of a group's journal source (`journal` or `journal:<directory>`). */
  cursorOf(group: string, source: string): string | undefined {
    return this.cursorMap.get(group + '\0' + source);
  }

  /**
   * Writes a consistent cut. A save asked for while one is being written runs after it (at most
   * one waits). After failed writes some saves are skipped (backoff), unless `force` (shutdown).
   */
  save(force = false): Promise<void> {
    if (!this.enabled || !this.tails) return Promise.resolve();
    if (!this.running) return this.start(force);
    if (!this.queued) this.queued = this.running.then(() => { this.queued = null; return this.start(force); });
    return this.queued;
  }

  private start(force: boolean): Promise<void> {
    if (!force && this.skip > 0) { this.skip--; return Promise.resolve(); }
    const p = this.cut().finally(() => { if (this.running === p) this.running = null; });
    this.running = p;
    return p;
  }

  async close(): Promise<void> {
    await this.running;
    await this.writer?.close();
  }

  private async cut(): Promise<void> {
    const w = this.writer ??= new StateWriter(this.o.file, this.fs, this.newest, this.framePool, this.seed);
    const seq = this.seq++;
    let segStart = 0;
    let pools: PoolCut[] = [];
    await this.o.source.atCut(() => {
      const t0 = this.cpu();
      const u0 = this.usage();
      segStart = w.nextStart;
      const full = w.needFull;
      w.begin(seq);
      this.firstFrame = true;
      this.cutMs = 0;
      this.cutCpuMs = 0;
      this.pauseMs = 0;
      this.out.u8(Rec.Cut);
      this.out.f64(this.wall());
      pools = this.takeGroups(full);
      this.writeFiles();
      this.writePending();
      this.account(this.cpu() - t0, this.usage() - u0);
    });
    for (const c of pools) await this.writeSets(c, w);
    for (const c of pools) c.pool.checkpoint.end();
    this.frame(true);
    try {
      await w.finish();
    } catch (e) {
      for (const c of pools) c.pool.checkpoint.requeue(c.list);
      this.failed(e);
      return;
    }
    this.written(seq, segStart, w.size, pools);
    await this.maybeCompact(w);
  }

  /** The cut's groups: header records, and each pool's list of sets to write. */
  private takeGroups(full: boolean): PoolCut[] {
    const pools = this.o.source.datapools();
    const cuts: PoolCut[] = [];
    this.gix = new Map();
    pools.forEach((pool, gix) => {
      const name = pool.group.name;
      const fresh = full || this.known.get(name) !== pool;
      this.known.set(name, pool);
      this.gix.set(pool, gix);
      pool.checkpoint.gix = gix;
      pool.checkpoint.enable();
      this.out.u8(Rec.Group);
      this.out.u32(gix);
      this.out.str(name);
      this.out.u8(fresh ? GroupFlag.Fresh : GroupFlag.None);
      writePoolHeader(this.out, pool);
      const list = pool.checkpoint.begin(this.setSink, fresh, SWEEP_CUTS);
      cuts.push({ pool, list, pos: 0 });
    });
    const removed = this.gone;
    this.gone = [];
    for (const [name, pool] of this.known) {
      if (this.gix.has(pool)) continue;
      this.known.delete(name);
      removed.push(name);
    }
    removed.forEach((name, i) => {
      this.out.u8(Rec.Group);
      this.out.u32(pools.length + i);
      this.out.str(name);
      this.out.u8(GroupFlag.Removed);
    });
    return cuts;
  }

  /** Where the pools' sets are written, in slices (writeSets) or at once before they change (copy on write). */
  private readonly setSink = {
    write: (pool: GroupPool, set: SeriesSet): void => {
      const t0 = this.inSlice ? 0 : this.cpu();
      const gix = pool.checkpoint.gix;
      const out = this.out;
      if (set.dead) {
        out.u8(Rec.Gone);
        out.u32(gix);
        out.u32(set.id);
      } else {
        out.u8(Rec.Set);
        out.u32(gix);
        writeSet(out, set);
      }
      if (out.written >= FRAME_TARGET_BYTES) this.frame(false);
      if (!this.inSlice) { const ms = this.cpu() - t0; this.account(ms, ms); } // too short and too many for getrusage()
    },
  };

  private async writeSets(c: PoolCut, w: StateWriter): Promise<void> {
    while (c.pos < c.list.length) {
      if (w.queued > MAX_QUEUED) await w.settled();
      const t0 = this.cpu();
      const u0 = this.usage();
      let n = 0;
      this.inSlice = true;
      c.pos = c.pool.checkpoint.writeSome(c.list, c.pos, () => (++n & 63) !== 0 || this.cpu() - t0 < this.sliceMs);
      this.inSlice = false;
      this.account(this.cpu() - t0, this.usage() - u0);
      if (c.pos < c.list.length) await this.yieldTo();
    }
  }

  private newOut(): ByteWriter {
    return new ByteWriter(FRAME_BUFFER_BYTES, FRAME_HEAD_BYTES, this.framePool.get);
  }

  /** Main-thread time `ms` spent on the cut (wall: what the pipeline waited), and the CPU the process used meanwhile. */
  private account(ms: number, cpuMs: number): void {
    this.cutMs += ms;
    this.cutCpuMs += cpuMs;
    if (ms > this.pauseMs) this.pauseMs = ms;
  }

  private frame(end: boolean): void {
    const flags = (this.firstFrame ? Flag.Begin : 0) | (end ? Flag.End : 0);
    this.firstFrame = false;
    this.writer!.frame(this.out.take(), flags);
  }

  private writeFiles(): void {
    const files: Array<FileCheckpoint | CursorCheckpoint> = [];
    const times = new Map<string, Map<string, number>>();
    for (const p of this.tails!.positions()) {
      let t = times.get(p.group);
      if (!t) { t = this.o.source.fileTimes(p.group); times.set(p.group, t); }
      files.push({ group: p.group, path: p.path, dev: p.dev, ino: p.ino, fingerprint: p.fingerprint,
        offset: p.offset, newest: p.done ? null : t.get(p.path) ?? null, done: p.done, compressed: p.compressed });
    }
    for (const c of this.tails!.cursors?.() ?? []) {
      files.push({ group: c.group, path: c.source, cursor: c.cursor, newest: this.o.source.fileTimes(c.group).get(c.source) ?? null });
    }
    this.out.u8(Rec.Files);
    this.out.str(JSON.stringify(files));
  }

  private writePending(): void {
    const points = this.o.sink.pending();
    this.out.u8(Rec.Pending);
    this.out.u32(points.length);
    for (const p of points) {
      this.out.str(p.metric);
      this.out.f64(p.ts);
      this.out.str(p.value);
      this.out.str(p.tags);
    }
  }

  private written(seq: number, segStart: number, size: number, pools: PoolCut[]): void {
    this.m.cuts.value++;
    this.m.cutSec.value = this.cutMs / 1000;
    this.m.cutMaxSec.value = Math.max(this.m.cutMaxSec.value, this.cutMs / 1000);
    this.m.cutCpuSec.value = this.cutCpuMs / 1000;
    this.m.pauseSec.value = this.pauseMs / 1000;
    this.m.bytes.value = size;
    if (this.failures > 0) {
      this.o.log.info('State file written again', { state_file: this.o.file, failed_attempts: this.failures });
      this.failures = 0;
      this.logged.clear();
    }
    this.roundStart ??= segStart;
    if (pools.every((c) => c.pool.checkpoint.swept)) {
      // Every set has a record from roundStart on: what comes before it is obsolete.
      this.live = { from: this.roundStart, completeAt: seq };
      this.roundStart = null;
      for (const c of pools) c.pool.checkpoint.newRound();
    }
  }

  private async maybeCompact(w: StateWriter): Promise<void> {
    const live = this.live;
    if (!live || live.from <= HEADER_BYTES) return;
    const garbage = live.from - HEADER_BYTES;
    if (garbage < Math.max(MIN_GARBAGE, w.size - live.from)) return;
    try {
      const shift = await w.compact(live.from, live.completeAt);
      live.from -= shift;
      if (this.roundStart !== null) this.roundStart -= shift;
      this.m.bytes.value = w.size;
    } catch (e) {
      this.live = null; // tried again once the next round is complete
      this.report(e, 'compact');
    }
  }

  private failed(e: unknown): void {
    this.failures++;
    this.skip = BACKOFF[Math.min(this.failures, BACKOFF.length) - 1]!;
    this.report(e, 'write');
  }

  /** One event, logged once per kind (until writes succeed again) and always counted. */
  private report(e: unknown, stage: 'write' | 'compact'): void {
    const kind = errorKind(e);
    const id = stage + '\0' + kind;
    let c = this.errors.get(id);
    if (!c) { c = this.events.source(stage === 'write' ? 'state_write_failed' : 'state_compact_failed', { error: kind }); this.errors.set(id, c); }
    if (this.logged.has(kind)) { c.count(1); return; }
    this.logged.add(kind);
    c.report(this.o.file, { error: kind, message: (e as Error)?.message ?? String(e) });
  }
}
