// The collector's own log: always stderr. JSON lines (pino) for the journal, or a human-readable
// line with -d. Stages receive a Logger; nothing below cli.ts decides where logs go.
//
// Whatever the input, the log stays small: every line goes through one global token bucket (a burst
// of `burst` lines, then `perSecond` a second); what does not fit is counted by message and summed
// up every SUMMARY_MS as "N similar messages suppressed", at most SUMMARY_KINDS lines a summary. So
// that a flood of one message cannot hide the others ("Collector started" among 10,000 "tailing file
// from its end"), a message not written for SUMMARY_MS passes anyway, up to FREE_PASSES such lines
// per SUMMARY_MS. Field values are clipped (strings, long lists). So the log writes at most
// burst + 60 * perSecond + 6 * (FREE_PASSES + SUMMARY_KINDS + 1) lines a minute (about 2,000 by
// default, some 600 KB of typical lines; then 970 a minute), however many files fail at once.
import pino from 'pino';

export type Fields = Record<string, unknown>;
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

/** The process's logger: also writes out the pending summary (at exit). */
export interface RootLogger extends Logger {
  flush(): void;
}

export interface LogLimit {
  burst: number;
  perSecond: number;
}

export interface LoggerOptions {
  pretty: boolean;          // -d: human-readable lines
  level?: Level | 'silent';
  stream?: NodeJS.WritableStream; // default: stderr
  /** Default DEFAULT_LOG_LIMIT; null: no limit. */
  limit?: LogLimit | null;
  /** Injected in tests: the clock and the summary timer. */
  now?: () => number;
  schedule?: (fn: () => void, ms: number) => void;
}

// The burst lets a start-up say what it opened (500 files: 500 lines); beyond, summaries.
export const DEFAULT_LOG_LIMIT: LogLimit = { burst: 1000, perSecond: 10 };
export const SUMMARY_MS = 10_000;
export const SUMMARY_KINDS = 10;
export const FREE_PASSES = 50;
const MAX_STRING = 4096;
const MAX_LIST = 50;
const MAX_TRACKED = 1000; // distinct suppressed messages counted one by one; the rest as "other"

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 } as const;

type Emit = (level: Level, msg: string, fields?: Fields) => void;

export function createLogger(opts: LoggerOptions): RootLogger {
  const min = LEVELS[opts.level ?? 'info'];
  const emit = opts.pretty ? prettyEmitter(opts.stream ?? process.stderr) : jsonEmitter(opts);
  const limit = opts.limit === undefined ? DEFAULT_LOG_LIMIT : opts.limit;
  const gate = limit ? new LogGate(emit, limit, opts.now ?? Date.now, opts.schedule ?? unrefTimer) : null;
  const write = (level: Level, msg: string, fields?: Fields) => {
    if (LEVELS[level] < min) return;
    const f = fields && clipFields(fields);
    if (gate) gate.write(level, msg, f);
    else emit(level, msg, f);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    flush: () => gate?.summary(),
  };
}

/** A logger that drops everything (tests, and --test-parser's quiet paths). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function unrefTimer(fn: () => void, ms: number): void {
  setTimeout(fn, ms).unref();
}

/** The global token bucket, the messages' last lines, and the counts of what it held back. */
class LogGate {
  private tokens: number;
  private last: number;
  /** When each message last got through (bounded: MAX_TRACKED messages; beyond, no free pass). */
  private readonly lastPass = new Map<string, number>();
  private freeWindow = { start: -Infinity, used: 0 };
  private readonly held = new Map<string, { level: Level; msg: string; n: number }>();
  private other = 0;
  private since = 0;
  private scheduled = false;

  constructor(private readonly emit: Emit, private readonly limit: LogLimit, private readonly now: () => number,
    private readonly schedule: (fn: () => void, ms: number) => void) {
    this.tokens = limit.burst;
    this.last = now();
  }

  write(level: Level, msg: string, fields?: Fields): void {
    const t = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((t - this.last) / 1000) * this.limit.perSecond);
    this.last = t;
    const key = level + ' ' + msg;
    if (this.tokens >= 1) this.tokens--;
    else if (!this.freePass(key, t)) return this.hold(key, level, msg, t);
    if (this.lastPass.has(key) || this.lastPass.size < MAX_TRACKED) this.lastPass.set(key, t);
    this.emit(level, msg, fields);
  }

  /** A message not written for SUMMARY_MS, while this window's free passes last. */
  private freePass(key: string, t: number): boolean {
    const prev = this.lastPass.get(key);
    if (prev !== undefined ? t - prev < SUMMARY_MS : this.lastPass.size >= MAX_TRACKED) return false;
    if (t - this.freeWindow.start >= SUMMARY_MS) this.freeWindow = { start: t, used: 0 };
    if (this.freeWindow.used >= FREE_PASSES) return false;
    this.freeWindow.used++;
    return true;
  }

  private hold(key: string, level: Level, msg: string, t: number): void {
    if (this.held.size === 0 && this.other === 0) this.since = t;
    const h = this.held.get(key);
    if (h) h.n++;
    else if (this.held.size < MAX_TRACKED) this.held.set(key, { level, msg, n: 1 });
    else this.other++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => { this.scheduled = false; this.summary(); }, SUMMARY_MS);
    }
  }

  /** One line per message held back (the most frequent SUMMARY_KINDS), one for the rest. */
  summary(): void {
    if (this.held.size === 0 && this.other === 0) return;
    const seconds = Math.max(0, Math.round((this.now() - this.since) / 1000));
    const list = [...this.held.values()].sort((a, b) => b.n - a.n);
    this.held.clear();
    let rest = this.other;
    this.other = 0;
    list.forEach((h, i) => {
      if (i >= SUMMARY_KINDS) { rest += h.n; return; }
      this.emit(h.level, `${h.n} similar messages suppressed`, { suppressed: h.n, message: h.msg, seconds });
    });
    if (rest > 0) this.emit('warn', `${rest} other messages suppressed`, { suppressed: rest, seconds });
  }
}

/** Long strings and lists are cut: a field cannot make a log line big. */
function clipFields(f: Fields): Fields {
  let out: Fields | null = null;
  for (const k in f) {
    const v = f[k];
    let c: unknown = v;
    if (typeof v === 'string' && v.length > MAX_STRING) c = v.slice(0, MAX_STRING) + `… (${v.length} chars)`;
    else if (Array.isArray(v) && v.length > MAX_LIST) c = [...v.slice(0, MAX_LIST), `… and ${v.length - MAX_LIST} more`];
    if (c !== v) (out ??= { ...f })[k] = c;
  }
  return out ?? f;
}

function jsonEmitter(opts: LoggerOptions): Emit {
  const dest = opts.stream ?? pino.destination({ fd: 2, sync: true });
  const p = pino({ level: 'debug', base: undefined, timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) } }, dest);
  return (level, msg, f) => p[level](f ?? {}, msg);
}

function prettyEmitter(out: NodeJS.WritableStream): Emit {
  const labels = { debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR' } as const;
  return (level, msg, f) => {
    let line = `${new Date().toISOString()} ${labels[level]} ${msg}`;
    if (f) for (const [k, v] of Object.entries(f)) line += ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
    out.write(line + '\n');
  };
}

// Moved to events.ts (report() rate-limits and counts); re-exported for the stages not yet migrated.
export { WarnLimiter } from './events.js';
