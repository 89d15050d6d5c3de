// Running a JournalSource in tests: a recording sink, a recording logger, temp dirs and waits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Logger } from '../../../src/core/log.js';
import { Registry } from '../../../src/selfstats/registry.js';
import type { JournalBatch } from '../../../src/input/journal/batch.js';
import { JournalSource, type JournalSourceOptions, type JournalStart } from '../../../src/input/journal/source.js';

export function tempDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export class RecordingLog implements Logger {
  readonly entries: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  debug(msg: string, fields?: Record<string, unknown>) { this.entries.push({ level: 'debug', msg, fields }); }
  info(msg: string, fields?: Record<string, unknown>) { this.entries.push({ level: 'info', msg, fields }); }
  warn(msg: string, fields?: Record<string, unknown>) { this.entries.push({ level: 'warn', msg, fields }); }
  error(msg: string, fields?: Record<string, unknown>) { this.entries.push({ level: 'error', msg, fields }); }
  warnings(): string[] { return this.entries.filter((e) => e.level === 'warn').map((e) => e.msg); }
}

export interface Run {
  source: JournalSource;
  batches: JournalBatch[];
  log: RecordingLog;
  registry: Registry;
  lines(): string[];
  counter(name: string): number;
}

export function startSource(o: Partial<JournalSourceOptions> & { directory: string | null; start: JournalStart; follow: boolean; matches?: string[]; fields?: string[] }): Run {
  const batches: JournalBatch[] = [];
  const log = new RecordingLog();
  const registry = new Registry();
  const source = new JournalSource({
    group: 'g', spec: { matches: o.matches ?? [], directory: o.directory, fields: o.fields ?? [] }, maxLineBytes: 1 << 20,
    sink: (b) => { batches.push(b); }, log, registry, checkMs: 100, retryMs: 100, ...o,
  });
  source.start();
  return {
    source, batches, log, registry,
    lines: () => batches.flatMap((b) => b.lines),
    counter: (name) => registry.all().filter((s) => s.name === name).reduce((a, s) => a + s.value, 0),
  };
}

/** Reads a whole (non-following) source to its end. */
export async function readAll(o: Parameters<typeof startSource>[0]): Promise<Run> {
  const r = startSource(o);
  await r.source.done;
  return r;
}

/** Every entry's cursor and MESSAGE in the directory, in journal order (journalctl itself). */
export function entryCursors(dir: string, matches: string[] = []): Array<{ cursor: string; message: string }> {
  const out = execFileSync('journalctl', [`--directory=${dir}`, '--output=json', '--output-fields=MESSAGE', '--no-pager', '--', ...matches], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.split('\n').filter((l) => l).map((l) => {
    const j = JSON.parse(l) as { __CURSOR: string; MESSAGE: string };
    return { cursor: j.__CURSOR, message: j.MESSAGE };
  });
}
