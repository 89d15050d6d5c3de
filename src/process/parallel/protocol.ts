// Messages between the engine and its parse workers (-j N, and groups with runaway regexes). Plain
// data, structured-cloned; a batch's lines travel as one string (cloning one string is a copy;
// cloning an array of them is not), the numeric part of a result as a transferred Float64Array.
// The result's layout is written by ResultEncoder (in the worker) and read by decodeResult (in the
// engine), both here.
import type { LogGroup } from '../../config/types.js';
import { Outcome, type Extractor } from '../../parse/extract.js';
import type { LineSink } from '../lines.js';
import { TupleIndex } from './tuples.js';

export interface WorkerInit {
  groups: LogGroup[];
  /** Seconds a line's date may lie past the wall clock (see ExtractorOptions). */
  maxFutureSkew: number;
  /** Progress slots the worker writes for the watchdog (see Watch in workers.ts). */
  progress: SharedArrayBuffer;
  /** -P: the worker profiles itself into this file, written when asked (stop-profile). */
  profile?: string;
}

export interface BatchMessage {
  kind: 'batch';
  seq: number;
  group: string;
  path: string;
  /** The batch's `count` lines joined with '\n' (lines never contain one). */
  text: string;
  count: number;
  wallSec: number;
  /** Line indices (ascending) dropped as Outcome.Timeout: they kept a previous worker busy too long. */
  skip: number[];
}

export type ToWorker =
  | BatchMessage
  | { kind: 'file-time'; group: string; path: string; newest: number }
  | { kind: 'groups'; groups: LogGroup[] }
  | { kind: 'stop-profile' };

/** The worker's profile is written (answer to stop-profile). */
export interface Profiled {
  kind: 'profiled';
}

/** The extraction of one batch; read it with decodeResult. */
export interface BatchResult {
  kind: 'result';
  seq: number;
  /** Per matched line: its index, log time, tuple index and one value per reference (NaN: not recorded). */
  nums: Float64Array;
  matched: number;
  /** Group-tag tuples, `width` strings each ('' for a group that did not take part), numbered in order of first use. */
  tuples: string[];
  tupleCount: number;
  /** [line index, outcome] per dropped line. */
  failed: number[];
  /** Per matched line with value failures or defaults: index, unparsable, negative, defaults, n, then n `assigned` entries. */
  notes: Array<number | string | undefined>;
  /** Newest log time seen in the file after this batch (NaN: none yet). */
  newest: number;
  /** The path does not match filename_match: nothing was extracted. */
  skipped: boolean;
}

/** Writes a batch's BatchResult, line by line (the worker's LineSink). */
export class ResultEncoder implements LineSink {
  private readonly tuples: TupleIndex;
  private readonly width: number;
  private nums = new Float64Array(0);
  private k = 0;
  private drops: number[] = [];
  private notes: BatchResult['notes'] = [];

  constructor(private readonly refs: number, tagWidth: number) {
    this.tuples = new TupleIndex(tagWidth);
    this.width = 3 + refs;
  }

  begin(lines: number): void {
    this.tuples.begin();
    this.nums = new Float64Array(lines * this.width);
    this.k = 0;
    this.drops = [];
    this.notes = [];
  }

  matched(i: number, ex: Extractor): void {
    let p = this.k++ * this.width;
    const nums = this.nums;
    nums[p++] = i;
    nums[p++] = ex.t;
    nums[p++] = this.tuples.index(ex.tagVals);
    const vals = ex.vals;
    for (let j = 0; j < this.refs; j++) nums[p++] = vals[j]!;
    if (ex.valueFails + ex.negatives + ex.defaults > 0) {
      this.notes.push(i, ex.valueFails, ex.negatives, ex.defaults, ex.assigned.length, ...ex.assigned);
    }
  }

  failed(i: number, o: Outcome): void {
    this.drops.push(i, o);
  }

  finish(seq: number, newest: number): BatchResult {
    const k = this.k;
    const nums = k * this.width === this.nums.length ? this.nums : this.nums.slice(0, k * this.width);
    const t = this.tuples;
    return { kind: 'result', seq, nums, matched: k, tuples: t.strings, tupleCount: t.count, failed: this.drops, notes: this.notes, newest, skipped: false };
  }
}

/** A result for a path that filename_match refuses (or a group the worker does not know). */
export function skippedResult(seq: number): BatchResult {
  return { kind: 'result', seq, nums: new Float64Array(0), matched: 0, tuples: [], tupleCount: 0, failed: [], notes: [], newest: NaN, skipped: true };
}

/** What decodeResult hands back, in line order. */
export interface ResultVisitor {
  /** `tuple` indexes the result's tuples; `vals` is reused for the next line. */
  matchedTuple(i: number, t: number, tuple: number, vals: Float64Array): void;
  failed(i: number, o: Outcome): void;
  /** Before matched(i): the line's value failures and defaults (`assigned` as Extractor.assigned). */
  noted(i: number, unparsable: number, negative: number, defaults: number, assigned: ReadonlyArray<number | string | undefined>): void;
}

/** Reads a result for a group of `refs` references, every line in order. */
export function decodeResult(r: BatchResult, refs: number, vals: Float64Array, v: ResultVisitor): void {
  const nums = r.nums;
  const failed = r.failed;
  const notes = r.notes;
  const width = 3 + refs;
  let f = 0;
  let n = 0;
  for (let k = 0, p = 0; k < r.matched; k++) {
    const i = nums[p]!;
    while (f < failed.length && failed[f]! < i) { v.failed(failed[f]!, failed[f + 1] as Outcome); f += 2; }
    if (n < notes.length && notes[n] === i) {
      const len = notes[n + 4] as number;
      v.noted(i, notes[n + 1] as number, notes[n + 2] as number, notes[n + 3] as number, notes.slice(n + 5, n + 5 + len));
      n += 5 + len;
    }
    for (let j = 0; j < refs; j++) vals[j] = nums[p + 3 + j]!;
    v.matchedTuple(i, nums[p + 1]!, nums[p + 2]!, vals);
    p += width;
  }
  for (; f < failed.length; f += 2) v.failed(failed[f]!, failed[f + 1] as Outcome);
}
