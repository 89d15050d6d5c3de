// The collector's own log: always stderr. JSON lines (pino) for the journal, or a human-readable
// line with -d. Stages receive a Logger; nothing below cli.ts decides where logs go.
import pino from 'pino';

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export interface LoggerOptions {
  pretty: boolean;          // -d: human-readable lines
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  stream?: NodeJS.WritableStream; // default: stderr
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 } as const;

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? 'info';
  if (!opts.pretty) {
    const dest = opts.stream ?? pino.destination({ fd: 2, sync: true });
    const p = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) } }, dest);
    return {
      debug: (m, f) => p.debug(f ?? {}, m),
      info: (m, f) => p.info(f ?? {}, m),
      warn: (m, f) => p.warn(f ?? {}, m),
      error: (m, f) => p.error(f ?? {}, m),
    };
  }
  const out = opts.stream ?? process.stderr;
  const min = LEVELS[level];
  const emit = (lvl: keyof typeof LEVELS, label: string, msg: string, f?: Fields) => {
    if (LEVELS[lvl] < min) return;
    let line = `${new Date().toISOString()} ${label} ${msg}`;
    if (f) for (const [k, v] of Object.entries(f)) line += ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
    out.write(line + '\n');
  };
  return {
    debug: (m, f) => emit('debug', 'DEBUG', m, f),
    info: (m, f) => emit('info', 'INFO ', m, f),
    warn: (m, f) => emit('warn', 'WARN ', m, f),
    error: (m, f) => emit('error', 'ERROR', m, f),
  };
}

/** A logger that drops everything (tests, and --test-parser's quiet paths). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Rate-limited warnings: at most one a second per (kind, file); the suppressed ones are counted and
 * reported with the next warning that gets through. The event itself is always counted by the caller.
 */
export class WarnLimiter {
  private last = new Map<string, { at: number; suppressed: number }>();
  constructor(private log: Logger, private now: () => number = Date.now) {}

  warn(kind: string, file: string, msg: string, fields?: Fields): void {
    const k = kind + '\0' + file;
    const t = this.now();
    const e = this.last.get(k);
    if (e && t - e.at < 1000) { e.suppressed++; return; }
    const suppressed = e?.suppressed ?? 0;
    this.last.set(k, { at: t, suppressed: 0 });
    this.log.warn(msg, suppressed ? { ...fields, kind, file, suppressed } : { ...fields, kind, file });
  }
}
