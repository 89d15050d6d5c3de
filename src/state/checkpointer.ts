// Restores and writes the state file for a run (daemon, or --once/--dry-run with --state-file):
// pool states, per-file positions and unsent points (spec section 8).
import type { Config } from '../config/types.js';
import type { Logger } from '../core/log.js';
import type { PointSink } from '../core/types.js';
import type { Engine } from '../process/engine.js';
import type { TailManager } from '../tail/tailer.js';
import type { GroupRecord, Restored } from '../tail/types.js';
import { moveAside, readState, writeState, STATE_VERSION, type FileCheckpoint, type StateFile } from './checkpoint.js';

export class Checkpointer {
  /** Saved file records (found by identity, wherever rotation moved them), for the tailer's `restored` option. */
  readonly records: GroupRecord[] = [];
  private writtenAt = 0;
  private tails: TailManager | null = null;

  constructor(private readonly file: string, private readonly engine: Engine, private readonly sink: PointSink, private readonly log: Logger) {}

  get enabled(): boolean {
    return this.file !== '';
  }

  /** Reads the state file and restores it into the engine and the sink. Call before tailing starts. */
  restore(config: Config): void {
    if (!this.enabled) return;
    const state = readState(this.file, this.log);
    if (!state) return;
    try {
      for (const [name, ps] of Object.entries(state.groups)) this.engine.groups.get(name)?.pool.restore(ps);
      for (const f of state.files) {
        if (!this.engine.groups.has(f.group)) continue;
        this.records.push({ group: f.group, path: f.path, dev: f.dev, ino: f.ino, fingerprint: f.fingerprint, offset: f.offset,
          done: f.done === true, compressed: f.compressed === true });
        if (f.newest !== null && f.done !== true) this.engine.restoreFileTime(f.group, f.path, f.newest);
      }
      this.writtenAt = Date.parse(state.written) || 0;
      if (state.pending.length) this.sink.write(state.pending);
      this.log.info('State restored', { state_file: this.file, files: state.files.length, pending_points: state.pending.length });
    } catch (e) {
      moveAside(this.file, 'State file could not be restored', (e as Error).message, this.log);
      for (const g of config.groups) this.engine.addGroup(g);
      this.records.length = 0;
    }
  }

  /** What the tailer needs of the restored state (undefined when nothing was restored). */
  restored(): Restored | undefined {
    return this.records.length ? { records: this.records, writtenAt: this.writtenAt } : undefined;
  }

  attach(tails: TailManager): void {
    this.tails = tails;
  }

  /** Writes a consistent cut: reading is held until every batch handed in is applied. */
  save(): Promise<void> {
    if (!this.enabled || !this.tails) return Promise.resolve();
    return this.engine.atCut(() => this.write());
  }

  private write(): void {
    const files: FileCheckpoint[] = [];
    const times = new Map<string, Map<string, number>>();
    for (const p of this.tails!.positions()) {
      let t = times.get(p.group);
      if (!t) { t = this.engine.fileTimes(p.group); times.set(p.group, t); }
      files.push({ group: p.group, path: p.path, dev: p.dev, ino: p.ino, fingerprint: p.fingerprint,
        offset: p.offset, newest: p.done ? null : t.get(p.path) ?? null, done: p.done, compressed: p.compressed });
    }
    const groups: StateFile['groups'] = {};
    for (const [name, rt] of this.engine.groups) groups[name] = rt.pool.toState();
    try {
      writeState(this.file, { version: STATE_VERSION, written: new Date().toISOString(), files, groups, pending: this.sink.pending() });
    } catch (e) {
      this.log.error('Could not write the state file', { state_file: this.file, error: (e as Error).message });
    }
  }
}
