// What the journal source hands to the processing stage: a LineBatch (so the engine takes it as it
// takes a file's) plus, per line, the entry's own time and the fields the group asked for, and the
// cursor to resume from.
import type { LineBatch } from '../../core/types.js';

export interface JournalBatch extends LineBatch {
  /** Per line: the entry's __REALTIME_TIMESTAMP, in microseconds since the epoch (NaN if absent). */
  timesUs: number[];
  /**
   * Per line: the values of the group's `journal.fields`, in config order (undefined where the entry
   * lacks the field, as a regex group that did not take part). Empty when the group asks for none.
   */
  fields: Array<Array<string | undefined>>;
  /**
   * The __CURSOR of the last entry this batch consumed (skipped ones included): a source started
   * from it (`{from: 'cursor'}`) reads exactly the entries after this batch.
   */
  cursor: string;
  /** Entries consumed: lines + skippedLong + noMessage. */
  entries: number;
  /** Entries whose MESSAGE is not valid UTF-8 or holds a NUL byte (decoded with U+FFFD, still in `lines`). */
  binary: number;
  /** Entries without a MESSAGE field (not in `lines`). */
  noMessage: number;
}

/** The name batches of a journal source carry as `path` (logs, per-file statistics). */
export function journalSourceName(directory: string | null): string {
  return directory === null ? 'journal' : `journal:${directory}`;
}
