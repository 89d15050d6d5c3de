// The tail stage's boundary: what the run modes hand it (groups, options, a sink) and what it hands
// back (positions for checkpoints, file status).
import type { FileIdentity, LineBatch } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { Scheduler } from '../core/scheduler.js';
import type { Registry } from '../selfstats/registry.js';
import type { FileRecord } from './identity.js';

export interface TailGroup {
  name: string;
  globs: string[];     // absolute patterns
  pollFile: boolean;   // stat polling only (every 250 ms), no fs.watch
  fromStart: boolean;  // files present at start-up are read from their start instead of their end
  maxFiles?: number;   // files tailed at once (max_files, default 1000)
}

/**
 * Receives every batch. Returning a promise holds all reading until it settles (backpressure).
 * `identity` is the identity of the file the batch came from at the time it was read (during a
 * rename rotation, batches of the old and the new file carry the same path but different inodes).
 * A sink that throws or rejects is a fatal error: reading stops and `done` rejects.
 */
export type TailSink = (group: string, batch: LineBatch, identity: FileIdentity) => void | Promise<void>;

/**
 * The log time (s) of the first line of `lines` the group can parse, NaN when none: orders a rotated
 * family. Built by the run modes from the group's extractor (the tail stage does not parse lines).
 */
export type FirstTime = (group: string, lines: string[]) => number;

/** A checkpointed file record, with its group. */
export interface GroupRecord extends FileRecord {
  group: string;
}

/** What a restored checkpoint tells the tailer: the records, and when they were written (wall ms). */
export interface Restored {
  records: GroupRecord[];
  writtenAt: number;
}

export interface TailManagerOptions {
  pollIntervalSec: number;   // glob rescans
  maxLineBytes: number;
  once: boolean;
  /** Positions from the state file: files are found by identity wherever rotation moved them. */
  restored?: Restored;
  log: Logger;
  registry: Registry;
  /** Timers and the wall clock (ms). Default: the system's. */
  scheduler?: Scheduler;
  /** The clock file times are on (the real one, not --assume-now's): default Date.now. */
  fileClock?: () => number;
  sink: TailSink;
  /** Orders files read from their start by the time of their first line. Default: rotation order only. */
  firstTime?: FirstTime;
  /** Called when all of a group's files are read to their end after some lines were handed out. */
  onIdle?: (group: string) => void;
  chunkBytes?: number;       // default 64 KB
  turnBytes?: number;        // per file per turn, default 256 KB
  fileCheckMs?: number;      // stat poll of watched files, default 1000
  pollFileCheckMs?: number;  // stat poll of poll_file groups, default 250
  rotateGraceMs?: number;    // default 5000
  onceMaxOpen?: number;      // --once: groups read at a time, default 256
  rescanDelayMs?: number;    // a directory event -> a rescan of the groups it concerns, default 100
}

export interface TailPosition extends GroupRecord {
  identity: FileIdentity;
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
  compressed: boolean;
}

/** --once progress: files finished and known, on-disk bytes read. */
export interface TailProgress {
  file: number;              // 1-based index of the file being read (across groups)
  files: number;             // files known to read
  diskBytes: number;         // on-disk bytes of the files finished, plus the read position of open plain files
}
