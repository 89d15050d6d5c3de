// One journalctl run of a journal source: the output parsed into batches and handed on, the run
// watched (journal.directory going away, a permission hint on stderr), and how it ended classified.
import { statSync } from 'node:fs';
import type { Logger, WarnLimiter } from '../../core/log.js';
import { classifyExit, deniedOnStderr, noJournalctlError, type ExitClass } from './access.js';
import type { JournalBatch } from './batch.js';
import { journalctlArgs, type JournalSpec, type ReadMode } from './command.js';
import { ExportFormatError, ExportParser } from './export.js';
import { JournalctlRun } from './run.js';

// 'malformed': the output was not the export format, or ended inside an entry (journalctl killed)
export type Outcome = ExitClass | 'stopped' | 'directory-lost' | 'malformed';

export interface ReadContext {
  group: string;
  /** The batches' `path`. */
  name: string;
  spec: JournalSpec;
  command: readonly string[];
  maxLineBytes: number;
  checkMs: number;
  log: Logger;
  warn: WarnLimiter;
  /** Hands a batch on (not in 'lastCursor' mode); a promise holds reading until it settles. */
  deliver(b: JournalBatch): void | Promise<void>;
  /** 'lastCursor' mode: the cursor of the last entry. */
  found(cursor: string): void;
  stopped(): boolean;
  /** The run in progress (null once it ended), for stopping it. */
  running(run: JournalctlRun | null): void;
}

/** One journalctl run in `mode`, its batches handed on; how it ended. Throws the sink's error, or a JournalError when journalctl cannot run. */
export async function readJournal(ctx: ReadContext, mode: ReadMode): Promise<Outcome> {
  if (ctx.stopped()) return 'stopped';
  const { group, spec } = ctx;
  const from = mode.kind === 'read' || mode.kind === 'follow' ? mode.from : null;
  const parser = new ExportParser(ctx.name, spec.fields, ctx.maxLineBytes, from);
  let malformed = false;
  let lost = false;
  let denied = false;
  const run = new JournalctlRun(ctx.command, journalctlArgs(spec, mode), (chunk) => {
    try {
      parser.push(chunk);
    } catch (e) {
      if (!(e instanceof ExportFormatError)) throw e;
      malformed = true;
      ctx.log.warn('journalctl output is not in the export format', { group, error: e.message });
      void run.stop();
      return;
    }
    const b = parser.take();
    if (!b) return;
    if (mode.kind === 'lastCursor') { ctx.found(b.cursor); return; }
    return ctx.deliver(b);
  }, (text) => {
    if (deniedOnStderr(text)) { denied = true; void run.stop(); return; }
    // a follow run may never end to have its stderr read: say it as it comes
    if (mode.kind === 'follow') ctx.warn.warn('journalctl_stderr', ctx.name, 'journalctl says', { group, stderr: text.trim().slice(0, 1000) });
  });
  ctx.running(run);
  const watch = mode.kind === 'follow' && spec.directory !== null ? watchDirectory(spec.directory, ctx.checkMs, () => { lost = true; void run.stop(); }) : null;
  const end = await run.ended;
  if (watch) clearInterval(watch);
  ctx.running(null);
  if (end.consumerError !== undefined) throw end.consumerError;
  if (end.spawnError) throw noJournalctlError(group, end.spawnError.code ?? end.spawnError.message);
  if (denied) return classifyExit(group, spec.directory, end.code, end.signal, end.stderr);
  if (ctx.stopped()) return 'stopped';
  if (lost) return 'directory-lost';
  if (malformed) return 'malformed';
  const c = classifyExit(group, spec.directory, end.code, end.signal, end.stderr);
  if (c === 'ok' && parser.pendingBytes > 0) {
    ctx.log.warn('journalctl\'s output ended inside an entry', { group, bytes: parser.pendingBytes });
    return 'malformed';
  }
  if (c === 'ok' && mode.kind !== 'follow' && end.stderr.trim()) ctx.warn.warn('journalctl_stderr', ctx.name, 'journalctl says', { group, stderr: end.stderr.trim().slice(0, 1000) });
  return c;
}

/** While following a directory: calls onLost when the directory goes away or is replaced. */
function watchDirectory(dir: string, everyMs: number, onLost: () => void): NodeJS.Timeout {
  const ino = inodeOf(dir);
  return setInterval(() => { if (inodeOf(dir) !== ino) onLost(); }, everyMs);
}

function inodeOf(dir: string): number {
  try {
    const st = statSync(dir);
    return st.isDirectory() ? st.ino : -1;
  } catch {
    return -1;
  }
}
