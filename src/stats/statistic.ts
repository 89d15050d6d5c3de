// What every statistic offers the datapool: a value at a log time in, and its state out for a
// checkpoint. How a statistic turns into points is the datapool's business (datapool/kinds.ts).
import type { ByteWriter } from '../core/bytes.js';

export interface Statistic {
  /** Records `value` observed at log time `t` (seconds); statistics without a clock ignore `t`.
   *  For a distinct metric `value` is the hash53() of the string extracted (parse/extract.ts). */
  update(value: number, t: number): void;
  /** Its state, for a binary checkpoint (each kind has a static read()). */
  write(w: ByteWriter): void;
}
