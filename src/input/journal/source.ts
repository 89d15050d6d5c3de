// A log group's journal input (spec section 6): entries read through journalctl, handed on as
// JournalBatches, each with the cursor after its last entry. `cursor` is where a checkpoint resumes:
// starting again with `{from: 'cursor'}` of it reads exactly the entries after what was handed on.
//
// Sequence: check that the journal can be read; find the start (the last entry's cursor when
// starting at the end); read to the journal's current end; then, when following, follow after the
// last cursor (command.ts says why in two steps). When journalctl ends while following (it should
// not), or journal.directory disappears, the source warns, counts, waits (for the directory, or a
// backoff of 1 s doubling to 30 s) and reads again after the last cursor. Problems that reading
// again cannot fix (permissions, no journal, no journalctl) reject `done` with a JournalError.
import { WarnLimiter, type Logger } from '../../core/log.js';
import type { Registry } from '../../selfstats/registry.js';
import { JournalError, SYSTEM_JOURNAL_DIRS, checkDirectory, checkSystemJournal } from './access.js';
import { journalSourceName, type JournalBatch } from './batch.js';
import type { JournalSpec, ReadMode } from './command.js';
import { SourceCounters } from './counters.js';
import { readJournal, type Outcome, type ReadContext } from './read.js';
import type { JournalctlRun } from './run.js';

export type JournalStart =
  | { from: 'start' }                                                   // every entry of the journal
  | { from: 'end' }                                                     // the entries written from now on
  | { from: 'cursor'; cursor: string; otherwise: 'start' | 'end' }      // after a checkpoint; `otherwise` if journalctl rejects it
  | { from: 'last'; entries: number };                                  // the last N entries (never follows)

export interface JournalSourceOptions {
  group: string;
  spec: JournalSpec;
  start: JournalStart;
  /** Keep reading entries as they are written (daemon); false: end at the journal's current end. */
  follow: boolean;
  maxLineBytes: number;
  /** Receives every batch; a returned promise holds reading until it settles. Throwing is fatal. */
  sink: (batch: JournalBatch) => void | Promise<void>;
  log: Logger;
  registry: Registry;
  /** Called when everything written so far has been handed on, after some lines were (follow only). */
  onIdle?: () => void;
  command?: readonly string[];        // default ['journalctl']
  systemDirs?: readonly string[];     // where the system journal lives (checked before reading it)
  checkMs?: number;                   // journal.directory presence check, default 1000
  retryMs?: number;                   // first restart delay, default 1000 (doubling to 30 s)
  idleMs?: number;                    // quiet time after which onIdle is called, default 200
  now?: () => number;
}

const MAX_RETRY_MS = 30_000;

export class JournalSource {
  /** Resolves when a non-following read has ended, or after stop(); rejects with a JournalError or the sink's error. */
  readonly done: Promise<void>;
  readonly name: string;
  private resolveDone!: () => void;
  private rejectDone!: (e: unknown) => void;
  private position: string | null = null;
  private run: JournalctlRun | null = null;
  private started = false;
  private stopped = false;
  private wakeSleep: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private hadData = false;
  private blocked = false;
  private readonly counters: SourceCounters;
  private readonly warn: WarnLimiter;
  private readonly readContext: ReadContext;

  constructor(private readonly opts: JournalSourceOptions) {
    this.name = journalSourceName(opts.spec.directory);
    this.done = new Promise<void>((res, rej) => { this.resolveDone = res; this.rejectDone = rej; });
    this.done.catch(() => { /* the caller reports it */ });
    this.counters = new SourceCounters(opts.registry, opts.group, this.name);
    this.warn = new WarnLimiter(opts.log, opts.now ?? Date.now);
    if (opts.start.from === 'cursor') this.position = opts.start.cursor;
    this.readContext = {
      group: opts.group, name: this.name, spec: opts.spec, command: opts.command ?? ['journalctl'],
      maxLineBytes: opts.maxLineBytes, checkMs: opts.checkMs ?? 1000, log: opts.log, warn: this.warn,
      deliver: (b) => this.deliver(b), found: (c) => { this.position = c; },
      stopped: () => this.stopped, running: (r) => { this.run = r; },
    };
  }

  /** The cursor after the last batch handed to the sink (or the start position): null before any entry. */
  get cursor(): string | null {
    return this.position;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.main().then(() => this.finish(), (e) => this.finish(e));
  }

  /** Stops reading (journalctl is ended); resolves once the source is done. */
  async stop(): Promise<void> {
    if (!this.started) this.finish();
    if (this.stopped) return;
    this.stopped = true;
    this.wakeSleep?.();
    if (this.run) await this.run.stop();
    await this.done.catch(() => undefined);
  }

  private finish(e?: unknown): void {
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (e === undefined) this.resolveDone(); else this.rejectDone(e);
  }

  private async main(): Promise<void> {
    const { group, spec } = this.opts;
    if (spec.directory === null) {
      const err = checkSystemJournal(group, this.opts.systemDirs ?? SYSTEM_JOURNAL_DIRS);
      if (err) throw err;
    } else if (!(await this.directoryReady())) return;
    const start = this.opts.start;
    if (start.from === 'last') { await this.expect(await this.read({ kind: 'last', entries: start.entries })); return; }
    if (start.from === 'end') await this.findEnd();
    this.opts.log.info('reading the journal', { group, source: this.name, after_cursor: this.position ?? '(the start)', follow: this.opts.follow });
    let delay = this.opts.retryMs ?? 1000;
    while (!this.stopped) {
      const before = this.position;
      const caughtUp = await this.read({ kind: 'read', from: this.position });
      if (caughtUp === 'ok' && !this.opts.follow) return;
      const out = caughtUp === 'ok' ? await this.read({ kind: 'follow', from: this.position }) : caughtUp;
      if (out === 'stopped') return;
      // reading again fixes neither permissions nor a missing journalctl; a crash it may
      if (out instanceof JournalError && (out.kind !== 'failed' || !this.opts.follow)) throw out;
      if (out === 'bad-cursor') { await this.dropCursor(); continue; }
      if (out === 'directory-lost' || out === 'directory-missing') {
        this.directoryLost();
        if (!this.opts.follow || !(await this.directoryReady(false))) return;
        continue;
      }
      if (this.position !== before) delay = this.opts.retryMs ?? 1000;
      // journalctl ended or failed while following, or its output was cut or not the export format: read again
      if (!this.opts.follow) throw new JournalError('failed', `log group "${group}": journalctl's output was cut short or is not the export format`);
      this.counters.restart.value++;
      this.opts.log.warn('journalctl ended while following; reading again after the last cursor',
        { group, outcome: out instanceof JournalError ? out.message : out, retry_ms: delay });
      await this.sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  /** A read that must end well (the last N entries, the end cursor). */
  private async expect(out: Outcome): Promise<void> {
    if (out === 'ok' || out === 'stopped') return;
    if (out instanceof JournalError) throw out;
    if (out === 'directory-missing' || out === 'directory-lost') { this.directoryLost(); return; }
    throw new JournalError('failed', `log group "${this.opts.group}": journalctl failed (${out})`);
  }

  /** Where "the end" is: after the last matching entry (none: the start, as nothing is there yet). */
  private async findEnd(): Promise<void> {
    this.position = null;
    await this.expect(await this.read({ kind: 'lastCursor' }));
  }

  private async dropCursor(): Promise<void> {
    this.counters.badCursor.value++;
    const otherwise = this.opts.start.from === 'cursor' ? this.opts.start.otherwise : 'start';
    this.opts.log.warn(`journalctl does not accept the saved cursor; reading from the journal's ${otherwise}`,
      { group: this.opts.group, cursor: this.position });
    if (otherwise === 'end') await this.findEnd(); else this.position = null;
  }

  private directoryLost(): void {
    this.counters.directoryMissing.value++;
    this.opts.log.warn(this.opts.follow ? 'journal directory disappeared; reading again after the last cursor once it is back'
      : 'journal directory disappeared; its entries not yet read are not read', { group: this.opts.group, directory: this.opts.spec.directory, cursor: this.position });
  }

  /**
   * journal.directory exists; when it does not, waits for it when following. `announce`: warn and
   * count once if it is missing (false when directoryLost() already did).
   */
  private async directoryReady(announce = true): Promise<boolean> {
    const dir = this.opts.spec.directory!;
    let warned = !announce;
    for (;;) {
      const state = checkDirectory(this.opts.group, dir);
      if (state === 'ok') return true;
      if (state instanceof JournalError) throw state;
      if (!warned) {
        warned = true;
        this.counters.directoryMissing.value++;
        this.opts.log.warn(this.opts.follow ? 'journal directory does not exist; waiting for it' : 'journal directory does not exist; nothing to read',
          { group: this.opts.group, directory: dir });
      }
      if (!this.opts.follow || this.stopped) return false;
      await this.sleep(this.opts.checkMs ?? 1000);
      if (this.stopped) return false;
    }
  }

  private read(mode: ReadMode): Promise<Outcome> {
    return readJournal(this.readContext, mode);
  }

  private deliver(b: JournalBatch): void | Promise<void> {
    this.position = b.cursor;
    this.counters.count(b);
    const fields = { group: this.opts.group, max_line_bytes: this.opts.maxLineBytes };
    if (b.skippedLong) this.warn.warn('line_too_long', this.name, 'journal entry with a MESSAGE longer than max_line_bytes skipped', { ...fields, skipped: b.skippedLong });
    if (b.binary) this.warn.warn('binary_message', this.name, 'journal entry with a binary MESSAGE (invalid UTF-8 or NUL bytes) read with U+FFFD for invalid bytes', { group: this.opts.group, entries: b.binary });
    if (b.noMessage) this.warn.warn('no_message', this.name, 'journal entry without MESSAGE skipped', { group: this.opts.group, entries: b.noMessage });
    if (b.lines.length) this.hadData = true;
    const p = this.opts.sink(b);
    if (p && typeof (p as Promise<void>).then === 'function') {
      this.blocked = true;
      return p.finally(() => { this.blocked = false; this.armIdle(); });
    }
    this.armIdle();
  }

  private armIdle(): void {
    if (!this.opts.follow || !this.opts.onIdle) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.blocked || !this.hadData || this.stopped) return;
      this.hadData = false;
      this.opts.onIdle!();
    }, this.opts.idleMs ?? 200);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((res) => {
      const t = setTimeout(() => { this.wakeSleep = null; res(); }, ms);
      this.wakeSleep = () => { clearTimeout(t); this.wakeSleep = null; res(); };
    });
  }
}
