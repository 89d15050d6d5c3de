// One log group on the engine's thread: its Extractor and datapool, its files, and the rules for what
// becomes of each line (spec section 3): a matched line is recorded (a late one warned about when
// asked), a dropped one counted and warned about when asked, values that did not parse or went
// negative counted, defaults assigned counted and logged when asked. The rules are applied here
// once, whether the line was extracted on this thread (the stage is the LineSink of
// process/lines.ts) or in a parse worker (the stage reads the worker's result, process/parallel/protocol.ts).
import type { LogGroup } from '../config/types.js';
import type { Logger, WarnLimiter } from '../core/log.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { Extractor, Outcome, type FileCtx } from '../parse/extract.js';
import { GroupPool, type SeriesSet } from '../datapool/pool.js';
import type { PointBatch } from '../core/types.js';
import { extractLines, type LineSink } from './lines.js';
import { decodeResult, type BatchResult, type ResultVisitor } from './parallel/protocol.js';

export interface FileState extends FileCtx {
  matched: Series;
  failed: Series;
  /** The path does not match filename_match: its lines are not read. */
  skipped: boolean;
}

export interface StageDeps {
  registry: Registry;
  log: Logger;
  warn: WarnLimiter;
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
  private readonly dateFails: Series;
  private readonly valueFails: Series;
  private readonly negatives: Series;
  private readonly timeouts: Series;
  private readonly defaults: Series;
  // The batch being applied.
  private file!: FileState;
  private lines: readonly string[] = [];
  private nMatched = 0;
  private nFailed = 0;
  // A worker's result: each tuple's set, looked up at its first line (so sets are created in line
  // order, as on one thread) and again only if it went stale or holds an _other_ value.
  private tuples: string[] = [];
  private sets: Array<SeriesSet | null> = [];
  private readonly tagBuf: string[];
  readonly valBuf: Float64Array;

  constructor(readonly group: LogGroup, private readonly deps: StageDeps) {
    this.extractor = new Extractor(group, { maxFutureSkew: deps.maxFutureSkew });
    const reg = deps.registry;
    this.pool = new GroupPool(group, reg, deps.out, { log: deps.log, wallClock: deps.now });
    this.lastLineAt = deps.now();
    const tags = { log_group: group.name };
    this.dateFails = reg.counter('parse.date_failed', tags);
    this.valueFails = reg.counter('parse.value_failed', tags);
    this.negatives = reg.counter('parse.value_negative', tags);
    this.timeouts = reg.counter('parse.regex_timeout', tags);
    this.defaults = reg.counter('parse.default_assigned', tags);
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
    this.nFailed++;
    const g = this.group;
    const path = this.file.path;
    if (o === Outcome.Timeout) {
      this.timeouts.value++;
      this.deps.warn.warn('regex_timeout', path, 'A regex ran for too long on this line (a lookaround or backreference defeats V8\'s linear-time fallback); line dropped. regex_engine: re2 cannot run away',
        { log_group: g.name, line: clip(this.lines[i]!) });
      return;
    }
    if (o === Outcome.BadDate || o === Outcome.DateRange) this.dateFails.value++;
    if (!g.warn_on_regex_fail) return;
    const [kind, msg] = o === Outcome.BadDate ? ['bad_date', 'Date did not parse, line dropped']
      : o === Outcome.DateRange ? ['date_range', 'Date before 1970, past 2106-02-07 (OpenTSDB\'s last second) or more than max_future_skew past the wall clock, line dropped']
        : ['regex_fail', 'Line did not match'];
    this.deps.warn.warn(kind, path, msg, { log_group: g.name, line: clip(this.lines[i]!) });
  }

  // ---- ResultVisitor (a worker's result)

  noted(i: number, unparsable: number, negative: number, defaults: number, assigned: ReadonlyArray<number | string | undefined>): void {
    const g = this.group;
    const path = this.file.path;
    if (unparsable + negative > 0) {
      this.valueFails.value += unparsable;
      this.negatives.value += negative;
      if (g.warn_on_operation_fail) {
        this.deps.warn.warn('operation_fail', path, 'A value did not parse or went below 0 and was not recorded',
          { log_group: g.name, unparsable, negative, line: clip(this.lines[i]!) });
      }
    }
    this.defaults.value += defaults;
    for (let k = 0; k < assigned.length; k += 3) {
      this.deps.warn.warn('default_assign', path, 'Transform assigned its default (log_default_assign)',
        { log_group: g.name, position: assigned[k], value: assigned[k + 1] ?? null, default: assigned[k + 2], line: clip(this.lines[i]!) });
    }
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
    if (this.pool.recordSet(set, t, vals) && this.group.warn_on_out_of_order_time) {
      this.deps.warn.warn('out_of_order', this.file.path, 'Line older than its key\'s newest update', { log_group: this.group.name, line: clip(this.lines[i]!) });
    }
  }

  private begin(file: FileState, lines: readonly string[]): void {
    this.file = file;
    this.lines = lines;
    this.nMatched = 0;
    this.nFailed = 0;
  }

  private end(): void {
    this.file.matched.value += this.nMatched;
    this.file.failed.value += this.nFailed;
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
    const reg = this.deps.registry;
    const extra = decide ? this.extractor.fileExtra(path) : [];
    f = { path, extra, newest: NaN, skipped: false, matched: reg.counter('tail.line_matched', tags), failed: reg.counter('tail.line_failed', tags) };
    this.files.set(path, f);
    if (extra === null) this.skip(f);
    return f;
  }

  private skip(f: FileState): void {
    if (f.skipped) return;
    f.skipped = true;
    this.deps.log.warn('File matches the glob but not filename_match; skipped', { log_group: this.group.name, file: f.path });
  }
}

/** Log lines can be 1 MB: warnings carry their start. */
function clip(line: string): string {
  return line.length > 512 ? line.slice(0, 512) + '…' : line;
}
