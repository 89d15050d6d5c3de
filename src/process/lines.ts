// The one per-line extraction loop (spec section 3), run by the engine on the main thread and by the
// parse workers alike: each line of a batch goes through the group's Extractor, the file's newest log
// time (year inference) moves with each matched line, and what became of the line goes to a LineSink.
// On the main thread the sink is the group's stage (process/group.ts), which records into the
// datapool; in a worker it is the result encoder (parallel/protocol.ts), whose result the stage
// decodes into the same steps.
import { Outcome, type Extractor, type FileCtx } from '../parse/extract.js';

export interface LineSink {
  /** Line i matched: `ex` holds its log time, tag values, values and value failures until the next line. */
  matched(i: number, ex: Extractor): void;
  /** Line i is dropped: no match, a bad or out-of-range date, or cut off (`skip`). */
  failed(i: number, o: Outcome): void;
}

/**
 * Extracts `lines` in order into `sink`. `watch[0]` (a worker's shared progress slot) is set to the
 * index of the line being extracted, for the watchdog; the lines listed in `skip` (ascending) are
 * not extracted but dropped as Outcome.Timeout (a line that kept a previous worker busy too long).
 */
export function extractLines(ex: Extractor, file: FileCtx, lines: readonly string[], wallSec: number, sink: LineSink,
  watch: Int32Array | null = null, skip: readonly number[] = NO_SKIP): void {
  let k = 0;
  let next = skip.length > 0 ? skip[0]! : -1;
  for (let i = 0; i < lines.length; i++) {
    if (i === next) {
      next = ++k < skip.length ? skip[k]! : -1;
      sink.failed(i, Outcome.Timeout);
      continue;
    }
    if (watch !== null) watch[0] = i;
    const o = ex.extract(lines[i]!, file, wallSec);
    if (o !== Outcome.Matched) {
      sink.failed(i, o);
      continue;
    }
    if (!(ex.t <= file.newest)) file.newest = ex.t;
    sink.matched(i, ex);
  }
}

const NO_SKIP: readonly number[] = [];
