// A one-line progress display for long work (--once, --test-parser), on stderr, only when stderr is
// a terminal: bytes read of the total, percent, lines/s, ETA. Redrawn every 250 ms by an unref'd
// timer (never keeps the process alive), erased (\r\x1b[K) at the end. While it is shown, anything
// else written to stderr (the log) or to stdout on the same terminal first erases it, so the
// display never mixes with real output; it is redrawn at the next tick. When stderr is not a
// terminal, nothing is drawn and no stream is touched.
import { promises as fsp, writeSync } from 'node:fs';
import type { Config } from '../config/types.js';
import type { Registry } from '../selfstats/registry.js';
import { expandGlob } from '../tail/glob.js';
import { formatBytes, formatDuration, formatRate } from './style.js';

export interface ProgressSample {
  bytes: number;
  lines: number;
  /** Shown after the figures, e.g. "file 2/5". */
  note?: string;
}

export interface ProgressOptions {
  label: string;
  /** Bytes to read in all, or null when unknown (a pipe). */
  total: number | null;
  sample: () => ProgressSample;
  stream?: NodeJS.WriteStream;   // default process.stderr
  intervalMs?: number;           // default 250
  now?: () => number;
}

export interface Progress {
  stop(): void;
}

const NOOP: Progress = { stop() {} };
const CLEAR = '\r\x1b[K';
const WINDOW_MS = 3000;          // rates over the last 3 s

/** The text of the display (without the leading \r and erase). */
export function progressText(label: string, total: number | null, bytes: number, bytesPerSec: number, linesPerSec: number): string {
  let s = `${label}: ${formatBytes(bytes)}`;
  if (total !== null && total > 0) {
    const pct = Math.min(100, Math.floor((bytes / total) * 100));
    s += ` / ${formatBytes(total)}  ${String(pct).padStart(3)}%`;
  }
  s += `  ${formatRate(linesPerSec)} lines/s`;
  if (total !== null && total > 0) {
    const left = Math.max(0, total - bytes);
    s += `  ETA ${bytesPerSec > 0 ? formatDuration(left / bytesPerSec) : '--:--'}`;
  }
  return s;
}

type WriteFn = (...args: unknown[]) => boolean;

export function startProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (stream.isTTY !== true) return NOOP;
  const now = opts.now ?? Date.now;
  const origWrite = stream.write as unknown as WriteFn;
  const history: Array<{ t: number; bytes: number; lines: number }> = [{ t: now(), bytes: 0, lines: 0 }];
  let shown = false;
  let stopped = false;

  const raw = (s: string): void => { origWrite.call(stream, s); };
  const erase = (): void => { if (shown) { shown = false; raw(CLEAR); } };

  // Other output on the same terminal erases the display first.
  const guarded: Array<{ s: NodeJS.WriteStream; write: WriteFn }> = [];
  for (const s of new Set<NodeJS.WriteStream>([stream, process.stderr, process.stdout])) {
    if (s !== stream && s.isTTY !== true) continue;
    const w = s.write as unknown as WriteFn;
    guarded.push({ s, write: w });
    (s as unknown as { write: WriteFn }).write = function (this: unknown, ...args: unknown[]): boolean {
      erase();
      return w.apply(s, args);
    };
  }

  const draw = (): void => {
    if (stopped) return;
    const cur = opts.sample();
    const t = now();
    history.push({ t, bytes: cur.bytes, lines: cur.lines });
    while (history.length > 2 && t - history[1]!.t >= WINDOW_MS) history.shift();
    const first = history[0]!;
    const dt = (t - first.t) / 1000;
    const bps = dt > 0 ? (cur.bytes - first.bytes) / dt : 0;
    const lps = dt > 0 ? (cur.lines - first.lines) / dt : 0;
    let text = progressText(opts.label, opts.total, cur.bytes, bps, lps);
    if (cur.note) text += `  ${cur.note}`;
    const cols = stream.columns || 80;
    if (text.length > cols - 1) text = text.slice(0, Math.max(0, cols - 1));
    raw(CLEAR + text);
    shown = true;
  };

  const timer = setInterval(draw, opts.intervalMs ?? 250);
  timer.unref();
  // An exit in the middle (a signal, a fatal error) must not leave the display behind.
  const onExit = (): void => { if (shown) { try { writeSync((stream as { fd?: number }).fd ?? 2, CLEAR); } catch { /* closed */ } } };
  process.once('exit', onExit);

  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      process.removeListener('exit', onExit);
      erase();
      for (const g of guarded) (g.s as unknown as { write: WriteFn }).write = g.write;
    },
  };
}

/** Sum of the sizes of the given files (missing ones count 0). */
export async function totalSize(files: Iterable<string>): Promise<number> {
  let total = 0;
  for (const f of files) {
    try { total += (await fsp.stat(f)).size; } catch { /* vanished */ }
  }
  return total;
}

/**
 * The --once display: total = sizes of the files every group's globs match at start (a file read by
 * two groups counts twice, as it is read twice); progress from the tailer's `tail.byte_read` and
 * `tail.line_read` series, or, given the tailer's progress, its on-disk bytes (compressed files
 * count what they take on disk) and which file of how many is being read.
 */
export async function startOnceProgress(config: Config, registry: Registry, stream: NodeJS.WriteStream = process.stderr,
  files?: () => { file: number; files: number; diskBytes: number }): Promise<Progress> {
  if (stream.isTTY !== true) return NOOP;
  let total = 0;
  for (const g of config.groups) {
    const files = new Set<string>();
    for (const glob of g.files) for (const f of await expandGlob(glob)) files.add(f);
    total += await totalSize(files);
  }
  return startProgress({
    label: 'once',
    total,
    stream,
    sample: () => {
      let bytes = 0;
      let lines = 0;
      for (const s of registry.all()) {
        if (s.name === 'tail.byte_read') bytes += s.value;
        else if (s.name === 'tail.line_read') lines += s.value;
      }
      if (!files) return { bytes, lines };
      const f = files();
      return { bytes: f.diskBytes, lines, note: `file ${f.file}/${f.files}` };
    },
  });
}
