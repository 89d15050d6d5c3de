// Test helpers for the tailer: temp dirs, a recording sink, and a manager on a ManualScheduler, so
// that tests move time (stat polls, rescans, rotation grace) instead of sleeping.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileIdentity, LineBatch } from '../../../src/core/types.js';
import { silentLogger, type Logger } from '../../../src/core/log.js';
import { ManualScheduler } from '../../../src/core/scheduler.js';
import { Registry } from '../../../src/selfstats/registry.js';
import { TailManager, type TailGroup, type TailManagerOptions } from '../../../src/tail/tailer.js';

export function tempDir(prefix = 'tail-test-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function rmrf(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface Received {
  group: string;
  batch: LineBatch;
  identity: FileIdentity;
}

/** Records every batch; until(n) resolves when n lines have arrived (an event, not a poll). */
export class Collector {
  received: Received[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private conds: Array<{ cond: () => boolean; resolve: () => void }> = [];
  sink = (group: string, batch: LineBatch, identity: FileIdentity): void | Promise<void> => {
    this.received.push({ group, batch, identity });
    const n = this.count();
    this.waiters = this.waiters.filter((w) => (w.n <= n ? (w.resolve(), false) : true));
    this.conds = this.conds.filter((w) => (w.cond() ? (w.resolve(), false) : true));
  };
  /** Resolves once cond() holds, looked at now and after every batch (an event, not a poll). */
  when(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.conds.push({ cond, resolve: () => { clearTimeout(t); resolve(); } });
    });
  }
  until(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.count() >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} lines (have ${this.count()})`)), timeoutMs);
      this.waiters.push({ n, resolve: () => { clearTimeout(t); resolve(); } });
    });
  }
  lines(filePath?: string, group?: string): string[] {
    const out: string[] = [];
    for (const r of this.received) {
      if (filePath !== undefined && r.batch.path !== filePath) continue;
      if (group !== undefined && r.group !== group) continue;
      out.push(...r.batch.lines);
    }
    return out;
  }
  count(): number {
    let n = 0;
    for (const r of this.received) n += r.batch.lines.length;
    return n;
  }
}

/** Records log calls (message + fields) for assertions. */
export class MemLog implements Logger {
  entries: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  debug = (msg: string, fields?: Record<string, unknown>) => { this.entries.push({ level: 'debug', msg, fields }); };
  info = (msg: string, fields?: Record<string, unknown>) => { this.entries.push({ level: 'info', msg, fields }); };
  warn = (msg: string, fields?: Record<string, unknown>) => { this.entries.push({ level: 'warn', msg, fields }); };
  error = (msg: string, fields?: Record<string, unknown>) => { this.entries.push({ level: 'error', msg, fields }); };
  has(re: RegExp): boolean { return this.entries.some((e) => re.test(e.msg)); }
  countOf(re: RegExp): number { return this.entries.filter((e) => re.test(e.msg)).length; }
  warnings(): string[] { return this.entries.filter((e) => e.level === 'warn').map((e) => e.msg); }
}

export function group(name: string, globs: string[], o: Partial<TailGroup> = {}): TailGroup {
  return { name, globs, pollFile: false, fromStart: false, ...o };
}

/** A manager on a manual clock; `tick(ms)` moves it and waits until reading has caught up. */
export interface Harness {
  m: TailManager;
  clock: ManualScheduler;
  tick(ms?: number): Promise<void>;
}

export function harness(groups: TailGroup[], sink: TailManagerOptions['sink'], o: Partial<TailManagerOptions> = {}): Harness {
  const clock = (o.scheduler as ManualScheduler | undefined) ?? new ManualScheduler();
  const m = new TailManager(groups, {
    pollIntervalSec: 0.2, maxLineBytes: 1 << 20, once: false, log: silentLogger, registry: new Registry(),
    sink, fileCheckMs: 100, pollFileCheckMs: 50, rotateGraceMs: 300, ...o, scheduler: clock,
  });
  return {
    m, clock,
    async tick(ms = 0) {
      await m.settled();
      if (ms > 0) await clock.advance(ms);
      await m.settled();
    },
  };
}

/** A manager on the system clock (for tests with a writer in another process). */
export function manager(groups: TailGroup[], sink: TailManagerOptions['sink'], o: Partial<TailManagerOptions> = {}): TailManager {
  return new TailManager(groups, {
    pollIntervalSec: 0.2, maxLineBytes: 1 << 20, once: false, log: silentLogger, registry: new Registry(),
    sink, fileCheckMs: 100, pollFileCheckMs: 50, rotateGraceMs: 300, ...o,
  });
}

export const nums = (from: number, to: number, prefix = 'line') => Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);
export const write = (file: string, lines: string[]) => fs.appendFileSync(file, lines.map((l) => l + '\n').join(''));
