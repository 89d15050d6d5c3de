// What the tail stage reports: each event is counted, and warned about once per file while it
// lasts (a file skipped on every rescan is one warning, one count). Running out of file
// descriptors is warned at most once a minute, whatever the number of files it holds back.
import type { Logger } from '../core/log.js';
import type { Registry, Series } from '../selfstats/registry.js';
import type { GroupState } from './group.js';

export type SkipReason = 'unreadable' | 'not_regular' | 'pseudo_filesystem' | 'unsupported_format' | 'max_files';

const SKIP_MESSAGES: Record<SkipReason, string> = {
  unreadable: 'cannot read file or directory; skipped',
  not_regular: 'not a regular file; skipped',
  pseudo_filesystem: 'on a pseudo file system (/proc, /sys: sizes that lie); never tailed',
  unsupported_format: 'compressed in a format the collector cannot read; skipped',
  max_files: 'max_files reached: file left alone',
};

export const FD_WARN_EVERY_MS = 60_000;
/** Warnings per group and reason before the rest are only counted (a `/**` glob meets thousands of device files). */
export const SKIP_WARN_CAP = 20;

export class TailEvents {
  private series = new Map<string, Series>();
  private fdWarnedAt = -Infinity;
  private fdDeferred = 0;
  private warnedPerReason = new Map<string, number>();

  constructor(private readonly log: Logger, private readonly registry: Registry, private readonly now: () => number) {}

  private counter(name: string, tags: Record<string, string>): Series {
    const k = name + '\0' + Object.values(tags).join('\0');
    let s = this.series.get(k);
    if (!s) { s = this.registry.counter(name, tags); this.series.set(k, s); }
    return s;
  }

  /** A file (or directory) left out: counted and warned once while it stays so. */
  skipped(g: GroupState, path: string, reason: SkipReason, detail?: Record<string, unknown>): void {
    const key = reason + (detail?.format ? ':' + String(detail.format) : '');
    if (g.warned.get(path) === key) return;
    g.warned.set(path, key);
    this.counter('tail.file_skipped', { log_group: g.cfg.name, reason }).value++;
    if (reason === 'max_files') return; // one warning for the group, by the caller
    const k = g.cfg.name + '\0' + reason;
    const n = (this.warnedPerReason.get(k) ?? 0) + 1;
    this.warnedPerReason.set(k, n);
    if (n <= SKIP_WARN_CAP) this.log.warn(SKIP_MESSAGES[reason], { group: g.cfg.name, path, ...detail });
    if (n === SKIP_WARN_CAP) {
      this.log.warn(`${SKIP_WARN_CAP} files skipped for this reason: more are counted (tail.file_skipped) without a warning each`,
        { group: g.cfg.name, reason });
    }
  }

  /** A compressed file whose stream ended on damage: counted and warned once per file. */
  damaged(g: GroupState, path: string, error: string, linesKept: boolean): void {
    if (g.warned.get(path) === 'damaged') return;
    g.warned.set(path, 'damaged');
    this.counter('tail.file_damaged', { log_group: g.cfg.name }).value++;
    this.log.warn('compressed file is corrupt or truncated: the lines before the damage were read', { group: g.cfg.name, path, error, lines_kept: linesKept });
  }

  compressedRead(group: string): void {
    this.counter('tail.compressed_file_read', { log_group: group }).value++;
  }

  decompressedBytes(group: string): Series {
    return this.counter('tail.byte_decompressed', { log_group: group });
  }

  /** Out of file descriptors: the open is retried after a back-off; warned at most once a minute. */
  fdExhausted(code: string): void {
    this.fdDeferred++;
    this.counter('tail.fd_exhausted', {}).value++;
    const t = this.now();
    if (t - this.fdWarnedAt < FD_WARN_EVERY_MS) return;
    this.fdWarnedAt = t;
    this.log.warn('out of file descriptors: opening files is backed off (raise LimitNOFILE, or narrow the globs / max_files)',
      { error: code, deferred_since_last_warning: this.fdDeferred });
    this.fdDeferred = 0;
  }

  /** Forgets a path's warnings once it no longer matches (so a later problem is warned again). */
  forget(g: GroupState, path: string): void {
    g.warned.delete(path);
  }
}

export const isFdExhausted = (code: string | undefined) => code === 'EMFILE' || code === 'ENFILE';
