// Change detection by inotify (fs.watch): one watcher per tailed file, and one per directory that
// holds tailed files or is the literal base of a glob (new files appear there). Directories are
// reference-counted by the groups that need them, so adding or dropping one file costs O(1), never a
// walk over every group. The stat poll (tailer.ts) backs all of this up, and takes over alone when
// the inotify limits are reached.
import * as fs from 'node:fs';
import type { Logger } from '../core/log.js';
import type { GroupState } from './group.js';
import type { Slot } from './slot.js';

interface DirWatch {
  w: fs.FSWatcher | null;   // null: not there (yet), or could not be watched
  ino: number;
  groups: Map<GroupState, number>;
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? String(e);

export class Watcher {
  private files = new Map<Slot, fs.FSWatcher>();
  private dirs = new Map<string, DirWatch>();
  private broken = false;
  private closed = false;

  constructor(
    private readonly onFile: (s: Slot) => void,
    private readonly onDir: (dir: string, ev: string, name: string | null, groups: Iterable<GroupState>) => void,
    private readonly log: Logger,
  ) {}

  /** inotify's limits were reached: watching is left to the poll. */
  get isBroken(): boolean { return this.broken; }

  /** Directories watched (for tests and status). */
  get dirCount(): number { return this.dirs.size; }

  watchFile(s: Slot): void {
    if (this.broken || this.closed || this.files.has(s)) return;
    try {
      const w = fs.watch(s.fsPath, { persistent: false }, () => this.onFile(s));
      w.on('error', () => { w.close(); if (this.files.get(s) === w) this.files.delete(s); });
      this.files.set(s, w);
    } catch (e) {
      this.failed(e);
    }
  }

  unwatchFile(s: Slot): void {
    const w = this.files.get(s);
    if (w) { w.close(); this.files.delete(s); }
  }

  /** Group g needs directory `dir` watched (once more). */
  ref(dir: string, g: GroupState): void {
    let d = this.dirs.get(dir);
    if (!d) {
      d = { w: null, ino: -1, groups: new Map() };
      this.dirs.set(dir, d);
      this.open(dir, d);
    }
    d.groups.set(g, (d.groups.get(g) ?? 0) + 1);
  }

  unref(dir: string, g: GroupState): void {
    const d = this.dirs.get(dir);
    if (!d) return;
    const n = (d.groups.get(g) ?? 0) - 1;
    if (n > 0) { d.groups.set(g, n); return; }
    d.groups.delete(g);
    if (d.groups.size === 0) { d.w?.close(); this.dirs.delete(dir); }
  }

  /** Re-checks these directories: watched once they exist, watched again when replaced. */
  recheck(dirs: Iterable<string>): void {
    for (const dir of dirs) {
      const d = this.dirs.get(dir);
      if (d) this.open(dir, d);
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.files.values()) w.close();
    this.files.clear();
    for (const d of this.dirs.values()) d.w?.close();
    this.dirs.clear();
  }

  private open(dir: string, d: DirWatch): void {
    if (this.closed) return;
    let ino: number;
    try { ino = fs.statSync(dir).ino; } catch { return; } // not there (yet): the rescans retry
    if (d.w && d.ino === ino) return;
    d.w?.close();
    d.w = null;
    if (this.broken) return;
    try {
      const w = fs.watch(dir, { persistent: false }, (ev, name) => this.onDir(dir, ev, name === null ? null : String(name), d.groups.keys()));
      w.on('error', () => { w.close(); if (d.w === w) d.w = null; });
      d.w = w;
      d.ino = ino;
    } catch (e) {
      this.failed(e);
    }
  }

  private failed(e: unknown): void {
    const code = errCode(e);
    if (code === 'ENOSPC' || code === 'EMFILE') {
      if (!this.broken) this.log.warn('inotify limit reached: new files are watched by polling only', { error: code });
      this.broken = true;
    }
  }
}
