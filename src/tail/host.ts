// What the parts of the tail stage (discovery, the file state machine) share: the manager's
// services and the few operations that change which files are open. A type-only view of
// TailManager (no import at run time).
import type { TailManager } from './tailer.js';

export interface Tunables {
  chunkBytes: number;
  turnBytes: number;
  grace: number;
  fileCheckMs: number;
  pollFileCheckMs: number;
  onceMaxOpen: number;
  rescanDelayMs: number;
}

/** What the parts of the stage use of the manager. */
export type TailHost = Pick<TailManager,
  | 'opts' | 'tune' | 'sched' | 'log' | 'events' | 'pump' | 'watcher' | 'firstTime' | 'fdReserve' | 'dirs' | 'stopped'
  | 'readerOptions' | 'open' | 'backlog' | 'changes' | 'discovery'>;
