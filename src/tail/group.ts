// A log group's tailing state: its open files, what it has finished with (the ledger), the files
// waiting to be read from a position in time order (the backlog), and the ones seen but not decided.
import type { Timer } from '../core/scheduler.js';
import type { Series } from '../selfstats/registry.js';
import { Ledger } from './identity.js';
import type { Probe } from './probe.js';
import type { Slot } from './slot.js';
import type { TailGroup } from './types.js';
import { globToRegExp } from './glob.js';

export const DEFAULT_MAX_FILES = 1000;
/** Finished files remembered per group, besides the ones its globs match now. */
export const LEDGER_EXTRA = 1024;

/** A file waiting to be read from `start` (content offset), in the group's reading order. */
export interface Candidate {
  path: string;
  fsPath: string | Buffer;
  probe: Probe;
  start: number;
  /** Log time of its first parsable line (NaN: none); computed when first asked. */
  readonly firstTime: number;
  mtimeMs: number;
  /** Why it starts where it does, for the log line. */
  why: string;
}

/** A file seen but not opened yet: empty, or maybe a copy still being written. */
export interface PendingFile {
  fsPath: string | Buffer;
  since: number;   // wall ms when first seen in this state
  size: number;
}

/** A path decided without opening it (finished, skipped): not looked at again while unchanged. */
export interface SeenFile {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface GroupState {
  cfg: TailGroup;
  regexes: RegExp[];
  maxFiles: number;
  slots: Map<string, Slot>;
  byInode: Map<string, Slot>;
  ledger: Ledger;
  backlog: Candidate[];
  /** The backlog file being read (one at a time, to its end, before the next). */
  active: Slot | null;
  activating: boolean;
  /** Truncated files, released once the backlog (the copies of their old content) is read. */
  held: Slot[];
  /** Open files followed to a new name: drained to their end before the backlog moves on. */
  draining: Set<Slot>;
  /** Records restored from the checkpoint (their files are said to resume "from its checkpoint"). */
  restoredRecords: WeakSet<object>;
  pending: Map<string, PendingFile>;
  seen: Map<string, SeenFile>;
  /** Per path: its tail.line_read and tail.byte_read counters. */
  series: Map<string, [Series, Series]>;
  /** Paths warned about, with the reason (each warned once while it stays). */
  warned: Map<string, string>;
  /** Set when a checkpoint was restored: files unknown to it and changed after this (wall ms) are new. */
  restoredSince: number | null;
  /** Wall time (ms, the files' clock) of the group's first scan. */
  startedAt: number;
  /**
   * The first scan stopped at max_files: files it did not reach, found later, were there at
   * start-up all the same (those created before startedAt start at their end, not their start).
   */
  initialTruncated: boolean;
  scanned: boolean;                   // first scan done
  initialPending: boolean;            // next scan treats matched files as present at start-up
  scanning: boolean;
  rescanAgain: boolean;
  rescanTimer: Timer | null;
  /** The directories the last walk listed (a rescan is skipped while they list the same). */
  deps: Map<string, { gen: number; fs: string | Buffer }> | null;
  /** The last scan left something to look at again (pending, unreadable, capped, backed off). */
  retry: boolean;
  /** A scan must run before the next backlog file is chosen (a truncation: its copy may have appeared). */
  scanFirst: boolean;
  behindCount: number;
  hadData: boolean;
  removed: boolean;
  capped: boolean;                    // max_files reached (warned once until it is no longer)
}

export function newGroup(cfg: TailGroup, restoredSince: number | null, startedAt: number): GroupState {
  const maxFiles = cfg.maxFiles ?? DEFAULT_MAX_FILES;
  return {
    cfg: { ...cfg, globs: [...cfg.globs] }, regexes: cfg.globs.map(globToRegExp), maxFiles,
    slots: new Map(), byInode: new Map(), ledger: new Ledger(maxFiles + LEDGER_EXTRA), backlog: [], active: null, activating: false,
    held: [], draining: new Set(), restoredRecords: new WeakSet(), pending: new Map(), seen: new Map(), series: new Map(), warned: new Map(), restoredSince, startedAt, initialTruncated: false,
    scanned: false, initialPending: false, scanning: false, rescanAgain: false, rescanTimer: null, deps: null, retry: false, scanFirst: false,
    behindCount: 0, hadData: false, removed: false, capped: false,
  };
}

export const inodeKey = (dev: number, ino: number) => `${dev}:${ino}`;

/** Files the group holds open or queued: what max_files bounds. */
export function fileCount(g: GroupState): number {
  return g.slots.size + g.backlog.length;
}
