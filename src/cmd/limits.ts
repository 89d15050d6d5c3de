// --check's view of a group's limits (spec section 4): the worst case its keys can reach under
// max_tag_values and max_keys, in keys and memory, and a warning for each line tag taken from a
// regex group that looks unbounded (`\S+`, `.*`, `[^ ]+` ...) with no transform on it and the
// default max_tag_values: a request id or a URL captured by mistake would fill it.
import type { LogGroup } from '../config/types.js';
import type { Style } from './style.js';
import { formatBytes } from './style.js';

/** Bytes a key holds, with its series set, measured by test/bench/keymem.mjs (README "Memory per key"). */
const KEY_BYTES = { meter: 700, counter: 620, hdr: 10_000,
  // A distinct key at its worst: window and total sketches both dense at p = 14, with its key and
  // set (`KEYMEM_DAYS=2 keymem.mjs distinct 2000 3000`; 1,246 bytes with 10 values, README "Distinct counts").
  distinct: 18_300 };
/** A forward-decay key: its fixed part, plus a full buffer of 2 * histogram_size (priority, value) pairs. */
const decayBytes = (size: number): number => 1_150 + 32 * size;
const DEFAULT_MAX_TAG_VALUES = 10_000;

export function limitsReport(g: LogGroup, st: Style, warnings: string[]): string {
  const lineTags = g.tags.filter((t) => t.position !== null);
  let refs = 0;
  let bytes = 0;
  for (const m of g.metrics) {
    const per = m.type === 'histogram' ? (g.histogram_kind === 'hdr' ? KEY_BYTES.hdr : decayBytes(g.histogram_size)) : KEY_BYTES[m.type];
    refs += m.reference.length;
    bytes += per * m.reference.length;
  }
  const combos = (g.max_tag_values + 1) ** lineTags.length;
  const keys = Math.min(g.max_keys, combos * refs);
  const worst = refs ? Math.round((keys * bytes) / refs) : 0;
  let s = `  limits: max_tag_values ${g.max_tag_values}, max_keys ${g.max_keys}; worst case ${keys.toLocaleString('en-US')} keys, about ${formatBytes(worst)}\n`;
  if (g.max_tag_values !== DEFAULT_MAX_TAG_VALUES) return s;
  const transformed = new Set(g.transform.map((t) => t.position));
  for (const t of lineTags) {
    if (transformed.has(t.position!)) continue;
    const body = g.re.map((re) => captureGroups(re)[t.position! - 1]).find((b) => b !== undefined && unboundedLooking(b));
    if (body === undefined) continue;
    s += `    ${st.yellow(`tag ${t.name} = $${t.position} (${body}) can take any number of values`)}\n`;
    warnings.push(`log group ${g.name}: tag ${t.name} comes from $${t.position} (${body}), which can take any number of values: ` +
      `past max_tag_values (${g.max_tag_values}) its new values count as _other_; bound it with a transform (match_or_default) or set max_tag_values`);
  }
  return s;
}

/**
 * Calls `f` with each character of a regex that is neither escaped nor inside a character class
 * (its index, and the character).
 */
function scan(re: string, f: (i: number, c: string) => void): void {
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i]!;
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; if (re[i + 1] === ']') i++; continue; }
    f(i, c);
  }
}

/** The text of each capturing group of a regex, in the order they are numbered. */
export function captureGroups(re: string): string[] {
  const starts: number[] = [];
  const open: Array<number | null> = [];
  const bodies: string[] = [];
  scan(re, (i, c) => {
    if (c === '(') {
      const capturing = re[i + 1] !== '?' || /^\?P?<[A-Za-z_]/.test(re.slice(i + 1, i + 5));
      if (capturing) {
        bodies.push('');
        starts.push(i + 1 + (re[i + 1] === '?' ? re.indexOf('>', i) - i : 0));
        open.push(bodies.length - 1);
      } else {
        open.push(null);
      }
    } else if (c === ')') {
      const k = open.pop();
      if (k !== undefined && k !== null) bodies[k] = re.slice(starts[k], i);
    }
  });
  return bodies;
}

/** A group that can match text of any length: an open-ended quantifier outside a character class. */
export function unboundedLooking(body: string): boolean {
  let open = false;
  scan(body, (i, c) => {
    if (c === '+' || c === '*' || (c === '{' && /^\{\d*,\}/.test(body.slice(i)))) open = true;
  });
  return open;
}
