// Standard input as a log group's input (`files: ["-"]`, spec section 6): lines from a pipe, in
// LineBatches like a file's (path "-", offsets from the start of the input), to the end of the input.
// Backpressure: while the sink's promise is pending nothing is read (the pipe fills and the writer
// blocks). Nothing is checkpointed: a pipe cannot be read again.
import type { Readable } from 'node:stream';
import type { LineBatch } from '../core/types.js';
import { WarnLimiter, type Logger } from '../core/log.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { LineSplitter } from './lines.js';
import { pullChunks, type Pull } from './pull.js';

export const STDIN_PATH = '-';

export interface StdinSourceOptions {
  /** Normally process.stdin. */
  stream: Readable;
  /** The groups reading it (for the counters and warnings). */
  groups: readonly string[];
  maxLineBytes: number;
  /** Receives every batch; a returned promise holds reading until it settles. Throwing is fatal. */
  sink: (batch: LineBatch) => void | Promise<void>;
  log: Logger;
  registry: Registry;
  now?: () => number;
}

export class StdinSource {
  /** Resolves at the end of the input, once the last batch was handed on and its promise settled. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (e: unknown) => void;
  private readonly splitter: LineSplitter;
  private readonly lineRead: Series[];
  private readonly byteRead: Series[];
  private readonly warn: WarnLimiter;
  private pull: Pull | null = null;
  private failure: unknown = undefined;
  private finished = false;
  private stopped = false;

  constructor(private readonly opts: StdinSourceOptions) {
    this.done = new Promise<void>((res, rej) => { this.resolveDone = res; this.rejectDone = rej; });
    this.done.catch(() => { /* the caller reports it */ });
    this.splitter = new LineSplitter(STDIN_PATH, opts.maxLineBytes);
    this.lineRead = opts.groups.map((g) => opts.registry.counter('tail.line_read', { log_group: g, filename: STDIN_PATH }));
    this.byteRead = opts.groups.map((g) => opts.registry.counter('tail.byte_read', { log_group: g, filename: STDIN_PATH }));
    this.warn = new WarnLimiter(opts.log, opts.now ?? Date.now);
  }

  start(): void {
    this.pull = pullChunks(this.opts.stream, (chunk) => {
      const b = this.splitter.push(chunk);
      return b ? this.hand(b) : undefined;
    });
    this.pull.done.then(() => this.atEnd(), (e: unknown) => {
      if (this.failure !== undefined) return this.finish(this.failure);
      this.opts.log.warn('error reading standard input; taking it as its end', { groups: this.opts.groups.join(','), error: e instanceof Error ? e.message : String(e) });
      return this.atEnd();
    });
  }

  /** Stops reading (the stream is destroyed); `done` resolves. */
  stop(): void {
    this.stopped = true;
    this.pull?.stop();
    this.finish();
  }

  /** End of input: the partial last line, then done. */
  private async atEnd(): Promise<void> {
    if (this.stopped) return;
    const b = this.splitter.end();
    try {
      if (b) await this.hand(b);
      this.finish();
    } catch (e) {
      this.finish(e);
    }
  }

  private finish(e?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    if (e === undefined) this.resolveDone(); else this.rejectDone(e);
  }

  private hand(b: LineBatch): void | Promise<void> {
    for (const s of this.lineRead) s.value += b.lines.length;
    for (const s of this.byteRead) s.value += b.bytes;
    if (b.skippedLong) {
      this.warn.warn('line_too_long', STDIN_PATH, 'line longer than max_line_bytes skipped',
        { groups: this.opts.groups.join(','), max_line_bytes: this.opts.maxLineBytes, skipped: b.skippedLong });
    }
    try {
      const p = this.opts.sink(b);
      if (p) return p.catch((e: unknown) => { this.failure = e; throw e; });
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }
}
