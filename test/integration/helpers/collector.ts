// Helpers for the push integration tests: temp configs built from fixtures or the bench seed, the
// real CLI as a child process we can watch (/proc/<pid>/status VmRSS, /proc/<pid>/io rchar), the
// collector's JSON log, and point comparisons between what --dry-run printed and what a TSD stored.
import { seedConfig as benchSeedConfig } from '../../bench/gen.mjs';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, FIXTURES, NODE, ROOT, runCli, type CliResult } from '../../helpers/cli.js';
import type { ExportedSeries } from '../../helpers/victoria.js';

export { ASSUME_NOW } from '../../helpers/cli.js';

export function tempDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `lmc-it-${tag}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `settings: {...}` as a YAML flow mapping (JSON is valid YAML). */
function settingsText(settings: Record<string, unknown>): string {
  return `settings: ${JSON.stringify(settings)}`;
}

/**
 * Copies fixtures/NAME.conf (and the logs it names) into `dir`, replacing its settings with
 * `settings` and, when `runTag` is given, adding the constant group tag `run: runTag` (so several
 * replays of one fixture land in distinct series of the same TSD). Returns the config path.
 */
export function fixtureConfig(dir: string, name: string, settings: Record<string, unknown>, runTag?: string): string {
  let text = readFileSync(path.join(FIXTURES, `${name}.conf`), 'utf8');
  const files = /files:\s*\[([^\]]*)\]/.exec(text);
  if (!files) throw new Error(`${name}.conf: no files list`);
  for (const m of files[1]!.matchAll(/["']\.\/([^"']+)["']/g)) copyFileSync(path.join(FIXTURES, m[1]!), path.join(dir, m[1]!));
  const before = text;
  text = text.replace(/settings:\s*\{[^}]*\}/, settingsText(settings));
  if (text === before) throw new Error(`${name}.conf: no settings mapping to replace`);
  if (runTag !== undefined) {
    const t = text.replace(/(\n\s*)tags:\s*\{/, `$1tags: { run: "${runTag}", `);
    if (t === text) throw new Error(`${name}.conf: no tags mapping`);
    text = t;
  }
  const conf = path.join(dir, `${name}${runTag ? '.' + runTag : ''}.conf`);
  writeFileSync(conf, text);
  return conf;
}

/** The bench seed config (the original README's rest.api group) over `files`, with these settings. */
export function seedConfig(files: string[], settings: Record<string, unknown>, group: Record<string, unknown> = {}): string {
  return benchSeedConfig(files, settings, group);
}

/**
 * A seed log of `lines` lines (test/bench/gen.mjs, `perSecond` lines per second of log time), cached
 * under the OS temp dir across runs (written to a temp name, then renamed: never half a file).
 */
export async function seedLog(lines: number, perSecond: number): Promise<string> {
  const dir = path.join(os.tmpdir(), 'logmetrics-integration');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `seed-${lines}-${perSecond}.log`);
  if (existsSync(file)) return file;
  const tmp = `${file}.tmp-${process.pid}`;
  const gen = await import(path.join(ROOT, 'test/bench/gen.mjs')) as {
    generate(p: string, n: number, o: { perSecond: number }): Promise<void>;
  };
  await gen.generate(tmp, lines, { perSecond });
  renameSync(tmp, file);
  return file;
}

export interface Running {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited(): boolean;
  /** Resolves at exit (or kills with SIGKILL after timeoutMs). */
  result: Promise<CliResult>;
}

/** The compiled CLI as a child process (TZ=UTC, like runCli). */
export function spawnCli(args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Running {
  const child = spawn(NODE, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT, env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  let done = false;
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done = true;
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
  return {
    child, pid: child.pid!, result, exited: () => done,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
  };
}

/** --once --dry-run of a config: the lines a pusher would send. */
export async function dryRun(conf: string, extra: string[] = []): Promise<string> {
  const r = await runCli(['-c', conf, '--once', '--dry-run', ...extra], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`dry-run of ${conf} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** VmRSS of a live process in MB (NaN once it is gone). */
export function rssMB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Bytes the process obtained from read()/pread() on any fd (/proc/<pid>/io rchar), NaN once gone. */
export function rchar(pid: number): number {
  try {
    const m = /^rchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export interface LogLine { level: string; msg: string; [k: string]: unknown }

/** The collector's stderr JSON log lines (non-JSON lines are ignored). */
export function logLines(stderr: string): LogLine[] {
  const out: LogLine[] = [];
  for (const l of stderr.split('\n')) {
    if (!l.startsWith('{')) continue;
    try { out.push(JSON.parse(l) as LogLine); } catch { /* partial line */ }
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every `everyMs` until it returns a truthy value; throws after timeoutMs. */
export async function until<T>(cond: () => T | Promise<T>, timeoutMs: number, what: string, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---- points -------------------------------------------------------------------------------------

/** One point: series = "metric tag=v tag=v" (tags sorted), ts in seconds, value as a number. */
export interface P { series: string; ts: number; value: number }

function seriesOf(metric: string, tags: string[]): string {
  return [metric, ...[...tags].sort()].join(' ');
}

/** Parses `put metric ts value tags...` (tsd) or `metric ts value tags...` (tcollector) lines. */
export function parsePoints(text: string): P[] {
  const out: P[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    if (f[0] === 'put') f.shift();
    const [metric, ts, value, ...tags] = f;
    if (!metric || ts === undefined || value === undefined) throw new Error(`not a point line: ${JSON.stringify(line)}`);
    out.push({ series: seriesOf(metric, tags), ts: Number(ts), value: Number(value) });
  }
  return out;
}

/** VictoriaMetrics export rows as points (ms timestamps back to seconds). */
export function exportedPoints(series: ExportedSeries[]): P[] {
  const out: P[] = [];
  for (const s of series) {
    const { __name__: name, ...tags } = s.metric;
    const key = seriesOf(name!, Object.entries(tags).map(([k, v]) => `${k}=${v}`));
    s.values.forEach((v, i) => out.push({ series: key, ts: s.timestamps[i]! / 1000, value: v }));
  }
  return out;
}

const pointKey = (p: P) => `${p.series} @${p.ts} = ${p.value}`;
const slotKey = (p: P) => `${p.series} @${p.ts}`;

export interface Comparison {
  sentPoints: number;
  storedPoints: number;
  sentSlots: number;          // distinct (series, ts) sent
  storedSlots: number;        // distinct (series, ts) stored
  slotsSentTwice: number;     // (series, ts) sent more than once (with the same or another value)
  slotsSentTwiceDiffering: number; // ... with different values
  missing: string[];          // sent, not stored (multiset difference in exact mode, set otherwise)
  extra: string[];            // stored, not sent
}

function counts(ps: P[], key: (p: P) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of ps) m.set(key(p), (m.get(key(p)) ?? 0) + 1);
  return m;
}

/**
 * Compares what was sent with what the TSD stored.
 * - exact: every point exactly as often as it was sent (VictoriaMetrics 1.79 without
 *   -dedup.minScrapeInterval keeps every sample, two values at one (series, ts) included);
 * - atLeastOnce: the sets of distinct (series, ts, value) are equal: nothing missing, nothing the
 *   collector did not send, a resent point (same value) allowed.
 */
export function compare(sent: P[], stored: P[], mode: 'exact' | 'atLeastOnce'): Comparison {
  const slots = new Map<string, Set<number>>();
  const slotN = counts(sent, slotKey);
  for (const p of sent) {
    let s = slots.get(slotKey(p));
    if (!s) slots.set(slotKey(p), s = new Set());
    s.add(p.value);
  }
  const a = counts(sent, pointKey);
  const b = counts(stored, pointKey);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, n] of a) {
    const m = b.get(k) ?? 0;
    if (mode === 'exact' ? m < n : m === 0) missing.push(mode === 'exact' && m > 0 ? `${k} (x${n - m})` : k);
  }
  for (const [k, n] of b) {
    const m = a.get(k) ?? 0;
    if (mode === 'exact' ? n > m : m === 0) extra.push(mode === 'exact' && m > 0 ? `${k} (x${n - m})` : k);
  }
  return {
    sentPoints: sent.length, storedPoints: stored.length,
    sentSlots: slotN.size, storedSlots: counts(stored, slotKey).size,
    slotsSentTwice: [...slotN.values()].filter((n) => n > 1).length,
    slotsSentTwiceDiffering: [...slots.values()].filter((s) => s.size > 1).length,
    missing: missing.sort(), extra: extra.sort(),
  };
}

/** A short text for assertion messages. */
export function describeDiff(c: Comparison): string {
  return `sent ${c.sentPoints} points / ${c.sentSlots} (series, ts); stored ${c.storedPoints} / ${c.storedSlots}; ` +
    `missing ${c.missing.length}: ${c.missing.slice(0, 5).join(' | ')}; extra ${c.extra.length}: ${c.extra.slice(0, 5).join(' | ')}`;
}

/**
 * Points the TSD acknowledged so far, by the collector's own /status on `statusPort` (0 while it
 * does not answer yet). Lag-free, unlike VictoriaMetrics' own counters, which trail by up to a
 * second: long enough for a fast replay to get past the middle of its log.
 */
export async function keySent(statusPort: number): Promise<number> {
  try {
    const s = await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json() as { pushers?: Array<{ keySent: number }> };
    return s.pushers?.reduce((n, p) => n + p.keySent, 0) ?? 0;
  } catch {
    return 0;
  }
}
