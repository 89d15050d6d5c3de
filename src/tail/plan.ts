// What a group would read, in which order, and what it cannot: for --check. The same rules as the
// tailer's: the globs' files (at most max_files), looked at as the tailer does (format, first
// lines), in reading order (order.ts), with what is skipped and why.
import { walkGlob } from './walk.js';
import { canDecompress, unreadableReason, type Format } from './format.js';
import { firstLines } from './lines.js';
import { readingOrder } from './order.js';
import { probe, release } from './probe.js';
import { DEFAULT_MAX_FILES } from './group.js';
import type { FirstTime, TailGroup } from './types.js';

export interface PlannedFile {
  path: string;
  size: number;
  format: Format;
  /** Why it would not be read (a format that cannot be decompressed), or null. */
  skip: string | null;
  firstTime: number;
  mtimeMs: number;
}

export interface GroupPlan {
  /** Files each glob matches now. */
  perGlob: Array<{ glob: string; files: number }>;
  /** Every file, in the order the group reads them from their start. */
  files: PlannedFile[];
  /** What cannot be read or is left out (unreadable directories and files, special files, max_files). */
  problems: Array<{ path: string; reason: string }>;
}

export async function planGroup(cfg: TailGroup, firstTime: FirstTime | null): Promise<GroupPlan> {
  const max = cfg.maxFiles ?? DEFAULT_MAX_FILES;
  const perGlob: GroupPlan['perGlob'] = [];
  const problems: GroupPlan['problems'] = [];
  const seen = new Map<string, string | Buffer>();
  for (const glob of cfg.globs) {
    const r = await walkGlob(glob, max + 1);
    perGlob.push({ glob, files: r.files.length });
    for (const m of r.files) seen.set(m.path, m.fsPath);
    for (const s of r.skipped) problems.push({ path: s.path, reason: s.error ?? s.reason.replace(/_/g, ' ') });
  }
  const files: PlannedFile[] = [];
  for (const [p, fsPath] of [...seen].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (files.length >= max) { problems.push({ path: p, reason: `max_files (${max}) reached: left alone` }); continue; }
    let pr: Awaited<ReturnType<typeof probe>>;
    try {
      pr = await probe(p, fsPath);
    } catch (e) {
      const x = e as NodeJS.ErrnoException;
      if (x.code !== 'ENOENT') problems.push({ path: p, reason: x.code ? `${x.code}: ${x.message.replace(/^[A-Z]+: /, '')}` : String(e) });
      continue;
    }
    if (typeof pr === 'string') { problems.push({ path: p, reason: pr.replace(/_/g, ' ') }); continue; }
    release(pr);
    const lines = firstTime ? firstLines(pr.head) : [];
    files.push({
      path: p, size: pr.size, format: pr.format, skip: canDecompress(pr.format) || pr.format === 'plain' ? null : unreadableReason(pr.format),
      firstTime: firstTime && lines.length ? firstTime(cfg.name, lines) : NaN, mtimeMs: pr.mtimeMs,
    });
  }
  return { perGlob, files: readingOrder(files), problems };
}
