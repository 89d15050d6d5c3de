// One open file of a group and where it stands. The state replaces a set of flags: each value says
// what the next turn does with the file.
import type { Series } from '../selfstats/registry.js';
import type { ContentReader } from './reader.js';
import type { GroupState } from './group.js';

export type SlotState =
  | 'fresh'     // opened, not read yet: the first turn checks for truncation and reads
  | 'reading'   // more to read is known (a watch event arrived, or a turn ran out of budget)
  | 'idle'      // read to its end, waiting for growth
  | 'rotated'   // at its end while its path points to another file, or nowhere: waits for the new
                // file to get content, or for the old one to be quiet for the rotation grace
  | 'leaving'   // decided to switch to the new file (or close): one more drain of the old one first
  | 'held'      // truncated (copytruncate): waits until the copies of its old content are read
  | 'closed';   // no longer read: finished (a compressed file, --once, deleted) or dropped

export class Slot {
  state: SlotState = 'fresh';
  /** Counted in the group's behindCount (a cache of behind(), kept in step by the tailer). */
  counted = false;
  /**
   * As its group's backlog file: where its first pass ends (its size when opened), after which the
   * next backlog file may start even if a writer keeps it from ever reaching its end.
   */
  firstPassEnd = Infinity;

  /** tail.line_read and tail.byte_read of its path, taken at its first batch (10,000 idle files need none). */
  series: [Series, Series] | null = null;

  constructor(
    readonly group: GroupState,
    public path: string,
    public fsPath: string | Buffer,
    public reader: ContentReader,
  ) {}

  get compressed(): boolean { return this.reader.format !== 'plain'; }

  /** Has something left to read (for caught-up tracking and the quiet-log flush). */
  behind(): boolean {
    if (this.state === 'closed') return false;
    if (this.state === 'fresh' || this.state === 'reading' || this.state === 'leaving' || this.state === 'held') return true;
    return this.reader.size > this.reader.readPos;
  }
}
