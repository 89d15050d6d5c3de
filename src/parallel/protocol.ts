// Messages between the engine and its parse workers (-j N). Plain data, structured-cloned; the
// numeric part of a result travels as a transferred Float64Array.
import type { LogGroup } from '../config/types.js';

export interface WorkerInit {
  groups: LogGroup[];
}

export type ToWorker =
  | { kind: 'batch'; seq: number; group: string; path: string; lines: string[]; wallSec: number }
  | { kind: 'file-time'; group: string; path: string; newest: number }
  | { kind: 'groups'; groups: LogGroup[] };

/**
 * The extraction of one batch. For matched line k (in order): nums[k*(2+R)] is its index in the
 * batch, the next number its log time and the next R numbers its reference values (NaN: not recorded); tags[k*T .. k*T+T-1] its group-tag values
 * ('' stands for a group that did not take part). `failed` lists [line index, outcome] of lines
 * that did not match or whose date did not parse; `opFails` the line indices with unparsable or
 * negative values (for warnings), with their counts summed in valueFails/negatives.
 */
export interface BatchResult {
  kind: 'result';
  seq: number;
  matched: number;
  nums: Float64Array;
  tags: string[];
  failed: number[];
  opFails: number[];
  valueFails: number;
  negatives: number;
  newest: number; // newest log time seen in the file after this batch (NaN: none yet)
  skipped: boolean; // the path does not match filename_match
}
