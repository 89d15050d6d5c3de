// Discovery: a group's globs are expanded (at start-up, every poll_interval, and soon after a
// directory event), and each path not open yet is looked at once and decided (decide.ts): skipped,
// left pending, known (nothing new in it), opened at its end, or queued in the group's backlog to be
// read from a position. The backlog is read one file at a time, oldest first (order.ts).
import * as fs from 'node:fs';
import { walkGlob, type GlobMatch, type GlobResult } from './walk.js';
import { isFdExhausted } from './events.js';
import { fileCount, inodeKey, type Candidate, type GroupState } from './group.js';
import { isPseudoFs } from './pseudofs.js';
import { extendHead, PROBE_BYTES, probe, release, type Probe } from './probe.js';
import { FINGERPRINT_BYTES } from './fingerprint.js';
import { readingOrder } from './order.js';
import { firstLines } from './lines.js';
import { decide, liveIndex, type Decision } from './decide.js';
import { openAt } from './open.js';
import type { TailHost } from './host.js';

const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? String(e);

export class Discovery {
  /** Back-off after running out of file descriptors: no open is tried before this wall time. */
  private fdBackoffUntil = -Infinity;
  private fdBackoffMs = 1000;

  constructor(private readonly host: TailHost) {}

  /** Expands g's globs and considers every path not open yet. Scans of one group never overlap. */
  async scan(g: GroupState, initial: boolean): Promise<void> {
    if (g.scanning) { g.rescanAgain = true; return; }
    g.scanning = true;
    try {
      do {
        g.rescanAgain = false;
        if (g.initialPending) { initial = true; g.initialPending = false; }
        // nothing can have changed: every directory the last walk listed lists the same, and it left
        // nothing to look at again (a rescan of 10,000 idle groups costs next to nothing)
        if (!initial && !g.retry && !g.scanFirst && g.deps && (await this.host.dirs.unchanged(g.deps))) continue;
        g.retry = g.pending.size > 0;
        const { matches, skipped, deps } = await this.expand(g);
        if (g.removed || this.host.stopped) return;
        g.deps = deps;
        const live = liveIndex(g);
        // a second pass picks up a path freed by a reader that followed its file to a new name
        for (let pass = 0; pass < 3; pass++) {
          let moved = false;
          let n = 0;
          for (const m of matches) {
            if (g.removed || this.host.stopped) return;
            // a thousand files looked at in one go would keep the status endpoint waiting
            if (++n % 32 === 0) await this.host.sched.yieldIO();
            if (!g.slots.has(m.path) && (await this.considerSafely(g, m, initial, live)) === 'moved') moved = true;
          }
          if (!moved) break;
        }
        this.prune(g, new Set([...matches.map((m) => m.path), ...skipped]));
        g.scanned = true;
        initial = false;
      } while (g.rescanAgain && !g.removed && !this.host.stopped);
    } finally {
      g.scanning = false;
    }
    g.scanFirst = false;
    this.host.backlog.advance(g);
  }

  private async expand(g: GroupState): Promise<{ matches: GlobMatch[]; skipped: string[]; deps: GlobResult['deps'] }> {
    const byPath = new Map<string, GlobMatch>();
    const skipped: string[] = [];
    const deps: GlobResult['deps'] = new Map();
    // room for the files open now, plus some: a walk never holds much more than max_files
    const limit = g.maxFiles + g.slots.size + 16;
    for (const glob of g.cfg.globs) {
      const r = await walkGlob(glob, limit, this.host.dirs);
      for (const [d, v] of r.deps) deps.set(d, v);
      if (r.truncated) { g.retry = true; if (!g.scanned) g.initialTruncated = true; }
      for (const m of r.files) byPath.set(m.path, m);
      for (const s of r.skipped) {
        if (s.reason === 'fd_exhausted') { this.fdExhausted(s.error ?? 'EMFILE'); g.retry = true; continue; }
        if (s.reason === 'unreadable') g.retry = true; // permissions may change without the directory changing
        skipped.push(s.path);
        this.host.events.skipped(g, s.path, s.reason, s.error ? { error: s.error } : undefined);
      }
    }
    return { matches: [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), skipped, deps };
  }

  /** Forgets what was noted about paths the globs no longer match. */
  private prune(g: GroupState, matched: Set<string>): void {
    for (const p of g.pending.keys()) if (!matched.has(p)) g.pending.delete(p);
    for (const p of g.seen.keys()) if (!matched.has(p)) g.seen.delete(p);
    for (const p of g.warned.keys()) if (!matched.has(p)) this.host.events.forget(g, p);
    for (const p of [...g.series.keys()]) if (!matched.has(p)) this.host.open.forgetPath(g, p);
    if (g.capped && fileCount(g) < g.maxFiles) g.capped = false;
    if (g.pending.size > 0) g.retry = true;
  }

  /** consider(), with an unexpected error reported instead of stopping the scan (or the process). */
  private async considerSafely(g: GroupState, m: GlobMatch, initial: boolean, live: ReturnType<typeof liveIndex>): Promise<'moved' | 'other'> {
    try {
      return await this.consider(g, m, initial, live);
    } catch (e) {
      this.host.log.error('error looking at a file; it is looked at again at the next scan', { group: g.cfg.name, path: m.path, error: e instanceof Error ? e.stack ?? e.message : String(e) });
      return 'other';
    }
  }

  /** Looks at one path not open yet. 'moved': an open file was found under this new name. */
  private async consider(g: GroupState, m: GlobMatch, initial: boolean, live: ReturnType<typeof liveIndex>): Promise<'moved' | 'other'> {
    const p = m.path;
    let st: fs.Stats;
    try { st = fs.statSync(m.fsPath); } catch (e) { g.retry = true; this.openFailed(g, p, e); return 'other'; }
    if (!st.isFile()) { this.host.events.skipped(g, p, 'not_regular'); return 'other'; }
    if (isPseudoFs(m.fsPath, st.dev)) { this.host.events.skipped(g, p, 'pseudo_filesystem'); return 'other'; }
    const open = g.byInode.get(inodeKey(st.dev, st.ino));
    if (open && open.state !== 'closed') return this.sameAsOpen(g, open, m) ? 'moved' : 'other';
    const seen = g.seen.get(p);
    if (seen && seen.dev === st.dev && seen.ino === st.ino && seen.size === st.size && seen.mtimeMs === st.mtimeMs) return 'other';
    if (g.backlog.some((c) => c.path === p)) return 'other';
    const pend = g.pending.get(p);
    if (pend && pend.size === st.size && this.host.sched.now() - pend.since < this.host.tune.grace && st.size === 0) return 'other';
    if (fileCount(g) >= g.maxFiles) { g.retry = true; this.capped(g, p); return 'other'; }
    if (!this.mayOpenFiles()) { g.retry = true; return 'other'; }
    let pr: Probe | 'not_regular' | 'pseudo_filesystem';
    try {
      pr = await probe(p, m.fsPath, FINGERPRINT_BYTES); // enough to decide; a file read from its start gets more (extendHead)
    } catch (e) {
      g.retry = true;
      this.openFailed(g, p, e);
      return 'other';
    }
    if (typeof pr === 'string') { this.host.events.skipped(g, p, pr); return 'other'; }
    if (g.removed || this.host.stopped || g.slots.has(p)) { release(pr); return 'other'; }
    this.apply(g, pr, decide(g, pr, initial ? 'initial' : 'later', live, this.host), initial);
    return 'other';
  }

  /** The path is a second name of an open file: a hard link (skipped), or the file renamed (followed). */
  private sameAsOpen(g: GroupState, open: NonNullable<ReturnType<GroupState['byInode']['get']>>, m: GlobMatch): boolean {
    let still = false;
    try { const cur = fs.statSync(open.fsPath); still = cur.dev === open.reader.dev && cur.ino === open.reader.ino; } catch { /* gone */ }
    if (still) {
      if (g.warned.get(m.path) !== 'alias') {
        g.warned.set(m.path, 'alias');
        this.host.log.info('skipping a second name of a file already tailed', { group: g.cfg.name, path: m.path, tailed: open.path });
      }
      return false;
    }
    this.host.open.move(open, m.path, m.fsPath);
    return true;
  }

  /** Acts on a decision about a probed file. */
  apply(g: GroupState, pr: Probe, d: Decision, initial: boolean): void {
    const p = pr.path;
    if (d.kind !== 'pending') g.pending.delete(p);
    if (d.kind !== 'tail' && d.kind !== 'read') release(pr);
    switch (d.kind) {
      case 'skip':
        this.host.events.skipped(g, p, 'unsupported_format', { format: d.detail });
        this.remember(g, pr);
        return;
      case 'pending': {
        const cur = g.pending.get(p);
        if (!cur || cur.size !== pr.size) g.pending.set(p, { fsPath: pr.fsPath, since: this.host.sched.now(), size: pr.size });
        this.host.changes.scheduleRescan(g, this.host.tune.grace); // looked at again even if nothing else happens
        return;
      }
      case 'known':
        if (d.record) g.ledger.add({ ...d.record, path: p });
        this.remember(g, pr);
        return;
      case 'tail': {
        const r = openAt(this.host, g, pr, d.start, d.why);
        if (r) this.host.open.add(g, p, pr.fsPath, r);
        return;
      }
      case 'read': {
        // Parsed only when the candidate is compared with another (a file read alone, as most
        // are, costs no parsing here: with -j N parsing belongs to the workers). The probe keeps
        // its file open while the candidate waits.
        let firstTime: number | undefined;
        const timeOf = () => (firstTime ??= this.firstTime(g, pr));
        const c: Candidate = { path: p, fsPath: pr.fsPath, probe: pr, start: d.start, get firstTime() { return timeOf(); }, mtimeMs: pr.mtimeMs, why: d.why };
        g.backlog = readingOrder([...g.backlog, c]);
        if (!initial) this.host.backlog.advance(g);
      }
    }
  }

  /** The log time of the first line of pr's file the group can parse (NaN: none, or no parser). */
  private firstTime(g: GroupState, pr: Probe): number {
    if (!this.host.firstTime) return NaN;
    extendHead(pr, PROBE_BYTES);
    const lines = firstLines(pr.head);
    return lines.length ? this.host.firstTime(g.cfg.name, lines) : NaN;
  }

  private remember(g: GroupState, pr: Probe): void {
    g.seen.set(pr.path, { dev: pr.dev, ino: pr.ino, size: pr.size, mtimeMs: pr.mtimeMs });
  }

  private capped(g: GroupState, p: string): void {
    this.host.events.skipped(g, p, 'max_files');
    if (g.capped) return;
    g.capped = true;
    this.host.log.warn('max_files reached: more files match the globs than the group may tail; the others are left alone',
      { group: g.cfg.name, max_files: g.maxFiles, example: p });
  }

  /**
   * Out of file descriptors: no file is opened for a while (1 s, doubling while it goes on, up to a
   * minute), and the reserve of descriptors is given up so that the status endpoint, the pushers
   * and the state file can still open theirs.
   */
  fdExhausted(code: string): void {
    const now = this.host.sched.now();
    if (now >= this.fdBackoffUntil) this.fdBackoffMs = Math.min(60_000, now - this.fdBackoffUntil < 5000 ? this.fdBackoffMs * 2 : 1000);
    this.fdBackoffUntil = now + this.fdBackoffMs;
    this.host.fdReserve.release();
    this.host.events.fdExhausted(code);
  }

  /** May files be opened now? After a back-off, only once the reserve could be taken again. */
  private mayOpenFiles(): boolean {
    if (this.host.sched.now() < this.fdBackoffUntil) return false;
    if (this.host.fdReserve.refill()) return true;
    this.fdExhausted('EMFILE');
    return false;
  }

  openFailed(g: GroupState, p: string, e: unknown): void {
    const code = errCode(e);
    if (code === 'ENOENT') return; // vanished between the glob and the open: nothing to say
    if (isFdExhausted(code)) { this.fdExhausted(code); return; }
    this.host.events.skipped(g, p, 'unreadable', { error: e instanceof Error ? e.message : code });
  }
}

export type { Decision };
