// TailManager: discovery (glob rescans), change detection (inotify via fs.watch on files and their
// directories, plus a stat poll), and one fair reading loop for every tailed file (spec section 6).
//
// Scheduling. A single async loop ("pump") takes files from a round-robin queue; a turn reads at most
// `turnBytes` (256 KB) of one file, in chunks of `chunkBytes` (64 KB), handing one LineBatch per chunk
// to the sink; a file with more to read goes to the back of the queue. A file is queued when a watch
// event reports it (read at once: copytruncate's loss window stays milliseconds), and by the stat
// poll (every `fileCheckMs`, 1 s; `pollFileCheckMs`, 250 ms, and no fs.watch for poll_file groups).
// When the sink returns a promise, nothing more is read from any file until it settles.
//
// Rotation. At the end of a file the path is stat'ed:
// - path -> another inode (rename rotation): the old fd is drained again *after* the rename was seen
//   (so lines written just before the rename are read), then, as soon as the new file has content or
//   the old one has been quiet for `rotateGraceMs` (5 s: the app may keep writing to the renamed file
//   until it reopens its log, e.g. nginx after logrotate's postrotate signal), the partial last line
//   of the old file is emitted, the old fd closed, and the new file read from its start.
// - path gone (deleted, or renamed with nothing replacing it): the old fd is read to its end until it
//   has been quiet for `rotateGraceMs`, then the partial line emitted and the fd closed. A file that
//   appears later at that path is a new file, read from its start.
// - size below the read position, or the first bytes no longer matching the fingerprint
//   (copytruncate, `> file`): read again from offset 0.
// - the glob also matching the renamed file (e.g. `app.log*` and `app.log.1`): the reader follows the
//   inode under its new name, and the new file at the old name is read from its start. Closed files
//   are remembered by inode (with fingerprint and offset), so a rotated file that the glob finds
//   later resumes where it was closed instead of being read again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileIdentity, LineBatch } from '../core/types.js';
import { WarnLimiter, type Logger } from '../core/log.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { expandGlob, globBase, globToRegExp, hasMagic } from './glob.js';
import { DEFAULT_CHUNK_BYTES, FileReader, type Checkpoint, type StartAt } from './reader.js';

export interface TailGroup {
  name: string;
  globs: string[];     // absolute patterns
  pollFile: boolean;   // stat polling only (every 250 ms), no fs.watch
  fromStart: boolean;  // files present at start-up are read from their start instead of their end
}

/**
 * Receives every batch. Returning a promise holds all reading until it settles (backpressure).
 * `identity` is the identity of the file the batch came from at the time it was read (during a
 * rename rotation, batches of the old and the new file carry the same path but different inodes).
 * A sink that throws or rejects is a fatal error: reading stops and `done` rejects.
 */
export type TailSink = (group: string, batch: LineBatch, identity: FileIdentity) => void | Promise<void>;

export interface TailManagerOptions {
  pollIntervalSec: number;   // glob rescans
  maxLineBytes: number;
  once: boolean;
  /** Saved position for a path (from the state file), consulted when a file is opened. */
  checkpoint?: (path: string) => Checkpoint | undefined;
  log: Logger;
  registry: Registry;
  now?: () => number;        // wall clock in ms (rotation grace, warnings)
  sink: TailSink;
  /** Called when all of a group's files are read to their end after some lines were handed out. */
  onIdle?: (group: string) => void;
  chunkBytes?: number;       // default 64 KB
  turnBytes?: number;        // per file per turn, default 256 KB
  fileCheckMs?: number;      // stat poll of watched files, default 1000
  pollFileCheckMs?: number;  // stat poll of poll_file groups, default 250
  rotateGraceMs?: number;    // default 5000
  onceMaxOpen?: number;      // --once: files read round-robin at a time, default 256
}

export interface TailPosition {
  group: string;
  path: string;
  identity: FileIdentity;
  offset: number;            // just after the last batch handed to the sink (a line boundary)
}

export interface TailFileStatus {
  group: string;
  path: string;
  dev: number;
  ino: number;
  offset: number;            // handed to the sink
  size: number;              // at the last stat
  lagBytes: number;          // size - offset
  rotating: boolean;         // the path points elsewhere; draining the old file
}

class SinkError extends Error {
  constructor(readonly inner: unknown) {
    super(`sink failed: ${inner instanceof Error ? inner.message : String(inner)}`);
  }
}

interface Slot {
  group: GroupState;
  path: string;
  reader: FileReader;
  queued: boolean;
  eventPending: boolean;
  moreData: boolean;
  behind: boolean;
  checked: boolean;          // had a first turn
  rotationSeen: boolean;      // the path points to another file, or nowhere
  rotationReady: boolean;     // switch/close after one more drain
  closed: boolean;
  finished: boolean;         // --once: read to its end
  watcher: fs.FSWatcher | null;
  lineRead: Series;
  byteRead: Series;
}

interface GroupState {
  cfg: TailGroup;
  regexes: RegExp[];
  bases: string[];                    // globBase of each glob (computed once)
  plainGlobs: boolean;                // every glob is a plain path (no wildcard, no escape)
  slots: Map<string, Slot>;
  byInode: Map<string, Slot>;
  retired: Map<string, Checkpoint>;   // "dev:ino" -> where a closed file was left
  openErrors: Map<string, string>;    // path -> error code, logged once
  aliases: Set<string>;               // hard links of a tailed file, skipped (logged once)
  removed: boolean;
  scanned: boolean;                   // first scan done
  initialPending: boolean;            // next scan treats matched files as present at start-up
  scanning: boolean;
  rescanAgain: boolean;
  rescanTimer: NodeJS.Timeout | null;
  behindCount: number;
  hadData: boolean;
}

const RETIRED_MAX = 1024;
const SAFETY_CHECKS_PER_TICK = 100;
const inodeKey = (dev: number, ino: number) => `${dev}:${ino}`;
const plainGlobs = (globs: readonly string[]) => globs.every((x) => !x.includes('\\') && !hasMagic(x));
const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? String(e);

export class TailManager {
  /** Resolves at the end of a --once run (every file read to its end) and after stop(). */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (e: unknown) => void;
  private groups = new Map<string, GroupState>();
  private queue: Slot[] = [];
  private wake: (() => void) | null = null;
  private started = false;
  private stopped = false;
  private safetyCursor = 0;
  /** Bumped whenever a group's slots change; pollCheck() lists them again then. */
  private slotsVersion = 0;
  private listedVersion = -1;
  private wantVersion = -1;
  private want = new Set<string>();
  private watchedSlots: Slot[] = [];
  private polledSlots: Slot[] = [];
  private blocked = false;
  private timers: NodeJS.Timeout[] = [];
  private dirWatchers = new Map<string, { w: fs.FSWatcher; ino: number }>();
  private watchBroken = false;
  private oncePending: Array<{ g: GroupState; path: string }> = [];
  private onceOpen = 0;
  private readonly warn: WarnLimiter;
  private readonly now: () => number;
  private readonly chunkBytes: number;
  private readonly turnBytes: number;
  private readonly grace: number;

  constructor(groups: TailGroup[], private readonly opts: TailManagerOptions) {
    this.done = new Promise<void>((res, rej) => { this.resolveDone = res; this.rejectDone = rej; });
    this.done.catch(() => { /* reported through the logger; callers may still observe it */ });
    this.now = opts.now ?? Date.now;
    this.warn = new WarnLimiter(opts.log, this.now);
    this.chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.turnBytes = Math.max(this.chunkBytes, opts.turnBytes ?? 256 * 1024);
    this.grace = opts.rotateGraceMs ?? 5000;
    for (const g of groups) this.groups.set(g.name, this.newGroup(g));
  }

  // ---------------------------------------------------------------- public API

  /** Expands the globs, opens the files and starts reading. Resolves once the first scan is done. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.once) {
      const all: Array<{ g: GroupState; path: string; order: number }> = [];
      let order = 0;
      for (const g of this.groups.values()) {
        for (const p of await this.expand(g.cfg)) all.push({ g, path: p, order: order++ });
        g.scanned = true;
      }
      all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.order - b.order));
      this.oncePending = all.map(({ g, path }) => ({ g, path }));
      this.fillOnce();
      void this.pump();
      return;
    }
    void this.pump();
    // One directory-watcher sync after all the scans, not one per group (that was O(groups²)).
    for (const g of [...this.groups.values()]) await this.scanGroup(g, true, false);
    this.syncDirWatchers();
    if (this.stopped) return;
    const every = (ms: number, f: () => void) => this.timers.push(setInterval(f, ms));
    every(Math.max(50, this.opts.pollIntervalSec * 1000), () => {
      const due = [...this.groups.values()].filter((g) => !this.allTailed(g));
      void Promise.all(due.map((g) => this.scanGroup(g, false, false))).then(() => this.syncDirWatchers());
    });
    every(this.opts.fileCheckMs ?? 1000, () => this.pollCheck(false));
    every(this.opts.pollFileCheckMs ?? 250, () => this.pollCheck(true));
  }

  /** Stops reading and closes every file; positions() stays available. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const g of this.groups.values()) {
      if (g.rescanTimer) clearTimeout(g.rescanTimer);
      for (const s of g.slots.values()) { this.unwatch(s); s.reader.close(); }
    }
    for (const { w } of this.dirWatchers.values()) w.close();
    this.dirWatchers.clear();
    this.queue = [];
    this.wake?.();
    this.resolveDone();
  }

  /** Per file: identity and the offset just after the last batch handed to the sink. */
  positions(): TailPosition[] {
    const out: TailPosition[] = [];
    for (const g of this.groups.values()) {
      for (const s of g.slots.values()) {
        out.push({ group: g.cfg.name, path: s.path, identity: s.reader.identity(), offset: s.reader.consumed });
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
          lagBytes: Math.max(0, r.size - r.consumed), rotating: s.rotationSeen });
      }
    }
    return out;
  }

  /** True when every file of the group is read to its end (a held partial line does not count). */
  isCaughtUp(group: string): boolean {
    const g = this.groups.get(group);
    return !g || (g.scanned && g.behindCount === 0);
  }

  /** True while a sink promise is pending (reading is held back). */
  isBackpressured(): boolean {
    return this.blocked;
  }

  /**
   * Config reload: groups not in `groups` are closed; new groups are scanned like at start-up (their
   * files start at their end unless fromStart or a checkpoint); a group whose globs, pollFile or
   * fromStart changed keeps the readers of the files its new globs still match, closes the others
   * and opens newly matched files like at start-up. Unchanged groups are untouched.
   */
  async setGroups(groups: TailGroup[]): Promise<void> {
    if (this.opts.once) throw new Error('setGroups is not supported in --once mode');
    const next = new Map(groups.map((g) => [g.name, g]));
    for (const [name, g] of this.groups) {
      if (!next.has(name)) this.removeGroup(g);
    }
    const toScan: GroupState[] = [];
    const rebuilt = new Map<string, GroupState>();
    for (const cfg of groups) {
      const g = this.groups.get(cfg.name);
      if (!g) {
        const ng = this.newGroup(cfg);
        rebuilt.set(cfg.name, ng);
        toScan.push(ng);
        continue;
      }
      rebuilt.set(cfg.name, g);
      const same = g.cfg.pollFile === cfg.pollFile && g.cfg.fromStart === cfg.fromStart &&
        g.cfg.globs.length === cfg.globs.length && g.cfg.globs.every((x, i) => x === cfg.globs[i]);
      if (same) continue;
      const pollChanged = g.cfg.pollFile !== cfg.pollFile;
      g.cfg = { ...cfg, globs: [...cfg.globs] };
      g.regexes = cfg.globs.map(globToRegExp);
      g.bases = cfg.globs.map(globBase);
      g.plainGlobs = plainGlobs(cfg.globs);
      for (const s of [...g.slots.values()]) {
        if (!g.regexes.some((re) => re.test(s.path))) this.closeSlot(s, 'no longer matched');
        else if (pollChanged) { this.unwatch(s); if (!cfg.pollFile) this.watch(s); }
      }
      g.initialPending = true;
      toScan.push(g);
    }
    this.groups = rebuilt;
    this.slotsVersion++;
    for (const g of toScan) await this.scanGroup(g, true, false);
    this.syncDirWatchers();
  }

  // ---------------------------------------------------------------- discovery

  private newGroup(cfg: TailGroup): GroupState {
    return {
      cfg: { ...cfg, globs: [...cfg.globs] }, regexes: cfg.globs.map(globToRegExp), bases: cfg.globs.map(globBase), plainGlobs: plainGlobs(cfg.globs), slots: new Map(),
      byInode: new Map(), retired: new Map(), openErrors: new Map(), aliases: new Set(), removed: false,
      scanned: false, initialPending: false, scanning: false, rescanAgain: false, rescanTimer: null, behindCount: 0, hadData: false,
    };
  }

  /** Every glob is a plain path already tailed: a rescan cannot find anything (rotation is followed per file). */
  private allTailed(g: GroupState): boolean {
    return g.plainGlobs && g.cfg.globs.every((x) => g.slots.has(x));
  }

  private async expand(cfg: TailGroup): Promise<string[]> {
    const set = new Set<string>();
    for (const glob of cfg.globs) for (const p of await expandGlob(glob)) set.add(p);
    return [...set].sort();
  }

  private async scanGroup(g: GroupState, initial: boolean, syncDirs = true): Promise<void> {
    if (g.scanning) { g.rescanAgain = true; return; }
    g.scanning = true;
    try {
      do {
        g.rescanAgain = false;
        if (g.initialPending) { initial = true; g.initialPending = false; }
        const paths = await this.expand(g.cfg);
        if (g.removed || this.stopped) return;
        // a second pass picks up a path freed by a reader that followed its file to a new name
        for (let pass = 0; pass < 3; pass++) {
          let moved = false;
          for (const p of paths) {
            if (!g.slots.has(p) && this.openSlot(g, p, initial) === 'moved') moved = true;
          }
          if (!moved) break;
        }
        for (const p of g.openErrors.keys()) if (!paths.includes(p)) g.openErrors.delete(p);
        for (const p of g.aliases) if (!paths.includes(p)) g.aliases.delete(p);
        g.scanned = true;
        initial = false;
      } while (g.rescanAgain && !g.removed && !this.stopped);
    } finally {
      g.scanning = false;
    }
    if (syncDirs) this.syncDirWatchers();
    this.updateGroupIdle(g);
  }

  private scheduleRescan(g: GroupState): void {
    if (g.rescanTimer || this.stopped) return;
    g.rescanTimer = setTimeout(() => { g.rescanTimer = null; void this.scanGroup(g, false); }, 100);
  }

  /** Opens a newly matched path. 'moved' when a reader followed its file to this path instead. */
  private openSlot(g: GroupState, p: string, initial: boolean): 'opened' | 'moved' | 'skipped' {
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch (e) { this.openFailed(g, p, e); return 'skipped'; }
    const key = inodeKey(st.dev, st.ino);
    const live = g.byInode.get(key);
    if (live && !live.closed) {
      let still = false;
      try { const cur = fs.statSync(live.path); still = cur.dev === st.dev && cur.ino === st.ino; } catch { /* gone */ }
      if (still) {
        if (!g.aliases.has(p)) {
          g.aliases.add(p);
          this.opts.log.info('skipping a second name of a file already tailed', { group: g.cfg.name, path: p, tailed: live.path });
        }
        return 'skipped';
      }
      this.moveSlot(live, p);
      return 'moved';
    }
    const opened = this.openReader(g, p, initial && !g.cfg.fromStart ? { from: 'end' } : { from: 'start' }, true);
    if (!opened) return 'skipped';
    this.addSlot(g, p, opened);
    return 'opened';
  }

  /** Opens a reader, preferring a retired position of the same inode, then the checkpoint. */
  private openReader(g: GroupState, p: string, start: StartAt, useCheckpoint: boolean): FileReader | null {
    let cp: Checkpoint | undefined;
    let source = 'checkpoint';
    try {
      const st = fs.statSync(p);
      const key = inodeKey(st.dev, st.ino);
      cp = g.retired.get(key);
      if (cp) { g.retired.delete(key); source = 'previous position'; }
    } catch { /* open reports it */ }
    if (!cp && useCheckpoint) cp = this.opts.checkpoint?.(p);
    try {
      const { reader, how } = FileReader.open(p, { chunkBytes: this.chunkBytes, maxLineBytes: this.opts.maxLineBytes },
        start, cp, this.now());
      g.openErrors.delete(p);
      const fields: Record<string, unknown> = { group: g.cfg.name, path: p, offset: reader.consumed, ino: reader.ino };
      if (how === 'checkpoint') this.opts.log.info(`tailing file from its ${source}`, fields);
      else if (how === 'checkpoint-mismatch') this.opts.log.info(`tailing file from its start (it is not the file of its ${source})`, fields);
      else this.opts.log.info(`tailing file from its ${how}`, fields);
      return reader;
    } catch (e) {
      this.openFailed(g, p, e);
      return null;
    }
  }

  private openFailed(g: GroupState, p: string, e: unknown): void {
    const code = errCode(e);
    if (code === 'ENOENT') return; // vanished between the glob and the open: nothing to say
    if (g.openErrors.get(p) === code) return;
    g.openErrors.set(p, code);
    this.opts.log.warn('cannot open file', { group: g.cfg.name, path: p, error: e instanceof Error ? e.message : code });
  }

  private addSlot(g: GroupState, p: string, reader: FileReader): Slot {
    const tags = { log_group: g.cfg.name, filename: p };
    const s: Slot = {
      group: g, path: p, reader, queued: false, eventPending: false, moreData: false, behind: false, checked: false,
      rotationSeen: false, rotationReady: false, closed: false, finished: false, watcher: null,
      lineRead: this.opts.registry.counter('tail.line_read', tags),
      byteRead: this.opts.registry.counter('tail.byte_read', tags),
    };
    g.slots.set(p, s);
    this.slotsVersion++;
    g.byInode.set(inodeKey(reader.dev, reader.ino), s);
    if (!this.opts.once && !g.cfg.pollFile) this.watch(s);
    this.updateBehind(s);
    this.enqueue(s);
    return s;
  }

  /** The glob matched the file we are reading under a new name: follow it. */
  private moveSlot(s: Slot, p: string): void {
    const g = s.group;
    this.opts.log.info('file renamed, following it under its new name', { group: g.cfg.name, path: s.path, new_path: p });
    g.slots.delete(s.path);
    this.slotsVersion++;
    s.path = p;
    s.reader.path = p;
    s.rotationSeen = false;
    s.rotationReady = false;
    const tags = { log_group: g.cfg.name, filename: p };
    s.lineRead = this.opts.registry.counter('tail.line_read', tags);
    s.byteRead = this.opts.registry.counter('tail.byte_read', tags);
    g.slots.set(p, s);
    this.slotsVersion++;
    this.enqueue(s);
  }

  private retire(g: GroupState, r: FileReader): void {
    g.retired.set(inodeKey(r.dev, r.ino), { identity: r.identity(), offset: r.consumed });
    while (g.retired.size > RETIRED_MAX) g.retired.delete(g.retired.keys().next().value as string);
  }

  /** Closes a slot without emitting anything more (group removed, path no longer matched). */
  private closeSlot(s: Slot, why: string): void {
    if (s.closed) return;
    this.opts.log.info('stopped tailing file', { group: s.group.cfg.name, path: s.path, reason: why, offset: s.reader.consumed });
    this.dropSlot(s);
  }

  private dropSlot(s: Slot): void {
    const g = s.group;
    s.closed = true;
    this.unwatch(s);
    s.reader.close();
    if (s.behind) { s.behind = false; g.behindCount--; }
    if (g.slots.get(s.path) === s) g.slots.delete(s.path);
    this.slotsVersion++;
    const key = inodeKey(s.reader.dev, s.reader.ino);
    if (g.byInode.get(key) === s) g.byInode.delete(key);
    if (!g.slots.has(s.path)) { this.opts.registry.remove(s.lineRead); this.opts.registry.remove(s.byteRead); }
    this.syncDirWatchers();
    this.updateGroupIdle(g);
  }

  private removeGroup(g: GroupState): void {
    g.removed = true;
    if (g.rescanTimer) clearTimeout(g.rescanTimer);
    for (const s of [...g.slots.values()]) this.closeSlot(s, 'log group removed');
  }

  // ---------------------------------------------------------------- change detection

  private watch(s: Slot): void {
    if (this.watchBroken) return;
    try {
      const w = fs.watch(s.path, { persistent: false }, () => this.onEvent(s));
      w.on('error', () => { w.close(); if (s.watcher === w) s.watcher = null; });
      s.watcher = w;
    } catch (e) {
      this.watchFailed(e);
    }
  }

  private unwatch(s: Slot): void {
    if (s.watcher) { s.watcher.close(); s.watcher = null; }
  }

  private watchFailed(e: unknown): void {
    const code = errCode(e);
    if (code === 'ENOENT') return;
    if (code === 'ENOSPC' || code === 'EMFILE') {
      if (!this.watchBroken) this.opts.log.warn('inotify limit reached: new files are watched by polling only', { error: code });
      this.watchBroken = true;
    }
  }

  /** Watches the directories of the tailed files and the literal bases of the globs. */
  private syncDirWatchers(): void {
    if (this.opts.once || this.stopped) return;
    if (this.wantVersion !== this.slotsVersion) { // listed again only when the slots changed
      this.want = new Set<string>();
      for (const g of this.groups.values()) {
        if (g.cfg.pollFile || g.removed) continue;
        for (const b of g.bases) this.want.add(b);
        for (const p of g.slots.keys()) this.want.add(path.dirname(p));
      }
      this.wantVersion = this.slotsVersion;
    }
    const want = this.want;
    for (const [d, { w }] of this.dirWatchers) if (!want.has(d)) { w.close(); this.dirWatchers.delete(d); }
    for (const d of want) {
      let ino: number;
      try { ino = fs.statSync(d).ino; } catch { continue; } // not there (yet): the rescans retry
      const cur = this.dirWatchers.get(d);
      if (cur && cur.ino === ino) continue;
      if (cur) { cur.w.close(); this.dirWatchers.delete(d); } // the directory was replaced
      if (this.watchBroken) continue;
      try {
        const w = fs.watch(d, { persistent: false }, (ev, name) => this.onDirEvent(d, ev, name));
        const entry = { w, ino };
        w.on('error', () => { w.close(); if (this.dirWatchers.get(d) === entry) this.dirWatchers.delete(d); });
        this.dirWatchers.set(d, entry);
      } catch (e) {
        this.watchFailed(e);
      }
    }
  }

  private onDirEvent(dir: string, ev: string, name: string | Buffer | null): void {
    if (this.stopped) return;
    if (name == null) {
      for (const g of this.groups.values()) {
        if (g.cfg.pollFile) continue;
        for (const s of g.slots.values()) if (path.dirname(s.path) === dir) this.onEvent(s);
        this.scheduleRescan(g);
      }
      return;
    }
    const full = path.join(dir, name.toString());
    for (const g of this.groups.values()) {
      if (g.cfg.pollFile) continue;
      const s = g.slots.get(full);
      if (s) this.onEvent(s);
      else if (ev === 'rename' && g.regexes.some((re) => re.test(full))) this.scheduleRescan(g);
    }
  }

  private onEvent(s: Slot): void {
    if (s.closed || this.stopped) return;
    s.eventPending = true;
    this.updateBehind(s);
    this.enqueue(s);
  }

  private pollCheck(pollFile: boolean): void {
    // Watched files: inotify reports their changes, and this stat poll is a safety net. Checking
    // every file every tick cost 10% of a core idle with 10,000 files; so files in the middle of a
    // rotation, with more to read or without a watcher are checked every tick, the others
    // SAFETY_CHECKS_PER_TICK at a time, in turn. The slots are listed again only when they change.
    if (this.listedVersion !== this.slotsVersion) this.listSlots();
    const list = pollFile ? this.polledSlots : this.watchedSlots;
    if (pollFile) { for (const s of list) this.enqueue(s); return; }
    for (const s of list) if (!s.watcher || s.rotationSeen || s.moreData) this.enqueue(s);
    const n = Math.min(list.length, SAFETY_CHECKS_PER_TICK);
    for (let i = 0; i < n; i++) this.enqueue(list[(this.safetyCursor + i) % list.length]!);
    this.safetyCursor = list.length ? (this.safetyCursor + n) % list.length : 0;
  }

  private listSlots(): void {
    this.polledSlots = [];
    this.watchedSlots = [];
    for (const g of this.groups.values()) {
      const to = g.cfg.pollFile ? this.polledSlots : this.watchedSlots;
      for (const s of g.slots.values()) to.push(s);
    }
    this.listedVersion = this.slotsVersion;
  }

  // ---------------------------------------------------------------- reading

  private enqueue(s: Slot): void {
    if (s.queued || s.closed || s.finished || this.stopped) return;
    s.queued = true;
    this.queue.push(s);
    if (this.wake) { const w = this.wake; this.wake = null; w(); }
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopped) {
        const s = this.queue.shift();
        if (!s) {
          if (this.opts.once && this.onceOpen === 0 && this.oncePending.length === 0) {
            this.resolveDone();
            return;
          }
          await new Promise<void>((res) => { this.wake = res; });
          continue;
        }
        s.queued = false;
        if (s.closed) continue;
        if (this.opts.once) await this.onceTurn(s);
        else await this.turn(s);
        await new Promise<void>((res) => setImmediate(res)); // let events, timers and I/O run
      }
    } catch (e) {
      const inner = e instanceof SinkError ? e.inner : e;
      this.opts.log.error('tailing stopped: ' + (e instanceof Error ? e.message : String(e)));
      this.rejectDone(inner);
      await this.stop();
    }
  }

  /** Reads up to turnBytes; true when the end of the file was reached. */
  private async readSome(s: Slot, r: FileReader): Promise<boolean | 'gone'> {
    let budget = this.turnBytes;
    while (budget > 0) {
      const { n, asked, batch } = r.readChunk(budget, this.now());
      if (n === 0) return true;
      budget -= n;
      if (batch) {
        await this.emit(s, r, batch);
        if (s.closed || this.stopped || s.reader !== r) return 'gone';
      }
      if (n < asked) return true;
    }
    return false;
  }

  private async turn(s: Slot): Promise<void> {
    const r = s.reader;
    const g = s.group;
    s.eventPending = false;
    let eof: boolean | 'gone';
    try {
      const changed = r.stat();
      if (changed || !s.checked) {
        if (r.truncated()) {
          this.opts.log.info('file truncated, reading it from its start', { group: g.cfg.name, path: s.path, offset: r.consumed, size: r.size });
          r.resetToStart();
        }
      }
      s.checked = true;
      eof = !changed && r.readPos >= r.size && !s.moreData ? true : await this.readSome(s, r);
    } catch (e) {
      if (e instanceof SinkError) throw e;
      this.warn.warn('read_error', s.path, 'error reading file', { group: g.cfg.name, error: e instanceof Error ? e.message : String(e) });
      this.updateBehind(s);
      return;
    }
    if (eof === 'gone') return;
    s.moreData = !eof;
    if (!eof) { this.enqueue(s); this.updateBehind(s); return; }
    try {
      await this.checkRotation(s);
    } catch (e) {
      if (e instanceof SinkError) throw e;
      this.warn.warn('rotation_error', s.path, 'error checking file rotation', { group: g.cfg.name, error: e instanceof Error ? e.message : String(e) });
    }
    if (!s.closed) this.updateBehind(s);
  }

  /**
   * At the end of a file: has the path moved to another file or gone away? Acting takes two turns:
   * the decision (the new file has content, or the old one has been quiet for the grace period) is
   * taken at the end of one turn, the old file is drained again in the next one, and only then is it
   * closed: so whatever the writer wrote to the old file before the new file got content, or before
   * it fell quiet, is read.
   */
  private async checkRotation(s: Slot): Promise<void> {
    const r = s.reader;
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(s.path);
    } catch (e) {
      const code = errCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return; // EACCES and such: try again later
    }
    if (st && st.dev === r.dev && st.ino === r.ino) { s.rotationSeen = false; s.rotationReady = false; return; }
    s.rotationSeen = true;
    if (s.rotationReady) {
      // decided before this turn's drain: the old file is read to its end
      s.rotationReady = false;
      if (st) await this.switchFile(s);
      else await this.finishSlot(s, r.nlink() === 0 ? 'deleted' : 'renamed away');
      return;
    }
    const quiet = this.now() - r.lastDataAt >= this.grace;
    if ((st && st.size > 0) || quiet) {
      s.rotationReady = true;
      this.enqueue(s);
    }
    // else: the new file is still empty and the old one still written to; the poll comes back
  }

  /** Rename rotation: emit the old file's partial line, close it, read the new file from its start. */
  private async switchFile(s: Slot): Promise<void> {
    const g = s.group;
    const old = s.reader;
    const b = old.flushPartial();
    if (b) {
      await this.emit(s, old, b);
      if (s.closed || this.stopped || s.reader !== old) return;
    }
    this.retire(g, old);
    old.close();
    this.unwatch(s);
    const oldKey = inodeKey(old.dev, old.ino);
    if (g.byInode.get(oldKey) === s) g.byInode.delete(oldKey);
    this.opts.log.info('file rotated, reading the new file from its start', { group: g.cfg.name, path: s.path, old_ino: old.ino, offset: old.consumed });
    const next = this.openReader(g, s.path, { from: 'start' }, false);
    s.rotationSeen = false;
    if (!next) { this.dropSlot(s); return; }
    const other = g.byInode.get(inodeKey(next.dev, next.ino));
    if (other && other !== s && !other.closed) {
      // the "new" file is one we already read under another name: leave it to that reader
      next.close();
      this.dropSlot(s);
      return;
    }
    s.reader = next;
    s.checked = false;
    s.moreData = false;
    g.byInode.set(inodeKey(next.dev, next.ino), s);
    if (!g.cfg.pollFile) this.watch(s);
    this.enqueue(s);
  }

  /** Deleted (or renamed away with nothing replacing it): emit the partial line and close. */
  private async finishSlot(s: Slot, why: string): Promise<void> {
    const r = s.reader;
    const b = r.flushPartial();
    if (b) {
      await this.emit(s, r, b);
      if (s.closed || this.stopped || s.reader !== r) return;
    }
    this.retire(s.group, r);
    this.opts.log.info(`file ${why}: read to its end and closed`, { group: s.group.cfg.name, path: s.path, offset: r.consumed });
    this.dropSlot(s);
  }

  private async emit(s: Slot, r: FileReader, batch: LineBatch): Promise<void> {
    s.lineRead.value += batch.lines.length;
    s.byteRead.value += batch.bytes;
    s.group.hadData = true;
    if (batch.skippedLong) {
      this.warn.warn('line_too_long', s.path, 'line longer than max_line_bytes skipped',
        { group: s.group.cfg.name, max_line_bytes: this.opts.maxLineBytes, skipped: batch.skippedLong });
    }
    let p: void | Promise<void>;
    try {
      p = this.opts.sink(s.group.cfg.name, batch, r.identity());
    } catch (e) {
      throw new SinkError(e);
    }
    if (p && typeof (p as Promise<void>).then === 'function') {
      this.blocked = true;
      try { await p; } catch (e) { throw new SinkError(e); } finally { this.blocked = false; }
    }
  }

  // ---------------------------------------------------------------- --once

  private fillOnce(): void {
    const max = Math.max(1, this.opts.onceMaxOpen ?? 256);
    while (this.onceOpen < max && this.oncePending.length > 0) {
      const { g, path: p } = this.oncePending.shift()!;
      if (g.slots.has(p)) continue;
      const r = this.openReader(g, p, { from: 'start' }, true);
      if (!r) continue;
      this.onceOpen++;
      this.addSlot(g, p, r);
    }
  }

  private async onceTurn(s: Slot): Promise<void> {
    const r = s.reader;
    let eof: boolean | 'gone';
    try {
      eof = await this.readSome(s, r);
    } catch (e) {
      if (e instanceof SinkError) throw e;
      this.opts.log.warn('error reading file', { group: s.group.cfg.name, path: s.path, error: e instanceof Error ? e.message : String(e) });
      eof = true;
    }
    if (eof === 'gone') return;
    if (!eof) { this.enqueue(s); return; }
    const b = r.flushPartial();
    if (b) await this.emit(s, r, b);
    if (this.stopped) return;
    r.close();
    s.finished = true;
    this.onceOpen--;
    this.updateBehind(s);
    this.fillOnce();
  }

  // ---------------------------------------------------------------- caught-up tracking

  private updateBehind(s: Slot): void {
    const r = s.reader;
    const behind = !s.closed && !s.finished &&
      (s.eventPending || s.moreData || s.rotationReady || !s.checked || r.size > r.readPos);
    if (behind === s.behind) return;
    s.behind = behind;
    s.group.behindCount += behind ? 1 : -1;
    if (!behind) this.updateGroupIdle(s.group);
  }

  private updateGroupIdle(g: GroupState): void {
    if (!g.scanned || g.behindCount !== 0 || !g.hadData || g.removed) return;
    g.hadData = false;
    try { this.opts.onIdle?.(g.cfg.name); } catch (e) {
      this.opts.log.error('onIdle callback failed', { group: g.cfg.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
