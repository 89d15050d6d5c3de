// Test helpers for the tailer: temp dirs, polling waits, a recording sink.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileIdentity, LineBatch } from '../../../src/core/types.js';
import { silentLogger, type Logger } from '../../../src/core/log.js';
import { Registry } from '../../../src/selfstats/registry.js';
import { TailManager, type TailGroup, type TailManagerOptions } from '../../../src/tail/tailer.js';

export function tempDir(prefix = 'tail-test-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export function rmrf(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export interface Received {
  group: string;
  batch: LineBatch;
  identity: FileIdentity;
}

export class Collector {
  received: Received[] = [];
  sink = (group: string, batch: LineBatch, identity: FileIdentity): void | Promise<void> => {
    this.received.push({ group, batch, identity });
  };
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
}

export function group(name: string, globs: string[], o: Partial<TailGroup> = {}): TailGroup {
  return { name, globs, pollFile: false, fromStart: false, ...o };
}

export function manager(groups: TailGroup[], sink: TailManagerOptions['sink'], o: Partial<TailManagerOptions> = {}): TailManager {
  return new TailManager(groups, {
    pollIntervalSec: 0.2, maxLineBytes: 1 << 20, once: false, log: silentLogger, registry: new Registry(),
    sink, fileCheckMs: 100, pollFileCheckMs: 50, rotateGraceMs: 300, ...o,
  });
}
