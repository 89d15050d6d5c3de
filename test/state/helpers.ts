// Checkpointer tests: real datapools behind a small stand-in for the engine, a sink whose unsent
// points a test sets, a tailer that reports fixed positions, and a file system whose operations a
// test can make fail (ENOSPC, EIO, short writes) on the real files of a temp dir.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LogGroup } from '../../src/config/types.js';
import type { Point, PointSink } from '../../src/core/types.js';
import { GroupPool } from '../../src/datapool/pool.js';
import { PointList } from '../../src/output/pointlist.js';
import { Registry } from '../../src/selfstats/registry.js';
import { Checkpointer, type CheckpointSource } from '../../src/state/checkpointer.js';
import { realFs, type StateFs, type StateHandle } from '../../src/state/fsio.js';
import type { TailManager } from '../../src/tail/tailer.js';
import { MemoryLog } from '../datapool/helpers.js';

export function tempDir(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lmc-state-')));
}

/** The engine's part the checkpointer sees: datapools by group name, and the cut. */
export class Source implements CheckpointSource {
  readonly pools = new Map<string, GroupPool>();
  readonly fileTimesSet: Array<[string, string, number]> = [];
  /** Runs inside the cut, after the checkpointer's capture (reading held). */
  atCutHook: (() => void) | null = null;
  constructor(readonly registry = new Registry(), readonly log = new MemoryLog()) {}
  datapools(): GroupPool[] { return [...this.pools.values()]; }
  datapool(name: string): GroupPool | undefined { return this.pools.get(name); }
  addGroup(g: LogGroup): void { this.pools.set(g.name, new GroupPool(g, this.registry, new PointList(), { log: this.log })); }
  async atCut<T>(fn: () => T): Promise<T> {
    const r = fn();
    this.atCutHook?.();
    return r;
  }
  fileTimes(): Map<string, number> { return new Map([['/var/log/a.log', 1234]]); }
  restoreFileTime(group: string, p: string, newest: number): void { this.fileTimesSet.push([group, p, newest]); }
}

export class Sink implements PointSink {
  unsent: Point[] = [];
  written: Point[] = [];
  write(points: Point[]): boolean { this.written.push(...points); return true; }
  newBatch() { return new PointList(); }
  writeBatch(): boolean { return true; }
  waitDrain(): Promise<void> { return Promise.resolve(); }
  pending(): Point[] { return [...this.unsent]; }
  flush(): Promise<void> { return Promise.resolve(); }
  close(): Promise<void> { return Promise.resolve(); }
}

export const TAILS = {
  positions: () => [{ group: 'g', path: '/var/log/a.log', dev: 1, ino: 2, fingerprint: 'ab', offset: 100, done: false, compressed: false,
    identity: { dev: 1, ino: 2, fingerprint: 'ab' } }],
} as unknown as TailManager;

export type Fault = 'ENOSPC' | 'EIO' | 'short' | 'zero';

/** realFs, with faults a test arms: on writes (by count), or on the next datasync. */
export class FaultyFs implements StateFs {
  /** Writes to let through before the fault fires; the fault then fires on every write until cleared. */
  writeFault: { after: number; fault: Fault } | null = null;
  syncFault: Fault | null = null;
  writes = 0;
  create = async (p: string): Promise<StateHandle> => {
    const h = await realFs.create(p);
    return {
      write: async (buf, off, len, pos) => {
        this.writes++;
        const f = this.writeFault;
        if (f && f.after-- <= 0) {
          if (f.fault === 'short') return h.write(buf, off, Math.min(len, 3), pos); // a few bytes a call
          if (f.fault === 'zero') return 0;
          // A real ENOSPC usually leaves part of the data written first.
          await h.write(buf, off, Math.floor(len / 2), pos);
          throw Object.assign(new Error(`${f.fault}: injected`), { code: f.fault });
        }
        return h.write(buf, off, len, pos);
      },
      read: h.read,
      datasync: async () => {
        if (this.syncFault) throw Object.assign(new Error(`${this.syncFault}: injected on fsync`), { code: this.syncFault });
        return h.datasync();
      },
      truncate: h.truncate,
      close: h.close,
    };
  };
  open = realFs.open;
  rename = realFs.rename;
  unlink = realFs.unlink;
  mkdir = realFs.mkdir;
  list = realFs.list;
  syncDir = realFs.syncDir;
}

export interface Run {
  source: Source;
  sink: Sink;
  cp: Checkpointer;
  /** Called between two slices of a cut being written. */
  between: (() => void) | null;
}

/** A run: pools for `groups`, its checkpointer on `file` (restored first), slices of 64 sets. */
export function run(file: string, groups: LogGroup[], fs: StateFs = realFs): Run {
  const source = new Source();
  for (const g of groups) source.addGroup(g);
  const sink = new Sink();
  const r: Run = { source, sink, cp: null as unknown as Checkpointer, between: null };
  r.cp = new Checkpointer({
    file, source, sink, log: source.log, registry: source.registry, fs, wallClock: () => Date.UTC(2026, 1, 8),
    cpuClock: () => 0, cpuUsage: () => 0, sliceMs: 0, yieldTo: async () => { r.between?.(); },
  });
  r.cp.restore({ file: '/x.conf', settings: {} as never, groups });
  r.cp.attach(TAILS);
  return r;
}

/** Every key of a pool, as comparable plain data (set tag string, reference, bookkeeping, statistic). */
export function dump(pool: GroupPool): unknown[] {
  const out: unknown[] = [];
  for (const set of pool.index.all()) {
    for (const k of set.keys) {
      if (!k) continue;
      out.push([set.tagPrefix, k.ref.id, k.newest, k.first, k.lastPush, k.lastStamp, k.dirty,
        JSON.stringify((k.stat as unknown as { toState(): unknown }).toState())]);
    }
  }
  return out.sort((a, b) => String(a).localeCompare(String(b)));
}
