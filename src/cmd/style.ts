// Terminal styling and units for the --test-parser, --check and progress reports: ANSI colours when stdout is a terminal,
// plain text in pipes and files. NO_COLOR (any non-empty value) turns colours off; FORCE_COLOR turns
// them on (`0` or `false`: off) and wins over both, as in Node itself.

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const wrap = (open: number, close: number) => (s: string) => (s === '' ? s : `\x1b[${open}m${s}\x1b[${close}m`);

const PLAIN: Style = {
  enabled: false,
  bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s,
};

const ANSI: Style = {
  enabled: true,
  bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39),
};

export function makeStyle(colour: boolean): Style {
  return colour ? ANSI : PLAIN;
}

/**
 * A line made printable in one terminal cell per character: control characters become their
 * Unicode "control picture" (tab -> U+2409), so a caret printed under column N stays under it.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => String.fromCharCode(c === '\x7f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

export interface Window {
  text: string;       // what to print (printable, with '…' at cut ends)
  caret: number;      // 0-based cell of the caret within `text`
  from: number;       // 0-based index in the line of text's first line character
  to: number;         // exclusive
  cut: boolean;
}

/**
 * The part of `line` to show around 0-based index `at`, at most `width` characters (plus the '…'
 * marks). Short lines are shown whole.
 */
export function windowAround(line: string, at: number, width: number): Window {
  const n = line.length;
  if (n <= width) return { text: printable(line), caret: at, from: 0, to: n, cut: false };
  let from = Math.max(0, at - Math.floor(width / 2));
  let to = Math.min(n, from + width);
  from = Math.max(0, to - width);
  if (to === n && at >= n) { to = n; from = Math.max(0, n - width + 1); }
  const head = from > 0 ? '…' : '';
  const tail = to < n ? '…' : '';
  return { text: head + printable(line.slice(from, to)) + tail, caret: head.length + (at - from), from, to, cut: true };
}

// Units for human-readable reports (sizes, rates, durations).

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

export function formatRate(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return v.toFixed(0);
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--:--';
  const s = Math.ceil(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
