// Helpers for the tailing integration tests (test/integration/tail-*.test.ts): the real CLI as a
// long-running daemon we can signal, kill and watch (stdout points, stderr JSON log, the status
// endpoint, /proc), configs for a simple numbered-line format, and point parsing.
//
// The line format: `<rfc3339 time> file=<tag> n=<seq>[ padding]`. A group over it counts lines
// (counter `lines` and meter `m` on position 0) and sums the sequence numbers (counter `seqsum` on
// position 3): a file whose lines 0..N-1 were each read exactly once ends with lines = N and
// seqsum = N(N-1)/2.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, NODE, ROOT } from '../../helpers/cli.js';

export function tempDir(tag: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `lmc-tail-${tag}-`)));
}

export function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until it returns a truthy value; throws after timeoutMs. */
export async function until<T>(cond: () => T | Promise<T>, timeoutMs: number, what: string | (() => string), everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(everyMs);
  }
}

/** xorshift32: reproducible random choices (the seed is printed by the tests that use it). */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % n; };
}

// ---- configs ------------------------------------------------------------------------------------

export const BASE_TIME = Date.UTC(2026, 1, 8, 4, 0, 0);

/** `2026-02-08T04:00:05Z` for BASE_TIME + sec seconds. */
export function isoAt(sec: number): string {
  return new Date(BASE_TIME + Math.floor(sec) * 1000).toISOString().slice(0, 19) + 'Z';
}

/** One line of the simple format. */
export function numLine(sec: number, tag: string, seq: number, pad = ''): string {
  return `${isoAt(sec)} file=${tag} n=${seq}${pad ? ' ' + pad : ''}\n`;
}

export interface SimpleGroup {
  name: string;
  files: string[];
  interval?: number;
  live_poll?: boolean;
  parse_from_start?: boolean;
  key_prefix?: string;
  /** Default: counters `lines` and `seqsum`, meter `m`. */
  metrics?: string;
  goroutines?: number;
}

export const COUNT_METRICS = '{ counter: [ { key_suffix: lines, reference: [ [0, ""] ] }, { key_suffix: seqsum, reference: [ [3, ""] ] } ], ' +
  'meter: [ { key_suffix: m, reference: [ [0, ""] ] } ] }';
export const LINES_ONLY = '{ counter: [ { key_suffix: lines, reference: [ [0, ""] ] } ] }';

export function simpleGroup(g: SimpleGroup): string {
  return `  ${g.name}: {
    files: ${JSON.stringify(g.files)},
    re: [ '^(\\S+)\\sfile=(\\S+)\\sn=(\\d+)' ],
    expected_matches: 3,
    date: { position: 1, format: "rfc3339" },
    key_prefix: ${JSON.stringify(g.key_prefix ?? g.name)},
    tags: { file: 2 },
    metrics: ${g.metrics ?? COUNT_METRICS},
    goroutines: ${g.goroutines ?? 1},
    interval: ${g.interval ?? 10},
    live_poll: ${g.live_poll ?? false},
    parse_from_start: ${g.parse_from_start ?? true}
  }`;
}

export const DEFAULT_SETTINGS = { push_type: 'tsd', poll_interval: 1, state_file: '', stats_interval: 3600, status_listen: '127.0.0.1:0' };

export function configText(groups: string[], settings: Record<string, unknown> = {}): string {
  return `{\n${groups.join(',\n')},\n  settings: ${JSON.stringify({ ...DEFAULT_SETTINGS, ...settings })}\n}\n`;
}

export function writeConfig(file: string, groups: string[], settings: Record<string, unknown> = {}): string {
  fs.writeFileSync(file, configText(groups, settings));
  return file;
}

// ---- the daemon ---------------------------------------------------------------------------------

export interface LogLine { level: string; msg: string; time?: string; [k: string]: unknown }

export interface DaemonOptions {
  /** Don't consume stdout until resumeStdout() (the output is blocked: backpressure). */
  blockStdout?: boolean;
  /** Called with every complete stdout line instead of keeping the text (large outputs). */
  onLine?: (line: string) => void;
  /** Keep only the last `tailChars` characters of stdout (large outputs whose end is what counts). */
  tailChars?: number;
  timeoutMs?: number;
  /** A command the collector runs under (e.g. setpriv to another user, prlimit). */
  wrap?: string[];
}

/**
 * The compiled CLI as a child process (TZ=UTC), stdout and stderr collected as they arrive.
 * LMC_TAIL_CLI=/path/to/cli.js runs another build (e.g. a deliberately broken copy, to check that
 * these tests can fail).
 */
export class Daemon {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out: string[] = [];
  private outLen = 0;
  private partial = '';
  private err = '';
  private logCache: { upTo: number; lines: LogLine[] } = { upTo: 0, lines: [] };
  private exited = false;
  private port: number | null = null;
  stdoutBytes = 0;

  constructor(args: string[], private readonly opts: DaemonOptions = {}) {
    const argv = [NODE, process.env.LMC_TAIL_CLI || CLI, ...args];
    const [cmd, ...rest] = opts.wrap ? [...opts.wrap, ...argv] : argv;
    this.child = spawn(cmd!, rest, {
      cwd: opts.wrap ? '/' : ROOT, env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid!;
    if (!opts.blockStdout) this.resumeStdout();
    else this.child.stdout!.pause();
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (s: string) => { this.err += s; });
    this.exit = new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.exited = true;
        if (this.partial && opts.onLine) { opts.onLine(this.partial); this.partial = ''; }
        resolve({ code, signal });
      });
    });
  }

  /** Starts (or resumes) consuming stdout. */
  resumeStdout(): void {
    const so = this.child.stdout!;
    if (so.listenerCount('data') === 0) {
      so.setEncoding('utf8');
      so.on('data', (s: string) => {
        this.stdoutBytes += Buffer.byteLength(s);
        if (this.opts.onLine) {
          const text = this.partial + s;
          const lines = text.split('\n');
          this.partial = lines.pop()!;
          for (const l of lines) this.opts.onLine(l);
        } else {
          this.out.push(s);
          this.outLen += s.length;
          const keep = this.opts.tailChars;
          if (keep !== undefined && this.outLen > 2 * keep + (1 << 20)) {
            const all = this.out.join('');
            this.out = [all.slice(all.length - keep)];
            this.outLen = this.out[0]!.length;
          }
        }
      });
    }
    so.resume();
  }

  get isExited(): boolean { return this.exited; }

  /** stdout so far (with tailChars: its last tailChars characters, from a line start). */
  stdout(): string {
    if (this.out.length > 1) this.out = [this.out.join('')];
    const s = this.out[0] ?? '';
    const keep = this.opts.tailChars;
    if (keep === undefined || s.length <= keep) return s;
    const t = s.slice(s.length - keep);
    return t.slice(t.indexOf('\n') + 1);
  }

  stderr(): string { return this.err; }

  /** The JSON log lines so far. */
  log(): LogLine[] {
    const text = this.err;
    const end = text.lastIndexOf('\n') + 1;
    if (end > this.logCache.upTo) {
      for (const l of text.slice(this.logCache.upTo, end).split('\n')) {
        if (!l.startsWith('{')) continue;
        try { this.logCache.lines.push(JSON.parse(l) as LogLine); } catch { /* not ours */ }
      }
      this.logCache.upTo = end;
    }
    return this.logCache.lines;
  }

  findLog(msg: string | RegExp): LogLine | undefined {
    return this.log().find((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)));
  }

  /** Waits for the "Collector started" log line; returns the status port when there is one. */
  async started(timeoutMs = 20_000): Promise<number | null> {
    await until(() => this.findLog('Collector started') || this.exited, timeoutMs, () => `the collector to start; stderr: ${this.err.slice(-2000)}`);
    if (this.exited) throw new Error(`the collector exited at start-up: ${this.err.slice(-3000)}`);
    const s = this.findLog('Status endpoint listening');
    this.port = s ? Number(s.port) : null;
    return this.port;
  }

  get statusPort(): number {
    if (this.port === null) throw new Error('no status endpoint');
    return this.port;
  }

  async get(pathname: string): Promise<string> {
    return httpGet(this.statusPort, pathname);
  }

  async status(): Promise<StatusJson> {
    return JSON.parse(await this.get('/status')) as StatusJson;
  }

  /** tail.line_read per file path (from /metrics). */
  async linesRead(): Promise<Map<string, number>> {
    return promCounter(await this.get('/metrics'), 'logmetrics_collector_tail_line_read_total', 'filename');
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.exited) process.kill(this.pid, sig);
  }

  /** SIGTERM, then the exit (code 0 expected by the callers). */
  async stop(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit ${timeoutMs} ms after SIGTERM: ${this.err.slice(-2000)}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill9(): Promise<void> {
    if (!this.exited) this.child.kill('SIGKILL');
    await this.exit;
  }

  /** For afterEach: make sure nothing is left running. */
  dispose(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

export interface StatusFile { group: string; path: string; dev: number; ino: number; offset: number; size: number; lagBytes: number; rotating: boolean }
export interface StatusJson { files: StatusFile[]; queue: { depth: number }; [k: string]: unknown }

export function httpGet(port: number, pathname: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${pathname}: ${res.statusCode} ${body}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${pathname}: timeout`)));
    req.on('error', reject);
  });
}

/** Values of one Prometheus counter family by the value of one label. */
export function promCounter(text: string, family: string, label: string): Map<string, number> {
  const m = new Map<string, number>();
  const re = new RegExp(`^${family}\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const x of text.matchAll(re)) {
    const l = new RegExp(`(?:^|,)${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(x[1]!);
    if (!l) continue;
    const key = l[1]!.replace(/\\(.)/g, '$1');
    m.set(key, (m.get(key) ?? 0) + Number(x[2]));
  }
  return m;
}

// ---- points -------------------------------------------------------------------------------------

export interface Last { ts: number; value: number; raw: string }

/** The last point of every series ("metric tag=v ...", tags as printed) in `put` lines. */
export function lastPoints(text: string, into = new Map<string, Last>()): Map<string, Last> {
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    // A kill -9 can cut a write in the middle of a line: an unterminated last line was not sent
    // (the restart re-sends it from the checkpoint).
    if (end < 0) break;
    const line = text.slice(start, end);
    start = end + 1;
    addPoint(line, into);
  }
  return into;
}

/** Parses one `put metric ts value tags...` line into `into` (last point per series). */
export function addPoint(line: string, into: Map<string, Last>): void {
  if (line === '') return;
  const f = line.split(' ');
  if (f[0] === 'put') f.shift();
  const [metric, ts, value, ...tags] = f;
  if (!metric || ts === undefined || value === undefined) throw new Error(`not a point line: ${JSON.stringify(line)}`);
  into.set([metric, ...tags].join(' '), { ts: Number(ts), value: Number(value), raw: line });
}

/** The final values of `<prefix>.<suffix>.count` per file tag. */
export function finalCounts(points: Map<string, Last>, prefix: string, suffix = 'lines'): Map<string, number> {
  const out = new Map<string, number>();
  const head = `${prefix}.${suffix}.count `;
  for (const [k, v] of points) {
    if (!k.startsWith(head)) continue;
    const tag = /(?:^| )file=(\S+)/.exec(k.slice(head.length));
    if (tag) out.set(tag[1]!, v.value);
  }
  return out;
}

/** VmRSS of a live process in MB (NaN once it is gone). */
export function rssMB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Figures printed by the tests, for the report. */
export function report(what: string, figures: Record<string, unknown>): void {
  // eslint-disable-next-line no-console
  console.log(`[${what}] ` + Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(3) : String(v)}`).join(' '));
}

// ---- the bench seed log (the original README's rest.api format) ---------------------------------

/**
 * A seed log of `lines` lines from test/bench/gen.mjs (default perSecond), cached under the OS temp
 * dir across runs (written to a temp name, then renamed: never half a file).
 */
export async function cachedSeedLog(lines: number, perSecond = 278): Promise<string> {
  const dir = path.join(os.tmpdir(), 'logmetrics-integration');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `seed-${lines}-${perSecond}.log`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.tmp-${process.pid}`;
  const gen = await import(path.join(ROOT, 'test/bench/gen.mjs')) as {
    generate(p: string, n: number, o: { perSecond: number }): Promise<void>;
  };
  await gen.generate(tmp, lines, { perSecond });
  fs.renameSync(tmp, file);
  return file;
}

/** fixtures/rest_api.conf over `files`, with these settings (on top of DEFAULT_SETTINGS). */
export function restApiConfig(file: string, files: string[], settings: Record<string, unknown> = {}): string {
  let text = fs.readFileSync(path.join(ROOT, 'fixtures/rest_api.conf'), 'utf8');
  const t1 = text.replace('[ "./rest_api.perf.log" ]', JSON.stringify(files));
  const t2 = t1.replace(/settings:\s*\{[^}]*\}/, `settings: ${JSON.stringify({ ...DEFAULT_SETTINGS, ...settings })}`);
  if (t1 === text || t2 === t1) throw new Error('fixtures/rest_api.conf changed: files or settings not found');
  text = t2;
  fs.writeFileSync(file, text);
  return file;
}

/**
 * Appends `src` to `dst` at about `bytesPerSec`, in pieces cut at arbitrary bytes (partial lines
 * included), as an application writing its log would. `written` tells how far it got.
 */
export class Feeder {
  written = 0;
  readonly size: number;
  readonly done: Promise<void>;
  private stopped = false;

  constructor(src: string, dst: string, bytesPerSec: number, rand: (n: number) => number, tickMs = 20) {
    const size = this.size = fs.statSync(src).size;
    const inFd = fs.openSync(src, 'r');
    const outFd = fs.openSync(dst, 'a');
    const buf = Buffer.allocUnsafe(1 << 20);
    const t0 = Date.now();
    this.done = (async () => {
      try {
        while (this.written < size && !this.stopped) {
          const allowed = Math.min(size, Math.floor(((Date.now() - t0) / 1000) * bytesPerSec)) - this.written;
          let n = Math.min(allowed, buf.length);
          if (n > 0) {
            n = Math.max(1, n - rand(Math.min(n, 4096))); // cut anywhere
            const got = fs.readSync(inFd, buf, 0, n, this.written);
            fs.writeSync(outFd, buf, 0, got);
            this.written += got;
          }
          await sleep(tickMs);
        }
      } finally {
        fs.closeSync(inFd);
        fs.closeSync(outFd);
      }
    })();
  }

  stop(): void { this.stopped = true; }
}

/** Lines `from` .. `from + n - 1` of file tag `tag`, all at second `sec` (numLine format). */
export function numLines(tag: string, from: number, n: number, sec = 0): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += numLine(sec, tag, i);
  return s;
}
