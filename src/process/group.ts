// One log group on the engine's thread: its Extractor and datapool, its files, and the rules for what
// becomes of each line (spec section 3): a matched line is recorded (a late one warned about when
// asked), a dropped one counted and warned about when asked, values that did not parse or went
// negative counted, defaults assigned counted and logged when asked (each an event of
// core/events.ts: one report() counts and logs it). The rules are applied here once, whether the line was extracted on this thread (the stage is the LineSink of
// process/lines.ts) or in a parse worker (the stage reads the worker's result, process/parallel/protocol.ts).
import type { LogGroup } from '../config/types.js';
import type { Logger } from '../core/log.js';
import type { EventSource, Events } from '../core/events.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { Extractor, Outcome, type FileCtx } from '../parse/extract.js';
import { GroupPool, type SeriesSet } from '../datapool/pool.js';
import type { PointBatch } from '../core/types.js';
import { extractLines, type LineSink } from './lines.js';
import { decodeResult, type BatchResult, type ResultVisitor } from './parallel/protocol.js';

export interface FileState extends FileCtx {
  matched: Series;
  /** The events of a line dropped from this file (each counts tail.line_failed for it). */
  regexFail: EventSource;
  badDate: EventSource;
  dateRange: EventSource;
  timeout: EventSource;
  /** The path does not match filename_match: its lines are not read. */
  skipped: boolean;
}

export interface StageDeps {
  registry: Registry;
  log: Logger;
  events: Events;
  out: PointBatch;
  /** Wall clock (ms). */
  now: () => number;
  maxFutureSkew: number;
}

export class GroupStage implements LineSink, ResultVisitor {
  readonly extractor: Extractor;
  readonly pool: GroupPool;
  readonly files = new Map<string, FileState>();
  /** Wall time (ms) of the last line handed to this group. */
  lastLineAt: number;
  readonly skippedLong: Series;
  private readonly valueFailed: EventSource;
  private readonly valueNegative: EventSource;
  private readonly defaultAssign: EventSource;
  private readonly outOfOrder: EventSource;
  // The batch being applied.
  private file!: FileState;
  private lines: readonly string[] = [];
  private nMatched = 0;
  // A worker's result: each tuple's set, looked up at its first line (so sets are created in line
  // order, as on one thread) and again only if it went stale or holds an _other_ value.
  private tuples: string[] = [];
  private sets: Array<SeriesSet | null> = [];
  private readonly tagBuf: string[];
  readonly valBuf: Float64Array;

  constructor(readonly group: LogGroup, private readonly deps: StageDeps) {
    this.extractor = new Extractor(group, { maxFutureSkew: deps.maxFutureSkew });
    const reg = deps.registry;
    this.pool = new GroupPool(group, reg, deps.out, { log: deps.log, wallClock: deps.now, events: deps.events });
    this.lastLineAt = deps.now();
    const tags = { log_group: group.name };
    const ev = deps.events;
    this.valueFailed = ev.source('value_failed', tags, group);
    this.valueNegative = ev.source('value_negative', tags, group);
    this.defaultAssign = ev.source('default_assign', tags, group);
    this.outOfOrder = ev.source('out_of_order', tags, group);
    this.skippedLong = reg.counter('tail.line_too_long', tags);
    this.tagBuf = new Array<string>(this.extractor.tagVals.length).fill('');
    this.valBuf = new Float64Array(this.extractor.refs.length);
  }

  /** Extracts and records a batch on this thread. */
  processLines(path: string, lines: readonly string[], wallSec: number): void {
    const file = this.fileState(path);
    if (file.skipped) return;
    this.begin(file, lines);
    extractLines(this.extractor, file, lines, wallSec, this);
    this.end();
  }

  /** Records a batch a parse worker extracted. */
  applyResult(path: string, lines: readonly string[], r: BatchResult): void {
    const file = this.fileState(path, false);
    if (r.skipped) { this.skip(file); return; }
    this.begin(file, lines);
    this.tuples = r.tuples;
    this.sets.length = r.tupleCount;
    this.sets.fill(null);
    decodeResult(r, this.valBuf.length, this.valBuf, this);
    if (!Number.isNaN(r.newest)) file.newest = r.newest;
    this.end();
  }

  // ---- LineSink (this thread)

  matched(i: number, ex: Extractor): void {
    if (ex.valueFails + ex.negatives + ex.defaults > 0) this.noted(i, ex.valueFails, ex.negatives, ex.defaults, ex.assigned);
    this.record(i, this.pool.lookupSet(ex.tagVals), ex.t, ex.vals);
  }

  failed(i: number, o: Outcome): void {
    const f = this.file;
    const ev = o === Outcome.Timeout ? f.timeout : o === Outcome.BadDate ? f.badDate : o === Outcome.DateRange ? f.dateRange : f.regexFail;
    if (ev.logged) ev.report(f.path, { log_group: this.group.name, line: clip(this.lines[i]!) });
    else ev.count(1);
  }

  // ---- ResultVisitor (a worker's result)

  noted(i: number, unparsable: number, negative: number, defaults: number, assigned: ReadonlyArray<number | string | undefined>): void {
    const path = this.file.path;
    const log_group = this.group.name;
    if (unparsable > 0) this.valueFailed.report(path, { log_group, values: unparsable, line: clip(this.lines[i]!) }, unparsable);
    if (negative > 0) this.valueNegative.report(path, { log_group, values: negative, line: clip(this.lines[i]!) }, negative);
    // `assigned` holds (position, value, default) for the transforms that log theirs; the others are counted only.
    const logged = assigned.length / 3;
    for (let k = 0; k < assigned.length; k += 3) {
      this.defaultAssign.report(path, { log_group, position: assigned[k], value: assigned[k + 1] ?? null, default: assigned[k + 2], line: clip(this.lines[i]!) });
    }
    if (defaults > logged) this.defaultAssign.count(defaults - logged);
  }

  matchedTuple(i: number, t: number, tuple: number, vals: Float64Array): void {
    let set = this.sets[tuple]!;
    // A set holding an _other_ value is looked up for every line, as on one thread: a tick may have
    // made room for the tuple's own value meanwhile (datapool/limits.ts).
    if (set === null || set.dead || set.other !== 0) {
      const T = this.tagBuf.length;
      for (let j = 0; j < T; j++) this.tagBuf[j] = this.tuples[tuple * T + j]!;
      set = this.pool.lookupSet(this.tagBuf);
      this.sets[tuple] = set;
    }
    this.record(i, set, t, vals);
  }

  private record(i: number, set: SeriesSet, t: number, vals: Float64Array): void {
    this.nMatched++;
    if (this.pool.recordSet(set, t, vals)) {
      if (this.outOfOrder.logged) this.outOfOrder.report(this.file.path, { log_group: this.group.name, line: clip(this.lines[i]!) });
      else this.outOfOrder.count(1);
    }
  }

  private begin(file: FileState, lines: readonly string[]): void {
    this.file = file;
    this.lines = lines;
    this.nMatched = 0;
  }

  private end(): void {
    this.file.matched.value += this.nMatched;
    this.lines = [];
  }

  /**
   * The file's state, made on first sight. `decide`: match filename_match here (a batch extracted on
   * this thread); else the worker decides, and a skipped result marks the file (skip()).
   */
  fileState(path: string, decide = true): FileState {
    let f = this.files.get(path);
    if (f) return f;
    const tags = { log_group: this.group.name, filename: path };
    const ev = this.deps.events;
    const g = this.group;
    const extra = decide ? this.extractor.fileExtra(path) : [];
    f = {
      path, extra, newest: NaN, skipped: false, matched: this.deps.registry.counter('tail.line_matched', tags),
      regexFail: ev.source('regex_fail', tags, g), badDate: ev.source('bad_date', tags, g),
      dateRange: ev.source('date_range', tags, g), timeout: ev.source('regex_timeout', tags, g),
    };
    this.files.set(path, f);
    if (extra === null) this.skip(f);
    return f;
  }

  private skip(f: FileState): void {
    if (f.skipped) return;
    f.skipped = true;
    this.deps.events.report('filename_mismatch', f.path, { log_group: this.group.name });
  }
}

/** Log lines can be 1 MB: warnings carry their start. */
function clip(line: string): string {
  return line.length > 512 ? line.slice(0, 512) + '…' : line;
}
