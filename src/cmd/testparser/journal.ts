// --test-parser on a journal group: its last entries (LAST_ENTRIES), read once through the group's
// own JournalSource (its matches, directory and fields), as InputLines carrying each entry's time and
// fields, so the extraction is the collector's. Batches are taken one at a time: the source waits
// while the report is written (memory stays at one batch).
import type { LogGroup } from '../../config/types.js';
import type { Logger } from '../../core/log.js';
import { Registry } from '../../selfstats/registry.js';
import type { JournalBatch } from '../../input/journal/batch.js';
import { JournalSource } from '../../input/journal/source.js';
import type { InputLine } from './lines.js';

/** How many of a journal group's entries --test-parser reads (the newest). */
export const LAST_ENTRIES = 10_000;

/** A line of a journal entry: its time (µs) and the group's fields besides the message. */
export interface EntryLine extends InputLine {
  timeUs?: number;
  fields?: ReadonlyArray<string | undefined> | null;
}

/**
 * The group's last `entries` entries in batches of lines; an entry whose MESSAGE is over
 * max_line_bytes comes as a tooLong line with no text (bytes -1: the journal does not say how long).
 * Throws the source's JournalError (a journal that cannot be read) after the lines read.
 */
export async function* journalLines(group: LogGroup, maxLineBytes: number, log: Logger, onBytes: (n: number) => void,
  entries = LAST_ENTRIES): AsyncGenerator<EntryLine[]> {
  let pending: { batch: JournalBatch; take: () => void } | null = null;
  let wake: (() => void) | null = null;
  let finished = false;
  const source = new JournalSource({
    group: group.name, spec: group.journal!, start: { from: 'last', entries }, follow: false, maxLineBytes, log, registry: new Registry(),
    sink: (batch) => new Promise<void>((take) => { pending = { batch, take }; wake?.(); }),
  });
  source.done.then(() => undefined, () => undefined).finally(() => { finished = true; wake?.(); });
  source.start();
  let no = 0;
  try {
    for (;;) {
      const p = pending as { batch: JournalBatch; take: () => void } | null;
      if (p !== null) {
        pending = null;
        onBytes(p.batch.bytes);
        yield toLines(p.batch, no);
        no += p.batch.lines.length + p.batch.skippedLong;
        p.take();
        continue;
      }
      if (finished) break;
      await new Promise<void>((r) => { wake = r; });
      wake = null;
    }
  } finally {
    await source.stop();
  }
  await source.done;
}

function toLines(b: JournalBatch, from: number): EntryLine[] {
  const out: EntryLine[] = b.lines.map((text, i) => ({
    no: from + i + 1, text, tooLong: false, bytes: Buffer.byteLength(text), timeUs: b.timesUs[i]!, fields: b.fields.length ? b.fields[i]! : null,
  }));
  for (let k = 0; k < b.skippedLong; k++) out.push({ no: from + b.lines.length + k + 1, text: '', tooLong: true, bytes: -1 });
  return out;
}
