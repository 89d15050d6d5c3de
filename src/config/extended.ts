// Extended-style regexes (spec section 2, `re`): every space is removed, the text is split on the two
// characters `\n`, anything from '#' to the end of each piece is dropped, the pieces are joined.
// Real line breaks are removed like spaces (YAML already folds them to spaces in quoted and plain
// scalars; a block literal `|` keeps them, and a regex with a line break could never match a line).
// The pieces are kept (with their comments as written) so --test-parser can say where a line stopped
// matching. Only `re` gets this treatment: filename_match and transform regexes are compiled as written.
import type { LineCounter, Scalar } from 'yaml';
import type { RegexPiece } from './types.js';

/**
 * The piece separator. Spaces are removed before splitting in the spec's order, so `\ n` is a
 * separator too; splitting the raw text on this gives the same pieces while keeping the comments'
 * spaces.
 */
const SEPARATOR = /\\ *n/g;

/** Maps an index into the raw (YAML-decoded) regex text to a 1-based config file line. */
export type LineOf = (index: number) => number;

export function cleanExtended(raw: string, lineOf: LineOf = relativeLine(raw)): { pattern: string; pieces: RegexPiece[] } {
  const pieces: RegexPiece[] = [];
  let start = 0;
  const push = (end: number): void => {
    const text = raw.slice(start, end);
    const hash = text.indexOf('#');
    // Line breaks go too: only a block scalar (`|`) keeps them, and no log line can contain one.
    const pattern = (hash < 0 ? text : text.slice(0, hash)).replace(/[ \r\n]/g, '');
    const comment = hash < 0 ? '' : text.slice(hash + 1).trim();
    // Pieces that hold no pattern (the empty tail after a final `\n`, comment-only lines) add nothing
    // to the regex; dropping them keeps `pattern === pieces.map(p => p.pattern).join('')`.
    if (pattern === '') return;
    const piece: RegexPiece = { pattern, comment, line: lineOf(start + firstNonBlank(text)) };
    const spaced = literalSpace(hash < 0 ? text : text.slice(0, hash), start, lineOf);
    if (spaced !== undefined) piece.spaced = spaced;
    pieces.push(piece);
  };
  for (const m of raw.matchAll(SEPARATOR)) {
    push(m.index);
    start = m.index + m[0].length;
  }
  push(raw.length);
  return { pattern: pieces.map((p) => p.pattern).join(''), pieces };
}

/**
 * Spaces between two tokens on one config line: extended style removes them, and a regex written
 * with literal spaces then fails on every line (`--check` warns). Spaces that indent a line, align a
 * comment or come from a folded line break are layout. Returns the text around the first, or undefined.
 */
function literalSpace(part: string, offset: number, lineOf: LineOf): string | undefined {
  for (const m of part.matchAll(/\S( +)(?=\S)/g)) {
    const left = offset + m.index;
    if (lineOf(left) === lineOf(left + 1 + m[1]!.length)) {
      const from = Math.max(0, m.index - 16);
      return part.slice(from, m.index + 1 + m[1]!.length + 16).trim();
    }
  }
  return undefined;
}

function firstNonBlank(s: string): number {
  const i = s.search(/\S/);
  return i < 0 ? 0 : i;
}

/** Without a source location: the line within the text itself (1 + line breaks before the index). */
function relativeLine(raw: string): LineOf {
  return (index) => 1 + (raw.slice(0, index).match(/\n/g)?.length ?? 0);
}

/**
 * Locates indexes of a YAML string scalar's decoded value in the config file. YAML folding (a
 * multi-line quoted or plain scalar turns each line break and the indentation around it into one
 * space) and escapes (`''`, `\\`, `\x41` ...) change only where characters sit, never the sequence of
 * non-whitespace characters. So the k-th non-whitespace character of the value is the k-th
 * non-whitespace character of the node's source text (range[0]..range[1], quotes and block header
 * skipped, each escape decoded), and its source offset gives the line via the LineCounter. If the
 * two sequences ever disagree in length, every index maps to the node's first line.
 */
export function scalarLineLocator(node: Scalar, value: string, src: string, lc: LineCounter): LineOf {
  const range = node.range;
  if (!range) return () => 1;
  const startLine = lc.linePos(range[0]).line;
  const offsets = sourceOffsets(node.type, src, range[0], range[1]);
  const valueIdx: number[] = [];
  for (let i = 0; i < value.length; i++) if (!isWs(value[i]!)) valueIdx.push(i);
  if (offsets.length !== valueIdx.length) return () => startLine;
  return (index) => {
    // first non-whitespace value character at or after index
    let lo = 0;
    let hi = valueIdx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (valueIdx[mid]! < index) lo = mid + 1;
      else hi = mid;
    }
    const off = offsets[Math.min(lo, offsets.length - 1)];
    return off === undefined ? startLine : lc.linePos(off).line;
  };
}

const isWs = (c: string): boolean => /\s/.test(c);

/** Source offsets of the non-whitespace characters of the scalar's decoded value, in order. */
function sourceOffsets(type: Scalar['type'], src: string, start: number, end: number): number[] {
  const out: number[] = [];
  if (type === 'QUOTE_SINGLE') {
    for (let i = start + 1; i < end - 1; i++) {
      const c = src[i]!;
      if (c === "'" && src[i + 1] === "'") { out.push(i); i++; continue; }
      if (!isWs(c)) out.push(i);
    }
  } else if (type === 'QUOTE_DOUBLE') {
    for (let i = start + 1; i < end - 1; i++) {
      const c = src[i]!;
      if (c !== '\\') { if (!isWs(c)) out.push(i); continue; }
      const e = src[i + 1] ?? '';
      const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const code = len ? parseInt(src.slice(i + 2, i + 2 + len), 16) : 0;
      const decoded = len ? (code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : 'x') : (DQ_ESCAPES[e] ?? e);
      if (e === '\n' || e === '\r') { i++; continue; } // line continuation: no character
      if (!isWs(decoded)) out.push(i);
      i += 1 + len;
    }
  } else {
    // plain and block scalars: the value's characters appear verbatim; a block scalar's header line
    // (`|-`, `>2`, maybe a comment) is skipped.
    let i = start;
    if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
      const nl = src.indexOf('\n', start);
      i = nl < 0 ? end : nl + 1;
    }
    for (; i < end; i++) if (!isWs(src[i]!)) out.push(i);
  }
  return out;
}

const DQ_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
