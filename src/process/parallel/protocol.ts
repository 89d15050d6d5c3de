// Messages between the engine and its parse workers (-j N). Plain data, structured-cloned; a batch's
// lines travel as one string (cloning one string is a copy; cloning an array of them is not), the
// numeric part of a result as a transferred Float64Array.
import type { LogGroup } from '../../config/types.js';

export interface WorkerInit {
  groups: LogGroup[];
  /** -P: the worker profiles itself into this file, written when asked (stop-profile). */
  profile?: string;
}

export type ToWorker =
  /** `text`: the batch's `count` lines joined with '\n' (lines never contain one). */
  | { kind: 'batch'; seq: number; group: string; path: string; text: string; count: number; wallSec: number }
  | { kind: 'file-time'; group: string; path: string; newest: number }
  | { kind: 'groups'; groups: LogGroup[] }
  | { kind: 'stop-profile' };

/** The worker's profile is written (answer to stop-profile). */
export interface Profiled {
  kind: 'profiled';
}

/**
 * The extraction of one batch. For matched line k (in order): nums[k*(3+R)] is its index in the
 * batch, the next number its log time, the next its tuple (group-tag values: index i stands for
 * tuples[i*T .. i*T+T-1], '' for a group that did not take part; tuples are numbered in the order
 * they first appear in the batch) and the next R numbers its reference values (NaN: not recorded).
 * `failed` lists [line index, outcome] of lines
 * that did not match or whose date did not parse; `opFails` the line indices with unparsable or
 * negative values (for warnings), with their counts summed in valueFails/negatives.
 */
export interface BatchResult {
  kind: 'result';
  seq: number;
  matched: number;
  nums: Float64Array;
  tuples: string[];
  tupleCount: number;
  failed: number[];
  opFails: number[];
  valueFails: number;
  negatives: number;
  newest: number; // newest log time seen in the file after this batch (NaN: none yet)
  skipped: boolean; // the path does not match filename_match
}
