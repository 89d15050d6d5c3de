// The open files of every group: registering one (watchers, caught-up tracking, a first turn),
// following it under a new name, closing it, remembering what was read of it, and the per-path
// counters that go on across the files that take a path in turn.
import * as path from 'node:path';
import type { Series } from '../selfstats/registry.js';
import { CompressedReader } from './compressed.js';
import { inodeKey, type GroupState } from './group.js';
import type { ContentReader } from './reader.js';
import { Slot } from './slot.js';
import type { TailManager } from './tailer.js';

export class OpenFiles {
  /** --once progress: files finished, and their on-disk bytes. */
  readonly finished = { files: 0, diskBytes: 0 };
  private readonly byPath = new Map<string, Set<Slot>>();

  constructor(private readonly m: TailManager) {}

  /** The open files at `p`, whatever their group (for directory events). */
  at(p: string): ReadonlySet<Slot> | undefined {
    return this.byPath.get(p);
  }

  /** Registers an open file: watchers, caught-up tracking; queues it for a first turn. */
  add(g: GroupState, p: string, fsPath: string | Buffer, reader: ContentReader): Slot {
    const s = new Slot(g, p, fsPath, reader);
    g.slots.set(p, s);
    g.byInode.set(inodeKey(reader.dev, reader.ino), s);
    g.warned.delete(p);
    this.index(s, true);
    if (this.watches(s)) {
      this.m.watcher.watchFile(s);
      this.m.watcher.ref(path.dirname(p), g);
    }
    this.updateBehind(s);
    this.m.pump.enqueue(s);
    return s;
  }

  /** The open file is now known under another name: drained before the backlog moves on. */
  move(s: Slot, p: string, fsPath: string | Buffer): void {
    const g = s.group;
    this.m.log.info('file renamed, following it under its new name', { group: g.cfg.name, path: s.path, new_path: p });
    this.index(s, false);
    if (this.watches(s)) this.m.watcher.unref(path.dirname(s.path), g);
    g.slots.delete(s.path);
    g.retry = true; // the old path is free
    s.path = p;
    s.fsPath = fsPath;
    s.reader.path = p;
    s.series = null;
    g.slots.set(p, s);
    this.index(s, true);
    if (this.watches(s)) this.m.watcher.ref(path.dirname(p), g);
    if (s.state !== 'leaving' && s.state !== 'held') s.state = 'reading';
    g.draining.add(s);
    this.updateBehind(s);
    this.m.pump.enqueue(s);
  }

  /** Closes a file without emitting anything more. */
  drop(s: Slot): void {
    const g = s.group;
    if (s.state === 'closed') return;
    const wasWatched = this.watches(s);
    s.state = 'closed';
    g.retry = true; // its path is free: what is there now was hidden from the last scan
    this.m.watcher.unwatchFile(s);
    if (wasWatched) this.m.watcher.unref(path.dirname(s.path), g);
    s.reader.close();
    if (this.m.opts.once) { this.finished.diskBytes += diskSize(s.reader); this.finished.files++; }
    if (s.counted) { s.counted = false; g.behindCount--; }
    if (g.slots.get(s.path) === s) g.slots.delete(s.path);
    const key = inodeKey(s.reader.dev, s.reader.ino);
    if (g.byInode.get(key) === s) g.byInode.delete(key);
    this.index(s, false);
    g.draining.delete(s);
    const h = g.held.indexOf(s);
    if (h >= 0) g.held.splice(h, 1);
    this.m.backlog.firstPassDone(s);
    this.updateGroupIdle(g);
    this.m.checkOnceDone();
  }

  /** drop(), said in the log. */
  close(s: Slot, why: string): void {
    if (s.state === 'closed') return;
    this.m.log.info('stopped tailing file', { group: s.group.cfg.name, path: s.path, reason: why, offset: s.reader.consumed });
    this.drop(s);
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

  /** onIdle once all of a group's files are read to their end after some lines were handed out. */
  updateGroupIdle(g: GroupState): void {
    if (!g.hadData || g.removed || !this.m.isCaughtUp(g.cfg.name)) return;
    g.hadData = false;
    try { this.m.opts.onIdle?.(g.cfg.name); } catch (e) {
      this.m.log.error('onIdle callback failed', { group: g.cfg.name, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** A path's counters: they go on across the files that take the path in turn (forgotten once the globs no longer match it). */
  series(g: GroupState, p: string): [Series, Series] {
    let pair = g.series.get(p);
    if (!pair) {
      const tags = { log_group: g.cfg.name, filename: p };
      pair = [this.m.opts.registry.counter('tail.line_read', tags), this.m.opts.registry.counter('tail.byte_read', tags)];
      g.series.set(p, pair);
    }
    return pair;
  }

  /** The globs no longer match the path: its counters are dropped (when no file is open there). */
  forgetPath(g: GroupState, p: string): void {
    const pair = g.series.get(p);
    if (!pair || g.slots.has(p) || this.m.opts.once) return; // --once totals them at the end
    for (const x of pair) this.m.opts.registry.remove(x);
    g.series.delete(p);
  }

  /** On-disk bytes of the files open now, as far as read. */
  diskRead(): number {
    let n = 0;
    for (const g of this.m.groups.values()) for (const s of g.slots.values()) n += s.reader instanceof CompressedReader ? s.reader.inputRead : s.reader.readPos;
    return n;
  }

  private watches(s: Slot): boolean {
    return !this.m.opts.once && !s.group.cfg.pollFile && !s.compressed;
  }

  private index(s: Slot, add: boolean): void {
    let set = this.byPath.get(s.path);
    if (add) {
      if (!set) this.byPath.set(s.path, (set = new Set()));
      set.add(s);
    } else if (set) {
      set.delete(s);
      if (set.size === 0) this.byPath.delete(s.path);
    }
  }
}

function diskSize(r: ContentReader): number {
  return r instanceof CompressedReader ? r.fileSize : r.readPos;
}
