// The per-file state machine: what one turn of the pump does with one open file (slot.ts names the
// states).
// - A turn stats the file, checks for truncation, and reads up to turnBytes (in chunkBytes chunks,
//   one batch each). More left: 'reading', back in the queue. At the end: 'idle', after a look at
//   whether the path still names this file.
// - Rotation by rename: the path names another file, or nothing. The old file is drained again
//   *after* the rename was seen (lines written just before it are read), and once the new file has
//   content or the old one has been quiet for the rotation grace (the app may write to the renamed
//   file until it reopens its log) the decision is taken ('leaving'); one more drain, then the
//   partial last line is emitted, what was read is recorded in the ledger, and the new file is read
//   from its start (or the slot closes when nothing replaced it).
// - Truncation (copytruncate, `> file`): the size went below the read position, or the first bytes
//   changed. What was read of the old content goes to the ledger; when the globs may match a copy,
//   the file is 'held' while a rescan looks for it, so the copy's unread lines are read first.
// - A compressed file, and every file with --once, is read to its end once and closed.
// - The backlog file of a group (the one being read from a position) hands over to the next one
//   when it first reaches its end.
import * as fs from 'node:fs';
import type { LineBatch } from '../core/types.js';
import { WarnLimiter } from '../core/log.js';
import type { TailHost } from './host.js';
import { SinkError } from './pump.js';
import { CompressedReader } from './compressed.js';
import { FileReader, type ContentReader } from './reader.js';
import { hasMagic } from './glob.js';
import type { Slot } from './slot.js';

const errCode = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? String(e);
type ReadEnd = 'eof' | 'more' | 'gone';

export class FileMachine {
  private readonly warn: WarnLimiter;

  constructor(private readonly host: TailHost) {
    this.warn = new WarnLimiter(host.log, () => host.sched.now());
  }

  async turn(s: Slot): Promise<void> {
    if (s.state === 'held' || s.state === 'closed') return;
    const r = s.reader;
    let end: ReadEnd;
    try {
      if (r instanceof FileReader) {
        const changed = r.stat(); // (a file that did not change since it was opened cannot have been truncated)
        if (changed && r.truncated()) { this.truncated(s, r); return; }
        const known = s.state === 'fresh' || s.state === 'reading' || s.state === 'leaving';
        end = !changed && !known && r.readPos >= r.size ? 'eof' : await this.readSome(s, r);
      } else {
        end = await this.readSome(s, r);
      }
    } catch (e) {
      if (e instanceof SinkError) throw e;
      this.warn.warn('read_error', s.path, 'error reading file', { group: s.group.cfg.name, error: e instanceof Error ? e.message : String(e) });
      if (r.format !== 'plain' || this.host.opts.once) await this.finish(s, 'unreadable');
      else this.host.open.updateBehind(s);
      return;
    }
    if (end === 'gone') return;
    if (end === 'more') {
      if (s.group.active === s && r.readPos >= s.firstPassEnd) this.host.backlog.firstPassDone(s);
      if (s.state !== 'leaving') s.state = 'reading';
      this.host.pump.enqueue(s);
      this.host.open.updateBehind(s);
      return;
    }
    if (s.state === 'fresh' || s.state === 'reading') s.state = 'idle';
    const g = s.group;
    this.host.backlog.firstPassDone(s);
    if (g.draining.delete(s)) this.host.backlog.advance(g);
    if (r.format !== 'plain' || this.host.opts.once) { await this.finish(s, 'read'); return; }
    try {
      await this.checkRotation(s, r as FileReader);
    } catch (e) {
      if (e instanceof SinkError) throw e;
      this.warn.warn('rotation_error', s.path, 'error checking file rotation', { group: g.cfg.name, error: e instanceof Error ? e.message : String(e) });
    }
    this.host.open.updateBehind(s);
  }

  /** Reads up to turnBytes: 'eof' at the end, 'more' when there is more, 'gone' when the slot changed meanwhile. */
  private async readSome(s: Slot, r: ContentReader): Promise<ReadEnd> {
    let budget = this.host.tune.turnBytes;
    while (budget > 0) {
      const c = r.readChunk(budget, this.host.sched.now());
      if (c.wait) {
        await r.ready();
        if (s.state === 'closed' || this.host.stopped || s.reader !== r) return 'gone';
        continue;
      }
      budget -= c.n;
      if (c.batch) {
        await this.emit(s, r, c.batch);
        if (s.state === 'closed' || this.host.stopped || s.reader !== r) return 'gone';
      }
      if (c.end || c.n === 0) return 'eof';
    }
    return 'more';
  }

  /**
   * At the end of a plain file: does its path still name it? Acting takes two turns: the decision
   * (the new file has content, or the old one has been quiet for the grace) at the end of one, one
   * more drain of the old file in the next, and only then the switch: so whatever was written to the
   * old file before the new one got content, or before it fell quiet, is read.
   */
  private async checkRotation(s: Slot, r: FileReader): Promise<void> {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(s.fsPath);
    } catch (e) {
      const code = errCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return; // EACCES and such: try again later
    }
    if (st && st.dev === r.dev && st.ino === r.ino) { s.state = 'idle'; return; }
    if (s.state === 'leaving') {
      if (st) await this.switchFile(s, r);
      else await this.finish(s, r.nlink() === 0 ? 'deleted' : 'renamed away');
      return;
    }
    const quiet = this.host.sched.now() - r.lastDataAt >= this.host.tune.grace;
    if ((st && st.size > 0) || quiet) {
      s.state = 'leaving';
      this.host.pump.enqueue(s);
    } else {
      s.state = 'rotated'; // the new file is still empty and the old one still written to: the poll comes back
    }
  }

  /**
   * Rename rotation: emit the old file's partial line, record what was read of it, close it. The new
   * file at the path is then looked at like any file that appears (a rescan at once): read from its
   * start, unless it is a copy of what was read (copytruncate's copy renamed over the old one), or
   * left pending while it is empty.
   */
  private async switchFile(s: Slot, old: FileReader): Promise<void> {
    const g = s.group;
    const b = old.flushPartial();
    if (b) {
      await this.emit(s, old, b);
      if (s.state === 'closed' || this.host.stopped || s.reader !== old) return;
    }
    this.host.open.retire(s);
    this.host.log.info('file rotated, reading the new file from its start', { group: g.cfg.name, path: s.path, old_ino: old.ino, offset: old.consumed });
    this.host.open.drop(s);
    this.host.changes.scheduleRescan(g, 0);
  }

  /**
   * The file was truncated. Its old content goes to the ledger (a copy of it is then read from
   * where it was left), and it is read again from its start: after the copies, when the globs may
   * match one (a rescan looks first), else at once.
   */
  private truncated(s: Slot, r: FileReader): void {
    const g = s.group;
    this.host.log.info('file truncated, reading it from its start', { group: g.cfg.name, path: s.path, offset: r.consumed, size: r.size });
    if (!this.host.opts.once) this.host.open.retire(s);
    r.resetToStart();
    if (this.host.opts.once || !g.cfg.globs.some((x) => hasMagic(x))) {
      s.state = 'reading';
      this.host.pump.enqueue(s);
      this.host.open.updateBehind(s);
      return;
    }
    s.state = 'held';
    g.held.push(s);
    g.scanFirst = true;
    this.host.open.updateBehind(s);
    this.host.changes.scheduleRescan(g, 0);
  }

  /** Read to its end (or could not be read): emit the partial line, record it, close. */
  async finish(s: Slot, why: string): Promise<void> {
    const r = s.reader;
    const b = r.flushPartial();
    if (b) {
      await this.emit(s, r, b);
      if (s.state === 'closed' || this.host.stopped || s.reader !== r) return;
    }
    const g = s.group;
    const fields = { group: g.cfg.name, path: s.path, offset: r.consumed };
    if (r instanceof CompressedReader) {
      this.host.events.compressedRead(g.cfg.name);
      this.host.events.decompressedBytes(g.cfg.name).value += r.decompressed;
      if (r.damage) this.host.events.damaged(g, s.path, r.damage.message, r.consumed > 0);
      this.host.log.info('compressed file read to its end', fields);
      // not looked at again while it stays as it is (a damaged one is not read again on every rescan)
      g.seen.set(s.path, { dev: r.dev, ino: r.ino, size: r.fileSize, mtimeMs: r.mtimeMs });
    } else if (why !== 'read') {
      this.host.log.info(`file ${why}: read to its end and closed`, fields);
    }
    this.host.open.retire(s);
    this.host.open.drop(s);
  }

  async emit(s: Slot, r: ContentReader, batch: LineBatch): Promise<void> {
    const [lineRead, byteRead] = s.series ??= this.host.open.series(s.group, s.path);
    lineRead.value += batch.lines.length;
    byteRead.value += batch.bytes;
    s.group.hadData = true;
    if (batch.skippedLong) {
      this.warn.warn('line_too_long', s.path, 'line longer than max_line_bytes skipped',
        { group: s.group.cfg.name, max_line_bytes: this.host.opts.maxLineBytes, skipped: batch.skippedLong });
    }
    await this.host.pump.emit(s.group.cfg.name, batch, r.identity());
  }
}
