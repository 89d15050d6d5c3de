// TailManager: the tail stage (spec section 6). It wires the parts together and answers for them:
// - discovery.ts: glob scans, and what to do with each file found (decide.ts);
// - watch.ts: inotify on files and directories, plus the stat poll here (every `fileCheckMs`, 1 s;
//   `pollFileCheckMs`, 250 ms, and no inotify, for poll_file groups);
// - pump.ts: the fair scheduler that reads every file, with backpressure from the sink;
// - file.ts: what a turn does with one file (rotation, truncation, partial lines).
// Per group, files read from a position (--once, parse_from_start, files that appear later, the rest
// of a checkpointed file) wait in a backlog and are read one at a time, oldest first (order.ts).
// Timers and the clock come from the injected Scheduler.
import * as path from 'node:path';
import { systemScheduler, type Scheduler, type Timer } from '../core/scheduler.js';
import type { Series } from '../selfstats/registry.js';
import { TailEvents } from './events.js';
import { Discovery } from './discovery.js';
import { decide, liveIndex } from './decide.js';
import { FileMachine } from './file.js';
import { inodeKey, newGroup, type GroupState } from './group.js';
import type { Tunables } from './host.js';
import { openAt } from './open.js';
import { Pump, SinkError } from './pump.js';
import { DEFAULT_CHUNK_BYTES, type ContentReader, type ReaderOptions } from './reader.js';
import { CompressedReader } from './compressed.js';
import { Slot } from './slot.js';
import { Watcher } from './watch.js';
import { release } from './probe.js';
import { FdReserve } from './fdreserve.js';
import { DirCache } from './dircache.js';
import { FINGERPRINT_BYTES, fingerprint } from './fingerprint.js';
import { globBase, globToRegExp } from './glob.js';
import type { FirstTime, TailFileStatus, TailGroup, TailManagerOptions, TailPosition, TailProgress } from './types.js';
import type { Logger } from '../core/log.js';
import type { FileReader } from './reader.js';

/**
 * Watched files looked at by one tick of the stat poll: an fstat costs ~15 µs (Node builds a Stats
 * object), so 100 a second keep 10,000 idle files at ~0.2% of a core (a sweep of 100 files takes a
 * tick, of 10,000 a hundred; inotify reports changes at once, the sweep is the safety net).
 */
const SWEEP_PER_TICK = 100;

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
  private groups = new Map<string, GroupState>();
  private started = false;
  private timers: Timer[] = [];
  private readonly discovery: Discovery;
  private readonly machine: FileMachine;
  private readonly byPath = new Map<string, Set<Slot>>();
  private readonly onceWaiting = new Set<GroupState>();
  private onceOpen = 0;
  private readonly progressState = { done: 0, diskDone: 0 };
  private sweep: Slot[] = [];
  private pollFileGroups = 0;
  private rescanning = false;
  private sweepAt = 0;

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
    this.watcher = new Watcher((s) => this.onFileEvent(s), (d, ev, name, gs) => this.onDirEvent(d, ev, name, gs), opts.log);
    this.discovery = new Discovery(this);
    this.machine = new FileMachine(this);
    for (const g of groups) this.groups.set(g.name, this.makeGroup(g));
    this.countPollFile();
  }

  private countPollFile(): void {
    this.pollFileGroups = 0;
    for (const g of this.groups.values()) if (g.cfg.pollFile) this.pollFileGroups++;
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
    every(Math.max(50, this.opts.pollIntervalSec * 1000), () => { this.rescanAll().catch((e) => this.log.error('rescan failed', { error: String(e) })); });
    every(this.tune.fileCheckMs, () => this.poll(false));
    every(this.tune.pollFileCheckMs, () => this.poll(true));
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
    let disk = this.progressState.diskDone;
    let known = this.progressState.done;
    for (const g of this.groups.values()) {
      known += g.slots.size + g.backlog.length;
      for (const s of g.slots.values()) disk += diskPos(s.reader);
    }
    return { file: Math.min(known, this.progressState.done + 1), files: known, diskBytes: disk };
  }

  /** Resolves once reading has caught up with what is known: nothing queued, no scan or open under way. */
  async settled(): Promise<void> {
    for (;;) {
      await this.pump.settled();
      await this.sched.yieldIO();
      let busy = this.pump.length > 0 || this.rescanning;
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
        if (!g.regexes.some((re) => re.test(s.path))) this.closeSlot(s, 'no longer matched');
        else if (pollChanged) { this.watcher.unwatchFile(s); if (!cfg.pollFile && !s.compressed) this.watcher.watchFile(s); }
      }
      g.backlog = g.backlog.filter((c) => g.regexes.some((re) => re.test(c.path)) || (release(c.probe), false));
      g.initialPending = true;
      toScan.push(g);
    }
    this.groups = rebuilt;
    this.countPollFile();
    for (const g of toScan) {
      this.refBases(g, 1);
      await this.discovery.scan(g, true);
    }
  }

  // ---------------------------------------------------------------- TailHost: open files

  /** How readers are opened: chunk size, line bound, the path as the file system takes it. */
  readerOptions(fsPath: string | Buffer): ReaderOptions {
    return { chunkBytes: this.tune.chunkBytes, maxLineBytes: this.opts.maxLineBytes, fsPath };
  }

  /** Registers an open file: watchers, caught-up tracking; queues it for a first turn. */
  addSlot(g: GroupState, p: string, fsPath: string | Buffer, reader: ContentReader): Slot {
    const s = new Slot(g, p, fsPath, reader);
    g.slots.set(p, s);
    g.byInode.set(inodeKey(reader.dev, reader.ino), s);
    g.warned.delete(p);
    this.indexPath(s, true);
    if (this.watches(s)) {
      this.watcher.watchFile(s);
      this.watcher.ref(path.dirname(p), g);
    }
    this.updateBehind(s);
    this.pump.enqueue(s);
    return s;
  }

  /** The open file is now known under another name: drained before the backlog moves on. */
  moveSlot(s: Slot, p: string, fsPath: string | Buffer): void {
    const g = s.group;
    this.log.info('file renamed, following it under its new name', { group: g.cfg.name, path: s.path, new_path: p });
    this.indexPath(s, false);
    if (this.watches(s)) this.watcher.unref(path.dirname(s.path), g);
    g.slots.delete(s.path);
    g.retry = true; // the old path is free
    s.path = p;
    s.fsPath = fsPath;
    s.reader.path = p;
    s.series = null;
    g.slots.set(p, s);
    this.indexPath(s, true);
    if (this.watches(s)) this.watcher.ref(path.dirname(p), g);
    if (s.state !== 'leaving' && s.state !== 'held') s.state = 'reading';
    g.draining.add(s);
    this.updateBehind(s);
    this.pump.enqueue(s);
  }

  /** Closes a file without emitting anything more. */
  dropSlot(s: Slot): void {
    const g = s.group;
    if (s.state === 'closed') return;
    const wasWatched = this.watches(s);
    s.state = 'closed';
    g.retry = true; // its path is free: what is there now was hidden from the last scan
    this.watcher.unwatchFile(s);
    if (wasWatched) this.watcher.unref(path.dirname(s.path), g);
    s.reader.close();
    if (this.opts.once) { this.progressState.diskDone += diskSize(s.reader); this.progressState.done++; }
    if (s.counted) { s.counted = false; g.behindCount--; }
    if (g.slots.get(s.path) === s) g.slots.delete(s.path);
    const key = inodeKey(s.reader.dev, s.reader.ino);
    if (g.byInode.get(key) === s) g.byInode.delete(key);
    this.indexPath(s, false);
    g.draining.delete(s);
    const h = g.held.indexOf(s);
    if (h >= 0) g.held.splice(h, 1);
    this.firstPassDone(s);
    this.updateGroupIdle(g);
    this.checkOnceDone();
  }

  /** Remembers what was read of the file in its group's ledger. */
  retire(s: Slot): void {
    const id = s.reader.identity();
    s.group.ledger.add({ path: s.path, ...id, offset: s.reader.consumed, done: true, compressed: s.compressed });
  }

  /** Keeps the group's count of files with something left to read in step with s. */
  updateBehind(s: Slot): void {
    const behind = s.behind();
    if (behind === s.counted) return;
    s.counted = behind;
    s.group.behindCount += behind ? 1 : -1;
    if (!behind) this.updateGroupIdle(s.group);
  }

  /** A rescan of g soon (a directory event, a truncation, a pending file), at most one waiting. */
  scheduleRescan(g: GroupState, delayMs = this.tune.rescanDelayMs): void {
    if (g.rescanTimer || this.stopped || g.removed) return;
    g.rescanTimer = this.sched.after(delayMs, () => { g.rescanTimer = null; this.rescanNow(g); });
  }

  // ---------------------------------------------------------------- TailHost: the backlog

  /** The backlog file of g reached its end, or a file g waited for was drained: opens the next. */
  advance(g: GroupState): void {
    if (g.removed || this.stopped || !g.scanned || g.scanning && g.scanFirst) return;
    if (g.active || g.activating || g.scanFirst || g.draining.size > 0) return;
    if (g.backlog.length === 0) {
      for (const s of g.held.splice(0)) {
        s.state = 'reading';
        this.pump.enqueue(s);
        this.updateBehind(s);
      }
      this.checkOnceDone();
      return;
    }
    if (!this.mayOpen(g)) return;
    this.activate(g).catch((e) => this.unexpected(g, 'opening the next file of the backlog', e));
  }

  /**
   * The periodic rescan: each directory the groups' last walks listed is looked at once, then only
   * the groups with something new (or something to look at again) walk their globs.
   */
  private async rescanAll(): Promise<void> {
    if (this.rescanning) return;
    this.rescanning = true;
    try {
      const dirs = new Map<string, string | Buffer>();
      for (const g of this.groups.values()) if (g.deps) for (const [d, v] of g.deps) dirs.set(d, v.fs);
      for (const [text, fs] of dirs) await this.dirs.list({ text, fs });
      for (const g of this.groups.values()) {
        if (g.deps && !g.retry && !g.scanFirst && !g.scanning && this.dirs.sameAsLastSeen(g.deps)) continue;
        this.rescanNow(g);
      }
    } finally {
      this.rescanning = false;
    }
  }

  private rescanNow(g: GroupState): void {
    this.discovery.scan(g, false).catch((e) => this.unexpected(g, 'scanning the globs', e));
  }

  /** A bug, not an input problem: said loudly, and the stage goes on with the other files. */
  private unexpected(g: GroupState, what: string, e: unknown): void {
    g.scanning = false;
    g.activating = false;
    this.log.error(`unexpected error ${what}`, { group: g.cfg.name, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }

  /** s reached its end for the first time: if it is its group's backlog file, the next may start. */
  firstPassDone(s: Slot): void {
    const g = s.group;
    if (g.active !== s) return;
    g.active = null;
    if (this.opts.once) {
      this.onceOpen--;
      for (const w of [...this.onceWaiting]) {
        if (this.onceOpen >= this.tune.onceMaxOpen) break;
        this.onceWaiting.delete(w);
        if (w !== g) this.advance(w);
      }
    }
    this.advance(g);
  }

  /** --once: whether g may open its next file now (a bound on files open at once). */
  mayOpen(g: GroupState): boolean {
    if (!this.opts.once) return true;
    if (this.onceOpen < this.tune.onceMaxOpen) return true;
    this.onceWaiting.add(g);
    return false;
  }

  /** Opens the next backlog file of g, deciding again (the ledger may have learnt of a copy since). */
  private async activate(g: GroupState): Promise<void> {
    g.activating = true;
    try {
      while (g.backlog.length > 0 && !g.removed && !this.stopped) {
        const c = g.backlog.shift()!;
        const d = decide(g, c.probe, 'activate', liveIndex(g), this);
        if (d.kind !== 'read') { this.discovery.apply(g, c.probe, d, false); continue; }
        if (d.reuse) g.ledger.remove(d.reuse);
        const r = openAt(this, g, c.probe, d.start, d.why);
        if (!r) continue;
        const s = this.addSlot(g, c.path, c.fsPath, r);
        s.firstPassEnd = r.format === 'plain' ? r.size : Infinity;
        g.active = s;
        if (this.opts.once) this.onceOpen++;
        return;
      }
    } finally {
      g.activating = false;
    }
    this.advance(g);
  }

  // ---------------------------------------------------------------- change detection

  private onFileEvent(s: Slot): void {
    if (s.state === 'closed' || this.stopped) return;
    if (s.state === 'idle' || s.state === 'rotated') s.state = 'reading';
    if (s.state === 'held') return;
    this.updateBehind(s);
    this.pump.enqueue(s);
  }

  private onDirEvent(dir: string, ev: string, name: string | null, groups: Iterable<GroupState>): void {
    if (this.stopped) return;
    if (ev === 'rename' || name === null) this.dirs.invalidate(dir);
    if (name === null) {
      for (const g of groups) {
        if (g.cfg.pollFile) continue;
        for (const s of g.slots.values()) if (path.dirname(s.path) === dir) this.onFileEvent(s);
        this.scheduleRescan(g);
      }
      return;
    }
    const full = path.join(dir, name);
    const open = this.byPath.get(full);
    if (open) for (const s of open) if (!s.group.cfg.pollFile) this.onFileEvent(s);
    for (const g of groups) {
      if (g.cfg.pollFile || g.slots.has(full)) continue;
      if ((ev === 'rename' || g.pending.has(full)) && g.regexes.some((re) => re.test(full))) this.scheduleRescan(g);
    }
  }

  /**
   * The stat poll. poll_file groups: every file gets a turn each tick. Watched files (inotify
   * reports their changes; the poll is the safety net): an fstat each, a turn only when something
   * changed, at most SWEEP_PER_TICK files a tick, so that 10,000 idle files cost 100 fstat calls
   * a second, not 10,000 turns. Without inotify (its limits reached) every file gets a
   * turn each tick.
   */
  private poll(pollFile: boolean): void {
    if (pollFile && !this.watcher.isBroken && this.pollFileGroups === 0) return;
    if (pollFile || this.watcher.isBroken) {
      for (const g of this.groups.values()) {
        if (g.cfg.pollFile !== pollFile && !this.watcher.isBroken) continue;
        for (const s of g.slots.values()) if (!s.compressed && s.state !== 'held') this.pump.enqueue(s);
        if (g.pending.size > 0 || g.retry) this.scheduleRescan(g);
      }
      return;
    }
    if (this.sweepAt >= this.sweep.length) {
      this.sweep = [];
      for (const g of this.groups.values()) if (!g.cfg.pollFile) for (const s of g.slots.values()) this.sweep.push(s);
      this.sweepAt = 0;
    }
    const end = Math.min(this.sweep.length, this.sweepAt + SWEEP_PER_TICK);
    for (; this.sweepAt < end; this.sweepAt++) {
      const s = this.sweep[this.sweepAt]!;
      if (s.state === 'closed' || s.state === 'held' || s.compressed) continue;
      let changed = true;
      try { changed = s.state !== 'idle' || (s.reader as FileReader).changedSinceStat(); } catch { /* a turn says what */ }
      if (changed) this.pump.enqueue(s);
    }
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

  private watches(s: Slot): boolean {
    return !this.opts.once && !s.group.cfg.pollFile && !s.compressed;
  }

  /** A path's counters: they go on across the files that take the path in turn (forgotten once the globs no longer match it). */
  fileSeries(g: GroupState, p: string): [Series, Series] {
    let pair = g.series.get(p);
    if (!pair) {
      const tags = { log_group: g.cfg.name, filename: p };
      pair = [this.opts.registry.counter('tail.line_read', tags), this.opts.registry.counter('tail.byte_read', tags)];
      g.series.set(p, pair);
    }
    return pair;
  }

  forgetPath(g: GroupState, p: string): void {
    const pair = g.series.get(p);
    if (!pair || g.slots.has(p) || this.opts.once) return; // --once totals them at the end
    for (const x of pair) this.opts.registry.remove(x);
    g.series.delete(p);
  }

  private indexPath(s: Slot, add: boolean): void {
    let set = this.byPath.get(s.path);
    if (add) {
      if (!set) this.byPath.set(s.path, (set = new Set()));
      set.add(s);
    } else if (set) {
      set.delete(s);
      if (set.size === 0) this.byPath.delete(s.path);
    }
  }

  private closeSlot(s: Slot, why: string): void {
    if (s.state === 'closed') return;
    this.log.info('stopped tailing file', { group: s.group.cfg.name, path: s.path, reason: why, offset: s.reader.consumed });
    this.dropSlot(s);
  }

  private removeGroup(g: GroupState): void {
    g.removed = true;
    g.rescanTimer?.cancel();
    this.refBases(g, -1);
    for (const s of [...g.slots.values()]) this.closeSlot(s, 'log group removed');
    for (const c of g.backlog.splice(0)) release(c.probe);
    for (const p of [...g.series.keys()]) this.forgetPath(g, p);
  }

  private updateGroupIdle(g: GroupState): void {
    if (!g.hadData || g.removed || !this.isCaughtUp(g.cfg.name)) return;
    g.hadData = false;
    try { this.opts.onIdle?.(g.cfg.name); } catch (e) {
      this.log.error('onIdle callback failed', { group: g.cfg.name, error: e instanceof Error ? e.message : String(e) });
    }
  }

  private checkOnceDone(): void {
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

function diskPos(r: ContentReader): number {
  return r instanceof CompressedReader ? r.inputRead : r.readPos;
}

function diskSize(r: ContentReader): number {
  return r instanceof CompressedReader ? r.fileSize : r.readPos;
}
