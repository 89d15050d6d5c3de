// A run's inputs (spec section 6): the tailed files (src/tail), one JournalSource per group with a
// `journal` block, and standard input for the groups that list "-" (or for every group, with
// --input -). One face for the run modes, the checkpointer (file positions and journal cursors at a
// cut) and the status endpoint. Every source hands its batches to the same sink (the engine), and
// each waits on the sink's promise on its own (backpressure pauses each like a file).
//
// --once reads the sources one after the other: the files, then each journal group in config
// order, then standard input. So a group that reads both files and the journal gets its lines in
// the same order at every replay, and the output does not depend on timing. The daemon reads them
// all at once; when standard input is its only input, the end of standard input ends the run.
import type { Readable } from 'node:stream';
import type { LogGroup } from '../config/types.js';
import type { LineBatch } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../selfstats/registry.js';
import type { JournalPosition } from '../state/checkpointer.js';
import type { Scheduler } from '../core/scheduler.js';
import { TailManager, type FirstTime, type Restored, type TailFileStatus, type TailGroup, type TailPosition, type TailProgress } from '../tail/tailer.js';
import { JournalSource, type JournalStart } from './journal/source.js';
import { journalSourceName } from './journal/batch.js';
import { StdinSource, STDIN_PATH } from './stdin.js';

export interface InputsOptions {
  once: boolean;
  /** --parse-from-start: files present at start-up, and journals without a cursor, are read from their start. */
  parseFromStart: boolean;
  /** --input -: every group reads standard input instead of its files and journal. */
  stdinOnly: boolean;
  pollIntervalSec: number;
  maxLineBytes: number;
  log: Logger;
  registry: Registry;
  sink: (group: string, batch: LineBatch) => void | Promise<void>;
  /** The files' saved records (state file): found by identity wherever rotation moved them. */
  restored?: Restored;
  /** Timers and the wall clock (ms) of the tailer. Default: the system's. */
  scheduler?: Scheduler;
  /** Orders a group's files read from their start by the time of their first line. */
  firstTime?: FirstTime;
  /** A journal source's saved cursor (state file). */
  cursor: (group: string, source: string) => string | undefined;
  /** Default process.stdin. */
  stdin?: Readable;
  /** Default ['journalctl'] (tests). */
  journalCommand?: readonly string[];
}

interface Journal {
  source: JournalSource;
  /** The group's journal block as JSON: a reload that changes it restarts the source. */
  spec: string;
  /** Everything written so far was handed on (for the quiet flush). */
  caughtUp: boolean;
}

export class Inputs {
  readonly tails: TailManager;
  /**
   * --once: resolves once every source is read to its end. Daemon: resolves when standard input, its
   * only input, ended. Both: after stop(); rejects when a source fails (a journal that cannot be
   * read, a sink that threw).
   */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (e: unknown) => void;
  private readonly journals = new Map<string, Journal>();
  private stdin: StdinSource | null = null;
  /** Groups reading standard input, as of the last config. */
  private stdinGroups: string[] = [];
  private stopped = false;
  /** Batches of the journal sources and stdin whose sink promise is pending (backpressure). */
  private held = 0;

  constructor(private groups: readonly LogGroup[], private readonly o: InputsOptions) {
    this.done = new Promise<void>((res, rej) => { this.resolveDone = res; this.rejectDone = rej; });
    this.done.catch(() => { /* the run mode reports it */ });
    this.tails = new TailManager(this.tailGroups(groups), {
      pollIntervalSec: o.pollIntervalSec, maxLineBytes: o.maxLineBytes, once: o.once, log: o.log, registry: o.registry,
      sink: (group, batch) => o.sink(group, batch), restored: o.restored, scheduler: o.scheduler, firstTime: o.firstTime,
    });
    this.tails.done.catch((e: unknown) => this.fail(e));
    this.stdinGroups = this.readers(groups);
  }

  async start(): Promise<void> {
    await this.tails.start();
    for (const g of this.groups) if (g.journal && !this.o.stdinOnly) this.journals.set(g.name, this.newJournal(g));
    if (this.stdinGroups.length > 0) this.stdin = this.newStdin();
    if (this.o.once) { void this.readInTurn(); return; }
    for (const j of this.journals.values()) this.watch(j.source);
    this.stdin?.start();
    if (this.stdin) this.watchStdin(this.stdin);
  }

  /** Stops every source; positions() and cursors() stay available. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stdin?.stop();
    await Promise.all([this.tails.stop(), ...[...this.journals.values()].map((j) => j.source.stop())]);
    this.resolveDone();
  }

  positions(): TailPosition[] {
    return this.tails.positions();
  }

  cursors(): JournalPosition[] {
    const out: JournalPosition[] = [];
    for (const [group, j] of this.journals) {
      const cursor = j.source.cursor;
      if (cursor !== null) out.push({ group, source: j.source.name, cursor });
    }
    return out;
  }

  files(): TailFileStatus[] {
    return this.tails.files();
  }

  /** --once's progress line: the tailed files (the journal and standard input have no known size). */
  progress(): TailProgress {
    return this.tails.progress();
  }

  /** The group's files are read to their end and its journal has handed on everything written so far. */
  isCaughtUp(group: string): boolean {
    return this.tails.isCaughtUp(group) && (this.journals.get(group)?.caughtUp ?? true);
  }

  isBackpressured(): boolean {
    return this.held > 0 || this.tails.isBackpressured();
  }

  /** Config reload (daemon): files as the tailer does; a journal source whose block changed starts again after its cursor. */
  async setGroups(groups: readonly LogGroup[]): Promise<void> {
    this.groups = groups;
    await this.tails.setGroups(this.tailGroups(groups));
    if (this.o.stdinOnly) return;
    const names = new Set(groups.map((g) => g.name));
    for (const [name, j] of [...this.journals]) {
      const g = groups.find((x) => x.name === name);
      if (g?.journal && JSON.stringify(g.journal) === j.spec) continue;
      this.journals.delete(name);
      await j.source.stop();
      if (!names.has(name) || !g?.journal) continue;
      const next = this.newJournal(g, j.source.cursor);
      this.journals.set(name, next);
      this.watch(next.source);
    }
    for (const g of groups) {
      if (!g.journal || this.journals.has(g.name)) continue;
      const j = this.newJournal(g);
      this.journals.set(g.name, j);
      this.watch(j.source);
    }
    const before = this.stdinGroups.length;
    this.stdinGroups = this.readers(groups);
    if (before === 0 && this.stdinGroups.length > 0) this.o.log.warn('standard input is read only by a run that started with a group reading it; restart to read it', { groups: this.stdinGroups.join(',') });
  }

  // ---- sources

  private tailGroups(groups: readonly LogGroup[]): TailGroup[] {
    if (this.o.stdinOnly) return [];
    return groups
      .map((g) => ({ name: g.name, globs: g.files.filter((f) => f !== STDIN_PATH), pollFile: g.poll_file, fromStart: this.o.once || g.parse_from_start || this.o.parseFromStart, maxFiles: g.max_files }))
      .filter((g) => g.globs.length > 0);
  }

  private readers(groups: readonly LogGroup[]): string[] {
    return groups.filter((g) => this.o.stdinOnly || g.files.includes(STDIN_PATH)).map((g) => g.name);
  }

  private newJournal(g: LogGroup, cursor?: string | null): Journal {
    const spec = g.journal!;
    const fromStart = this.o.once || g.parse_from_start || this.o.parseFromStart;
    const saved = cursor ?? this.o.cursor(g.name, journalSourceName(spec.directory));
    const start: JournalStart = saved ? { from: 'cursor', cursor: saved, otherwise: fromStart ? 'start' : 'end' }
      : { from: fromStart ? 'start' : 'end' };
    const j: Journal = { source: null!, spec: JSON.stringify(spec), caughtUp: true };
    j.source = new JournalSource({
      group: g.name, spec, start, follow: !this.o.once, maxLineBytes: this.o.maxLineBytes, log: this.o.log, registry: this.o.registry,
      command: this.o.journalCommand,
      sink: (b) => { if (b.lines.length) j.caughtUp = false; return this.hold(this.o.sink(g.name, b)); },
      onIdle: () => { j.caughtUp = true; },
    });
    return j;
  }

  private newStdin(): StdinSource {
    return new StdinSource({
      stream: this.o.stdin ?? process.stdin, groups: this.stdinGroups, maxLineBytes: this.o.maxLineBytes,
      log: this.o.log, registry: this.o.registry, sink: (b) => this.hold(this.toReaders(b)),
    });
  }

  /** One batch of standard input to every group reading it, each after the previous one's backpressure. */
  private toReaders(b: LineBatch, from = 0): void | Promise<void> {
    const groups = this.stdinGroups;
    for (let i = from; i < groups.length; i++) {
      const p = this.o.sink(groups[i]!, b);
      if (p) return p.then(() => this.toReaders(b, i + 1));
    }
  }

  /** Counts a pending sink promise while it is pending. */
  private hold(p: void | Promise<void>): void | Promise<void> {
    if (!p) return;
    this.held++;
    return p.finally(() => { this.held--; });
  }

  private watch(s: JournalSource): void {
    s.start();
    s.done.catch((e: unknown) => this.fail(e));
  }

  private watchStdin(s: StdinSource): void {
    s.done.then(() => {
      if (this.stopped) return;
      const others = !this.o.stdinOnly && (this.journals.size > 0 || this.groups.some((g) => g.files.some((f) => f !== STDIN_PATH)));
      this.o.log.info(others ? 'standard input ended; the other inputs are still read' : 'standard input ended', { groups: this.stdinGroups.join(',') });
      if (!others) this.resolveDone();
    }, (e: unknown) => this.fail(e));
  }

  /** --once: the files, then each journal, then standard input, each to its end. */
  private async readInTurn(): Promise<void> {
    try {
      await this.tails.done;
      for (const j of this.journals.values()) {
        if (this.stopped) return;
        j.source.start();
        await j.source.done;
      }
      if (this.stdin && !this.stopped) {
        this.stdin.start();
        await this.stdin.done;
      }
      this.resolveDone();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.rejectDone(e);
  }
}
