// Change detection: inotify events (watch.ts) turned into turns and rescans, the stat poll, and the
// rescans (every poll_interval; soon after a directory event).
// - poll_file groups: every file gets a turn each tick. Watched files (inotify reports their
//   changes; the poll is the safety net): an fstat each, a turn only when something changed, at
//   most SWEEP_PER_TICK files a tick. Without inotify (its limits reached) every file gets a turn
//   each tick.
// - The periodic rescan looks at each directory the groups' last walks listed once, then walks
//   only the groups with something new or something to look at again.
import * as path from 'node:path';
import type { GroupState } from './group.js';
import type { FileReader } from './reader.js';
import type { Slot } from './slot.js';
import type { TailManager } from './tailer.js';

/**
 * Watched files looked at by one tick of the stat poll: an fstat costs ~15 µs (Node builds a Stats
 * object), so 100 a second keep 10,000 idle files at ~0.2% of a core (a sweep of 100 files takes a
 * tick, of 10,000 a hundred).
 */
const SWEEP_PER_TICK = 100;

export class Changes {
  /** A periodic rescan is under way. */
  rescanning = false;
  private sweep: Slot[] = [];
  private sweepAt = 0;
  private pollFileGroups = 0;

  constructor(private readonly m: TailManager) {}

  /** The groups changed (start, reload): how many poll instead of watching. */
  groupsChanged(): void {
    this.pollFileGroups = 0;
    for (const g of this.m.groups.values()) if (g.cfg.pollFile) this.pollFileGroups++;
  }

  /** A rescan of g soon (a directory event, a truncation, a pending file), at most one waiting. */
  scheduleRescan(g: GroupState, delayMs = this.m.tune.rescanDelayMs): void {
    if (g.rescanTimer || this.m.stopped || g.removed) return;
    g.rescanTimer = this.m.sched.after(delayMs, () => { g.rescanTimer = null; this.rescanNow(g); });
  }

  rescanNow(g: GroupState): void {
    this.m.discovery.scan(g, false).catch((e) => this.m.unexpected(g, 'scanning the globs', e));
  }

  async rescanAll(): Promise<void> {
    if (this.rescanning) return;
    this.rescanning = true;
    try {
      const dirs = new Map<string, string | Buffer>();
      for (const g of this.m.groups.values()) if (g.deps) for (const [d, v] of g.deps) dirs.set(d, v.fs);
      for (const [text, fs] of dirs) await this.m.dirs.list({ text, fs });
      for (const g of this.m.groups.values()) {
        if (g.deps && !g.retry && !g.scanFirst && !g.scanning && this.m.dirs.sameAsLastSeen(g.deps)) continue;
        this.rescanNow(g);
      }
    } finally {
      this.rescanning = false;
    }
  }

  onFileEvent(s: Slot): void {
    if (s.state === 'closed' || this.m.stopped) return;
    if (s.state === 'idle' || s.state === 'rotated') s.state = 'reading';
    if (s.state === 'held') return;
    this.m.open.updateBehind(s);
    this.m.pump.enqueue(s);
  }

  onDirEvent(dir: string, ev: string, name: string | null, groups: Iterable<GroupState>): void {
    if (this.m.stopped) return;
    if (ev === 'rename' || name === null) this.m.dirs.invalidate(dir);
    if (name === null) {
      for (const g of groups) {
        if (g.cfg.pollFile) continue;
        for (const s of g.slots.values()) if (path.dirname(s.path) === dir) this.onFileEvent(s);
        this.scheduleRescan(g);
      }
      return;
    }
    const full = path.join(dir, name);
    const open = this.m.open.at(full);
    if (open) for (const s of open) if (!s.group.cfg.pollFile) this.onFileEvent(s);
    for (const g of groups) {
      if (g.cfg.pollFile || g.slots.has(full)) continue;
      if ((ev === 'rename' || g.pending.has(full)) && g.regexes.some((re) => re.test(full))) this.scheduleRescan(g);
    }
  }

  poll(pollFile: boolean): void {
    const broken = this.m.watcher.isBroken;
    if (pollFile && !broken && this.pollFileGroups === 0) return;
    if (pollFile || broken) {
      for (const g of this.m.groups.values()) {
        if (g.cfg.pollFile !== pollFile && !broken) continue;
        for (const s of g.slots.values()) if (!s.compressed && s.state !== 'held') this.m.pump.enqueue(s);
        if (g.pending.size > 0 || g.retry) this.scheduleRescan(g);
      }
      return;
    }
    if (this.sweepAt >= this.sweep.length) {
      this.sweep = [];
      for (const g of this.m.groups.values()) if (!g.cfg.pollFile) for (const s of g.slots.values()) this.sweep.push(s);
      this.sweepAt = 0;
    }
    const end = Math.min(this.sweep.length, this.sweepAt + SWEEP_PER_TICK);
    for (; this.sweepAt < end; this.sweepAt++) {
      const s = this.sweep[this.sweepAt]!;
      if (s.state === 'closed' || s.state === 'held' || s.compressed) continue;
      let changed = true;
      try { changed = s.state !== 'idle' || (s.reader as FileReader).changedSinceStat(); } catch { /* a turn says what */ }
      if (changed) this.m.pump.enqueue(s);
    }
  }
}
