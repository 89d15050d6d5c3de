// -j N: N parse workers (and one for -j 1 when a group has runaway regexes). Every batch of a file
// goes to the same worker (its context evolves in order), files are spread over the workers in the
// order they first appear; results come back in any order and the engine applies them in the order
// the batches were handed in, so the output is the same for every N.
//
// The watchdog: while batches are in flight, each worker's progress (watch.ts) is sampled every
// CHECK_MS. A worker on the same line of a guarded group for STUCK_MS is terminated and replaced;
// the new worker (a spare started ahead when some group has such regexes) gets each of its files'
// newest log time as of the last result received, and every batch the old one had not answered, the
// stuck line marked to be dropped (Outcome.Timeout).
// A line is cut off 0.5-0.7 s after it started; a new worker would take 0.1-0.3 s to start here
// under load, the spare answers at once, so the pipeline moves again within about a second
// (test/integration/runaway-regex.test.ts measures it live).
import { Worker } from 'node:worker_threads';
import type { LogGroup } from '../../config/types.js';
import type { BatchMessage, BatchResult, Profiled, ToWorker, WorkerInit } from './protocol.js';
import { workerProfileFile } from '../../core/profile.js';
import { Watch, type Stuck } from './watch.js';

/** How long close() waits for the workers' profiles to be written. */
const PROFILE_WAIT_MS = 10_000;
/** A guarded line running this long is cut off. */
export const STUCK_MS = 500;
const CHECK_MS = 100;

export interface ParseWorkersOptions {
  groups: LogGroup[];
  maxFutureSkew: number;
  onResult: (r: BatchResult) => void;
  onError: (e: Error) => void;
  /** The wall clock (ms), for the watchdog. */
  now: () => number;
  /** -P's file: each worker writes its own profile next to it (see workerProfileFile). */
  profile?: string;
  /** Keep a spare worker started (some group has runaway regexes): a stuck worker is replaced at once. */
  spare?: boolean;
  /** The lines of a batch sent and not yet answered (to send it again after a restart). */
  linesOf: (seq: number) => readonly string[];
}

/** What the engine needs of its parse workers (a test hands the engine its own). */
export interface WorkerPool {
  readonly size: number;
  busy(yes: boolean): void;
  batch(seq: number, group: string, path: string, lines: readonly string[], wallSec: number): void;
  fileTime(group: string, path: string, newest: number): void;
  setGroups(groups: LogGroup[]): void;
  close(): Promise<void>;
}

/** A batch sent and not answered yet: what it takes to send it again (its lines are the engine's: linesOf). */
interface Sent {
  group: string;
  path: string;
  wallSec: number;
  /** Line indices to drop as Outcome.Timeout when sent again. */
  skip: number[];
}

interface Slot {
  index: number;
  worker: Worker;
  watch: Watch;
  /**
   * Batches sent and not answered yet, in the order sent. Without their text or lines: a second
   * reference to every batch's lines (besides the engine's queue) until its answer made V8 promote
   * nearly all of them out of the young generation (measured in a 500k-line -j 2 replay: 97 MB
   * promoted instead of 8, +40 MB RSS, twice the GC time); a restart asks the engine for them.
   */
  pending: Map<number, Sent>;
  /** The files (group + NUL + path) this worker was given. */
  files: Set<string>;
}

export class ParseWorkers implements WorkerPool {
  private readonly slots: Slot[] = [];
  private failure: Error | null = null;
  /** Worker index of each file (group + NUL + path). */
  private readonly assigned = new Map<string, number>();
  /** Each file's newest log time as of the last result received, or as restored. */
  private readonly newest = new Map<string, number>();
  private groups: LogGroup[];
  private profiled: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private refd = false;
  private spare: { worker: Worker; watch: Watch } | null = null;

  constructor(n: number, private readonly opts: ParseWorkersOptions) {
    this.groups = opts.groups;
    for (let i = 0; i < n; i++) {
      const watch = new Watch();
      this.slots.push({ index: i, worker: this.start(i, watch), watch, pending: new Map(), files: new Set() });
    }
    this.startSpare();
  }

  get size(): number {
    return this.slots.length;
  }

  /** While batches are in flight the workers keep the process alive and the watchdog runs; when idle neither. */
  busy(yes: boolean): void {
    this.refd = yes;
    for (const s of this.slots) if (yes) s.worker.ref(); else s.worker.unref();
    if (yes && !this.timer) {
      this.timer = setInterval(() => this.check(), CHECK_MS);
      this.timer.unref();
    } else if (!yes && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  batch(seq: number, group: string, path: string, lines: readonly string[], wallSec: number): void {
    if (this.failure) throw this.failure;
    const slot = this.pick(group, path);
    const sent: Sent = { group, path, wallSec, skip: [] };
    slot.pending.set(seq, sent);
    slot.worker.postMessage(message(seq, sent, lines));
  }

  fileTime(group: string, path: string, newest: number): void {
    this.newest.set(group + '\0' + path, newest);
    const m: ToWorker = { kind: 'file-time', group, path, newest };
    this.pick(group, path).worker.postMessage(m);
  }

  setGroups(groups: LogGroup[]): void {
    this.groups = groups;
    const m: ToWorker = { kind: 'groups', groups };
    for (const s of this.slots) s.worker.postMessage(m);
    this.spare?.worker.postMessage(m);
  }

  async close(): Promise<void> {
    this.busy(false);
    if (this.opts.profile !== undefined && !this.failure) {
      for (const s of this.slots) s.worker.ref();
      const written = this.slots.map(() => new Promise<void>((r) => this.profiled.push(r)));
      const m: ToWorker = { kind: 'stop-profile' };
      for (const s of this.slots) s.worker.postMessage(m);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(written), new Promise((r) => { timer = setTimeout(r, PROFILE_WAIT_MS); })]);
      clearTimeout(timer);
    }
    await Promise.all([...this.slots.map((s) => s.worker), ...(this.spare ? [this.spare.worker] : [])].map((w) => w.terminate()));
  }

  /** Starts a worker on `watch`'s progress slots; `i`: the slot it is for (null: a spare). */
  private start(i: number | null, watch: Watch): Worker {
    const profile = this.opts.profile;
    const init: WorkerInit = { groups: this.groups, maxFutureSkew: this.opts.maxFutureSkew, progress: watch.progress.buffer as SharedArrayBuffer,
      profile: profile === undefined || i === null ? undefined : workerProfileFile(profile, i + 1) };
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
    w.on('error', (e) => { this.failure = e; this.opts.onError(e); });
    if (i !== null) this.serve(i, w);
    else w.unref();
    return w;
  }

  /** Makes `w` slot i's worker: its results are taken. */
  private serve(i: number, w: Worker): void {
    w.on('message', (m: BatchResult | Profiled) => {
      if (m.kind === 'profiled') { this.profiled.shift()?.(); return; }
      const slot = this.slots[i]!;
      const sent = slot.pending.get(m.seq);
      slot.pending.delete(m.seq);
      if (sent && !Number.isNaN(m.newest)) this.newest.set(sent.group + '\0' + sent.path, m.newest);
      this.opts.onResult(m);
    });
    if (this.refd) w.ref(); else w.unref();
  }

  /** With guarded groups: a worker started ahead, so that a stuck one is replaced at once. */
  private startSpare(): void {
    if (!this.opts.spare || this.opts.profile !== undefined || this.spare) return;
    const watch = new Watch();
    this.spare = { worker: this.start(null, watch), watch };
  }

  private pick(group: string, path: string): Slot {
    const id = group + '\0' + path;
    let i = this.assigned.get(id);
    if (i === undefined) {
      let best = 0;
      for (let k = 1; k < this.slots.length; k++) if (this.slots[k]!.files.size < this.slots[best]!.files.size) best = k;
      i = best;
      this.assigned.set(id, i);
      this.slots[i]!.files.add(id);
    }
    return this.slots[i]!;
  }

  private check(): void {
    const now = this.opts.now();
    for (const s of this.slots) {
      if (s.pending.size === 0) continue;
      const stuck = s.watch.stuck(now, STUCK_MS);
      if (stuck) this.restart(s, stuck);
    }
  }

  /** Replaces a stuck worker: the line it is on is dropped, every batch it had not answered is resent. */
  private restart(slot: Slot, stuck: Stuck): void {
    const old = slot.worker;
    old.removeAllListeners('message');
    old.removeAllListeners('error');
    void old.terminate();
    const m = slot.pending.get(stuck.seq);
    if (m && !m.skip.includes(stuck.line)) m.skip = [...m.skip, stuck.line].sort((a, b) => a - b);
    if (this.spare) {
      ({ worker: slot.worker, watch: slot.watch } = this.spare);
      this.spare = null;
      this.serve(slot.index, slot.worker);
    } else {
      slot.watch = new Watch();
      slot.worker = this.start(slot.index, slot.watch);
    }
    for (const id of slot.files) {
      const t = this.newest.get(id);
      if (t === undefined) continue;
      const nul = id.indexOf('\0');
      const msg: ToWorker = { kind: 'file-time', group: id.slice(0, nul), path: id.slice(nul + 1), newest: t };
      slot.worker.postMessage(msg);
    }
    for (const [seq, p] of slot.pending) slot.worker.postMessage(message(seq, p, this.opts.linesOf(seq)));
    this.startSpare();
  }
}

function message(seq: number, s: Sent, lines: readonly string[]): BatchMessage {
  return { kind: 'batch', seq, group: s.group, path: s.path, text: lines.join('\n'), count: lines.length, wallSec: s.wallSec, skip: s.skip };
}
