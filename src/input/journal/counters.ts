// The internal metrics of one journal source (spec section 9), tagged like a tailed file's
// ({log_group, filename}), the "filename" being `journal` or `journal:<directory>`. Lines too long
// are counted where a file's are (the processing stage's tail.line_too_long, from the batch).
import type { Registry, Series } from '../../selfstats/registry.js';
import type { JournalBatch } from './batch.js';

export class SourceCounters {
  readonly lineRead: Series;
  readonly byteRead: Series;
  readonly binary: Series;
  readonly noMessage: Series;
  readonly restart: Series;
  readonly directoryMissing: Series;
  readonly badCursor: Series;

  constructor(registry: Registry, group: string, source: string) {
    const tags = { log_group: group, filename: source };
    this.lineRead = registry.counter('tail.line_read', tags);
    this.byteRead = registry.counter('tail.byte_read', tags);
    this.binary = registry.counter('journal.binary_message', tags);
    this.noMessage = registry.counter('journal.no_message', tags);
    this.restart = registry.counter('journal.restart', tags);
    this.directoryMissing = registry.counter('journal.directory_missing', tags);
    this.badCursor = registry.counter('journal.bad_cursor', tags);
  }

  count(b: JournalBatch): void {
    this.lineRead.value += b.lines.length;
    this.byteRead.value += b.bytes;
    this.binary.value += b.binary;
    this.noMessage.value += b.noMessage;
  }
}
