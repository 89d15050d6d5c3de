// TailManager: the tail stage (spec section 6). It wires the parts together and answers for them:
// - discovery.ts: glob scans, and what to do with each file found (decide.ts);
// - watch.ts + changes.ts: inotify on files and directories, the stat poll (every `fileCheckMs`, 1 s;
//   `pollFileCheckMs`, 250 ms, and no inotify, for poll_file groups), rescans;
// - pump.ts: the fair scheduler that reads every file, with backpressure from the sink;
// - file.ts: what a turn does with one file (rotation, truncation, partial lines);
// - openfiles.ts: the open files; backlog.ts: per group, the files read from a position, one at a
//   time, oldest first (order.ts).
// Timers and the clock come from the injected Scheduler.
import { systemScheduler, type Scheduler, type Timer } from '../core/scheduler.js';
import type { Logger } from '../core/log.js';
import { TailEvents } from './events.js';
import { Discovery } from './discovery.js';
import { FileMachine } from './file.js';
import { newGroup, type GroupState } from './group.js';
import type { Tunables } from './host.js';
import { Pump, SinkError } from './pump.js';
import { DEFAULT_CHUNK_BYTES, type ReaderOptions } from './reader.js';
import { Watcher } from './watch.js';
import { release } from './probe.js';
import { FdReserve } from './fdreserve.js';
import { DirCache } from './dircache.js';
import { OpenFiles } from './openfiles.js';
import { Backlog } from './backlog.js';
import { Changes } from './changes.js';
import { FINGERPRINT_BYTES, fingerprint } from './fingerprint.js';
import { globBase, globToRegExp } from './glob.js';
import type { FirstTime, TailFileStatus, TailGroup, TailManagerOptions, TailPosition, TailProgress } from './types.js';

export type { TailGroup, TailSink, TailManagerOptions, TailPosition, TailFileStatus, FirstTime, Restored, GroupRecord, TailProgress } from './types.js';

export class TailManager {
  /** Resolves at the end of a --once run (every file read to its end) and after stop(). */
  readonly done: Promise<void>;
  readonly tune: Tunables;
  readonly sched: Scheduler;
  readonly log: Logger;
  readonly events: TailEvents;
  readonly pump: Pump;
  readonly watcher: Watcher;
  readonly firstTime: FirstTime | null;
  readonly fdReserve: FdReserve;
  readonly dirs: DirCache;
  stopped = false;
  private resolveDone!: () => void;
  private rejectDone!: (e: unknown) => void;
  groups = new Map<string, GroupState>();
  private started = false;
  private timers: Timer[] = [];
  readonly discovery: Discovery;
  readonly open: OpenFiles;
  readonly backlog: Backlog;
  readonly changes: Changes;
  private readonly machine: FileMachine;

  constructor(groups: TailGroup[], readonly opts: TailManagerOptions) {
    this.done = new Promise<void>((res, rej) => { this.resolveDone = res; this.rejectDone = rej; });
    this.done.catch(() => { /* reported through the logger; callers may still observe it */ });
    this.sched = opts.scheduler ?? systemScheduler();
    this.log = opts.log;
    this.firstTime = opts.firstTime ?? null;
    const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.tune = {
      chunkBytes, turnBytes: Math.max(chunkBytes, opts.turnBytes ?? 256 * 1024), grace: opts.rotateGraceMs ?? 5000,
      fileCheckMs: opts.fileCheckMs ?? 1000, pollFileCheckMs: opts.pollFileCheckMs ?? 250,
      onceMaxOpen: Math.max(1, opts.onceMaxOpen ?? 256), rescanDelayMs: opts.rescanDelayMs ?? 100,
    };
    this.events = new TailEvents(opts.log, opts.registry, () => this.sched.now());
    this.fdReserve = new FdReserve(opts.once ? 0 : 16);
    // a directory's stat is shared by the walks of one rescan round (all groups rescan at the same moment)
    this.dirs = new DirCache(() => this.sched.now(), 50);
    this.pump = new Pump(this.sched, opts.sink, (s) => this.machine.turn(s), () => this.checkOnceDone());
    this.changes = new Changes(this);
    this.watcher = new Watcher((s) => this.changes.onFileEvent(s), (d, ev, name, gs) => this.changes.onDirEvent(d, ev, name, gs), opts.log);
    this.discovery = new Discovery(this);
    this.open = new OpenFiles(this);
    this.backlog = new Backlog(this);
    this.machine = new FileMachine(this);
    for (const g of groups) this.groups.set(g.name, this.makeGroup(g));
    this.changes.groupsChanged();
  }

  // ---------------------------------------------------------------- public API

  /** Expands the globs, opens the files and starts reading. Resolves once the first scan is done. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const run = () => this.pump.run().catch((e) => this.fail(e));
    // --once: every group's first file is queued before reading starts, so that groups interleave
    // the same way on every run
    if (!this.opts.once) run();
    for (const g of [...this.groups.values()]) {
      await this.discovery.scan(g, true);
      this.warnUnmatchedCheckpoint(g);
      if (this.stopped) return;
    }
    if (this.opts.once) { run(); this.checkOnceDone(); return; }
    for (const g of this.groups.values()) this.refBases(g, 1);
    const every = (ms: number, f: () => void) => this.timers.push(this.sched.every(ms, f));
    every(Math.max(50, this.opts.pollIntervalSec * 1000), () => { this.changes.rescanAll().catch((e: unknown) => this.log.error('rescan failed', { error: String(e) })); });
    every(this.tune.fileCheckMs, () => this.changes.poll(false));
    every(this.tune.pollFileCheckMs, () => this.changes.poll(true));
  }

  /** Stops reading and closes every file; positions() stays available. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    for (const g of this.groups.values()) {
      g.rescanTimer?.cancel();
      for (const s of g.slots.values()) s.reader.close();
      for (const c of g.backlog) release(c.probe);
    }
    this.watcher.close();
    this.fdReserve.release();
    this.pump.stop();
    this.resolveDone();
  }

  /**
   * Per file: identity and the offset just after the last batch handed to the sink; open files,
   * files waiting in a backlog (at the position they will be read from), and the finished files the
   * groups remember (done: true).
   */
  positions(): TailPosition[] {
    const out: TailPosition[] = [];
    for (const g of this.groups.values()) {
      const group = g.cfg.name;
      for (const s of g.slots.values()) {
        const identity = s.reader.identity();
        out.push({ group, path: s.path, identity, ...identity, offset: s.reader.consumed, done: false, compressed: s.compressed });
      }
      for (const c of g.backlog) {
        const identity = { dev: c.probe.dev, ino: c.probe.ino, fingerprint: fingerprint(c.probe.head.subarray(0, FINGERPRINT_BYTES)) };
        out.push({ group, path: c.path, identity, ...identity, offset: c.start, done: false, compressed: c.probe.format !== 'plain' });
      }
      for (const r of g.ledger.all()) {
        out.push({ group, ...r, identity: { dev: r.dev, ino: r.ino, fingerprint: r.fingerprint } });
      }
    }
    return out;
  }

  /** For the status endpoint. */
  files(): TailFileStatus[] {
    const out: TailFileStatus[] = [];
    for (const g of this.groups.values()) {
      for (const s of g.slots.values()) {
        const r = s.reader;
        out.push({ group: g.cfg.name, path: s.path, dev: r.dev, ino: r.ino, offset: r.consumed, size: r.size,
          lagBytes: Math.max(0, r.size - r.consumed), rotating: s.state === 'rotated' || s.state === 'leaving', compressed: s.compressed });
      }
    }
    return out;
  }

  /** True when every file of the group is read to its end (a held partial line does not count). */
  isCaughtUp(group: string): boolean {
    const g = this.groups.get(group);
    return !g || (g.scanned && g.behindCount === 0 && g.backlog.length === 0 && g.active === null && g.held.length === 0);
  }

  /** True while a sink promise is pending (reading is held back). */
  isBackpressured(): boolean {
    return this.pump.blocked;
  }

  /** --once: which file of how many is being read, and the on-disk bytes read so far. */
  progress(): TailProgress {
    const done = this.open.finished;
    let known = done.files;
    for (const g of this.groups.values()) known += g.slots.size + g.backlog.length;
    return { file: Math.min(known, done.files + 1), files: known, diskBytes: done.diskBytes + this.open.diskRead() };
  }

  /** Resolves once reading has caught up with what is known: nothing queued, no scan or open under way. */
  async settled(): Promise<void> {
    for (;;) {
      await this.pump.settled();
      await this.sched.yieldIO();
      let busy = this.pump.length > 0 || this.changes.rescanning;
      for (const g of this.groups.values()) if (g.scanning || g.activating) busy = true;
      if (!busy) return;
    }
  }

  /**
   * Config reload: groups not in `groups` are closed; new groups are scanned like at start-up (their
   * files start at their end unless fromStart or a checkpoint); a group whose globs, pollFile,
   * fromStart or maxFiles changed keeps the readers of the files its new globs still match, closes
   * the others and opens newly matched files like at start-up. Unchanged groups are untouched.
   */
  async setGroups(groups: TailGroup[]): Promise<void> {
    if (this.opts.once) throw new Error('setGroups is not supported in --once mode');
    const next = new Map(groups.map((g) => [g.name, g]));
    for (const [name, g] of this.groups) if (!next.has(name)) this.removeGroup(g);
    const toScan: GroupState[] = [];
    const rebuilt = new Map<string, GroupState>();
    for (const cfg of groups) {
      const g = this.groups.get(cfg.name);
      if (!g) {
        const ng = this.makeGroup(cfg);
        rebuilt.set(cfg.name, ng);
        toScan.push(ng);
        continue;
      }
      rebuilt.set(cfg.name, g);
      const same = g.cfg.pollFile === cfg.pollFile && g.cfg.fromStart === cfg.fromStart && g.cfg.maxFiles === cfg.maxFiles &&
        g.cfg.globs.length === cfg.globs.length && g.cfg.globs.every((x, i) => x === cfg.globs[i]);
      if (same) continue;
      this.refBases(g, -1);
      const pollChanged = g.cfg.pollFile !== cfg.pollFile;
      g.cfg = { ...cfg, globs: [...cfg.globs] };
      g.regexes = cfg.globs.map(globToRegExp);
      g.maxFiles = cfg.maxFiles ?? g.maxFiles;
      for (const s of [...g.slots.values()]) {
        if (!g.regexes.some((re) => re.test(s.path))) this.open.close(s, 'no longer matched');
        else if (pollChanged) { this.watcher.unwatchFile(s); if (!cfg.pollFile && !s.compressed) this.watcher.watchFile(s); }
      }
      g.backlog = g.backlog.filter((c) => g.regexes.some((re) => re.test(c.path)) || (release(c.probe), false));
      g.initialPending = true;
      toScan.push(g);
    }
    this.groups = rebuilt;
    this.changes.groupsChanged();
    for (const g of toScan) {
      this.refBases(g, 1);
      await this.discovery.scan(g, true);
    }
  }

  /** How readers are opened: chunk size, line bound, the path as the file system takes it. */
  readerOptions(fsPath: string | Buffer): ReaderOptions {
    return { chunkBytes: this.tune.chunkBytes, maxLineBytes: this.opts.maxLineBytes, fsPath };
  }

  /** A bug, not an input problem: said loudly, and the stage goes on with the other files. */
  unexpected(g: GroupState, what: string, e: unknown): void {
    g.scanning = false;
    g.activating = false;
    this.log.error(`unexpected error ${what}`, { group: g.cfg.name, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }

  // ---------------------------------------------------------------- helpers

  private makeGroup(cfg: TailGroup): GroupState {
    const mine = this.opts.restored?.records.filter((r) => r.group === cfg.name) ?? [];
    const g = newGroup(cfg, mine.length > 0 ? this.opts.restored!.writtenAt : null, (this.opts.fileClock ?? Date.now)());
    for (const { group: _, ...r } of mine) {
      g.ledger.add(r);
      g.restoredRecords.add(r);
    }
    return g;
  }

  private warnUnmatchedCheckpoint(g: GroupState): void {
    if (g.restoredSince === null) return;
    const left = g.ledger.all().filter((r) => g.restoredRecords.has(r) && !r.done);
    for (const r of left) {
      this.log.warn('checkpointed file not found: it was renamed or removed while the collector was down (its position is kept in case it comes back)',
        { group: g.cfg.name, path: r.path, offset: r.offset });
    }
  }

  private refBases(g: GroupState, delta: 1 | -1): void {
    if (this.opts.once || g.cfg.pollFile) return;
    for (const glob of g.cfg.globs) {
      const base = globBase(glob);
      if (delta > 0) this.watcher.ref(base, g); else this.watcher.unref(base, g);
    }
  }

  private removeGroup(g: GroupState): void {
    g.removed = true;
    g.rescanTimer?.cancel();
    this.refBases(g, -1);
    for (const s of [...g.slots.values()]) this.open.close(s, 'log group removed');
    for (const c of g.backlog.splice(0)) release(c.probe);
    for (const p of [...g.series.keys()]) this.open.forgetPath(g, p);
  }

  /** --once: resolves done once every group has read every file to its end. */
  checkOnceDone(): void {
    if (!this.opts.once || !this.started || this.stopped || this.pump.length > 0) return;
    for (const g of this.groups.values()) {
      if (!g.scanned || g.scanning || g.activating || g.active || g.backlog.length || g.slots.size) return;
    }
    this.resolveDone();
  }

  private fail(e: unknown): void {
    const inner = e instanceof SinkError ? e.inner : e;
    this.log.error('tailing stopped: ' + (e instanceof Error ? e.message : String(e)));
    this.rejectDone(inner);
    void this.stop();
  }
}
