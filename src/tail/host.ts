// What the parts of the tail stage (discovery, the file state machine) share: the manager's
// services and the few operations that change which files are open.
import type { Logger } from '../core/log.js';
import type { Series } from '../selfstats/registry.js';
import type { Scheduler } from '../core/scheduler.js';
import type { TailEvents } from './events.js';
import type { GroupState } from './group.js';
import type { Pump } from './pump.js';
import type { ContentReader, ReaderOptions } from './reader.js';
import type { Slot } from './slot.js';
import type { Watcher } from './watch.js';
import type { FdReserve } from './fdreserve.js';
import type { DirCache } from './dircache.js';
import type { FirstTime, TailManagerOptions } from './types.js';

export interface Tunables {
  chunkBytes: number;
  turnBytes: number;
  grace: number;
  fileCheckMs: number;
  pollFileCheckMs: number;
  onceMaxOpen: number;
  rescanDelayMs: number;
}

export interface TailHost {
  readonly opts: TailManagerOptions;
  readonly tune: Tunables;
  readonly sched: Scheduler;
  readonly log: Logger;
  readonly events: TailEvents;
  readonly pump: Pump;
  readonly watcher: Watcher;
  readonly firstTime: FirstTime | null;
  readonly fdReserve: FdReserve;
  /** Directory listings shared by the groups' walks. */
  readonly dirs: DirCache;
  readonly stopped: boolean;
  readerOptions(fsPath: string | Buffer): ReaderOptions;
  /** Registers an open file: counters, watchers, caught-up tracking; queues it for a first turn. */
  addSlot(g: GroupState, path: string, fsPath: string | Buffer, reader: ContentReader): Slot;
  /** The file is now known under another name. */
  moveSlot(s: Slot, path: string, fsPath: string | Buffer): void;
  /** Closes a file without emitting anything more. */
  dropSlot(s: Slot): void;
  /** Remembers what was read of the file in the group's ledger. */
  retire(s: Slot): void;
  updateBehind(s: Slot): void;
  scheduleRescan(g: GroupState, delayMs?: number): void;
  /** The backlog file of g reached its end, or a file g waited for was drained: choose the next. */
  advance(g: GroupState): void;
  /** s reached its end for the first time: if it is its group's backlog file, the next one may start. */
  firstPassDone(s: Slot): void;
  /** A path's tail.line_read and tail.byte_read counters. */
  fileSeries(g: GroupState, path: string): [Series, Series];
  /** The globs no longer match the path: its counters are dropped (when no file is open there). */
  forgetPath(g: GroupState, path: string): void;
  /** --once: a group may open its next file (global bound on files open at once). */
  mayOpen(g: GroupState): boolean;
}
