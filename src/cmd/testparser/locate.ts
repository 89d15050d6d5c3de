// Where a line stops matching a regex (--test-parser, spec section 10).
//
// The regex source (the cleaned extended-style pattern) is cut into tokens: an atom with its
// quantifier (`\d+`, `[a-z]{3}`, `.*`, `x`), a group opening (`(`, `(?:`, `(?<name>`), a group
// closing with its quantifier (`)+`). Groups whose own level holds a `|` (alternatives), lookarounds
// and flag groups are one token each: a prefix of them means nothing. For t = 1, 2, ... the first t
// tokens are made into a valid regex by closing the groups still open, each with the quantifier its
// real closing parenthesis carries (so a prefix of an optional group stays optional), and run on the
// line, unanchored unless the regex starts with `^`, exactly as the full regex would be. The first
// token whose prefix no longer matches anywhere in the line is where the line fails; its piece (the
// extended-style `\n`-separated part of the config the token's first character comes from) is the
// failing piece, and the column is just after the end of the (earliest) match of the longest
// matching prefix: the first character the failing token could not consume.
//
// Token granularity (rather than piece granularity) puts the column where it helps: a piece ending
// in `.*` matches to the end of the line on its own, but `.*` followed by the next piece's first
// token `\(` backtracks to the `(` the next piece needed, so the caret lands on the `x` of `(x)`.
import type { RegexEngine, RegexPiece } from '../../config/types.js';
import { compileMatcher, type Matcher } from '../../parse/matcher.js';

export interface Token {
  start: number;      // offset in the regex source
  end: number;        // exclusive
  /** For a group opening: what closes it (`)` plus the closing parenthesis's quantifier). */
  closer?: string;
  /** For a group closing: true (pops the open-group stack). */
  closes?: boolean;
}

export interface Tokenized {
  tokens: Token[];
  /** The regex has a `|` at its top level: prefixes are meaningless, the whole regex is one token. */
  topLevelAlternation: boolean;
}

export interface Location {
  /** 0-based index of the regex in the group's `re`. */
  regex: number;
  /** 0-based index of the failing piece of that regex. */
  piece: number;
  pieceCount: number;
  /** Pieces wholly matched before the failing one (the pieces before it). */
  matchedPieces: number;
  /** 1-based column of the first character the failing token could not consume. */
  column: number;
  /** 0-based start of the longest matching prefix's match (where the green part of the line starts). */
  matchStart: number;
  /** The source of the token that failed. */
  token: string;
  /** The regex could not be cut into prefixes (top-level alternation). */
  whole: boolean;
}

const QUANT = /^(?:[*+?]|\{\d+(?:,\d*)?\})[?+]?/;

/** Length of a quantifier starting at src[i], or 0. */
function quantAt(src: string, i: number): number {
  const m = QUANT.exec(src.slice(i, i + 24));
  return m ? m[0].length : 0;
}

/** End (exclusive) of the escape starting at src[i] === '\\'. */
function escapeEnd(src: string, i: number): number {
  const c = src[i + 1];
  if (c === undefined) return i + 1;
  if (c === 'x') return Math.min(src.length, i + 4);
  if (c === 'u') {
    if (src[i + 2] === '{') { const e = src.indexOf('}', i + 3); return e < 0 ? i + 2 : e + 1; }
    return Math.min(src.length, i + 6);
  }
  if (c === 'c') return Math.min(src.length, i + 3);
  if ((c === 'p' || c === 'P') && src[i + 2] === '{') { const e = src.indexOf('}', i + 3); return e < 0 ? i + 2 : e + 1; }
  if (c === 'p' || c === 'P') return Math.min(src.length, i + 3);
  if (c === 'k' && src[i + 2] === '<') { const e = src.indexOf('>', i + 3); return e < 0 ? i + 2 : e + 1; }
  if (c >= '1' && c <= '9') { let j = i + 2; while (j < src.length && src[j]! >= '0' && src[j]! <= '9') j++; return j; }
  return i + 2;
}

/** End (exclusive) of the character class starting at src[i] === '['. */
function classEnd(src: string, i: number, engine: RegexEngine): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  // RE2 (like POSIX) takes a `]` right after `[` or `[^` as a member; JavaScript closes the class there.
  if (engine === 're2' && src[j] === ']') j++;
  for (; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') { j++; continue; }
    if (engine === 're2' && c === '[' && src[j + 1] === ':') { const e = src.indexOf(':]', j + 2); if (e > 0) { j = e + 1; continue; } }
    if (c === ']') return j + 1;
  }
  return src.length;
}

/** End (exclusive) of the group opened at src[i] === '(' (just after its `)`), and whether a `|` sits at its own level. */
function groupEnd(src: string, i: number, engine: RegexEngine): { end: number; alternation: boolean } {
  let depth = 0;
  let alternation = false;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') { j = escapeEnd(src, j) - 1; continue; }
    if (c === '[') { j = classEnd(src, j, engine) - 1; continue; }
    if (c === '(') depth++;
    else if (c === ')') { depth--; if (depth === 0) return { end: j + 1, alternation }; }
    else if (c === '|' && depth === 1) alternation = true;
  }
  return { end: src.length, alternation };
}

/**
 * The head of a group (`(`, `(?:`, `(?<name>`, `(?P<name>`, `(?i:`), or null when the group must stay
 * whole (lookaround, flag-only group, anything unrecognised).
 */
function groupHead(src: string, i: number): string | null {
  if (src[i + 1] !== '?') return '(';
  const rest = src.slice(i + 2, i + 2 + 64);
  if (rest[0] === ':') return '(?:';
  let m = /^P?<([A-Za-z_$][\w$]*)>/.exec(rest);
  if (m) return src.slice(i, i + 2 + m[0].length);
  m = /^[a-zA-Z]*(?:-[a-zA-Z]+)?:/.exec(rest);
  if (m) return src.slice(i, i + 2 + m[0].length);
  return null;
}

export function tokenize(src: string, engine: RegexEngine): Tokenized {
  const tokens: Token[] = [];
  // top-level alternation check
  for (let j = 0, depth = 0; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') { j = escapeEnd(src, j) - 1; continue; }
    if (c === '[') { j = classEnd(src, j, engine) - 1; continue; }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return { tokens: [{ start: 0, end: src.length }], topLevelAlternation: true };
  }
  const closers: number[] = []; // indexes (in tokens) of open groups awaiting their closing token
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '(') {
      const g = groupEnd(src, i, engine);
      const q = quantAt(src, g.end);
      const head = g.alternation ? null : groupHead(src, i);
      if (head === null) {
        tokens.push({ start: i, end: g.end + q });
        i = g.end + q;
        continue;
      }
      tokens.push({ start: i, end: i + head.length, closer: ')' + src.slice(g.end, g.end + q) });
      closers.push(tokens.length - 1);
      i += head.length;
      continue;
    }
    if (c === ')') {
      const q = quantAt(src, i + 1);
      tokens.push({ start: i, end: i + 1 + q, closes: true });
      closers.pop();
      i += 1 + q;
      continue;
    }
    let end: number;
    if (c === '\\') end = escapeEnd(src, i);
    else if (c === '[') end = classEnd(src, i, engine);
    else end = i + 1;
    // a surrogate pair is one character
    if (end === i + 1 && /[\uD800-\uDBFF]/.test(c!) && /[\uDC00-\uDFFF]/.test(src[i + 1] ?? '')) end++;
    end += quantAt(src, end);
    tokens.push({ start: i, end });
    i = end;
  }
  return { tokens, topLevelAlternation: false };
}

/** A valid regex source for the first `t` tokens: the text, then the closers of the groups still open. */
export function prefixSource(src: string, tokens: Token[], t: number): string {
  const open: string[] = [];
  for (let k = 0; k < t; k++) {
    const tok = tokens[k]!;
    if (tok.closer !== undefined) open.push(tok.closer);
    else if (tok.closes) open.pop();
  }
  let s = t === 0 ? '' : src.slice(0, tokens[t - 1]!.end);
  for (let k = open.length - 1; k >= 0; k--) s += open[k];
  return s;
}

/** One regex of a group, ready to locate failures (prefix matchers compiled on first use). */
export class RegexLocator {
  readonly tokenized: Tokenized;
  /** For each token, the index of the piece its first character belongs to. */
  readonly tokenPiece: number[];
  readonly pieces: RegexPiece[];
  private readonly prefixes: Array<Matcher | null | undefined>;

  constructor(readonly index: number, readonly source: string, pieces: RegexPiece[], readonly engine: RegexEngine) {
    // The pieces join to the source (config/extended.ts); if they ever did not, the regex is one piece.
    this.pieces = pieces.length > 0 && pieces.map((p) => p.pattern).join('') === source
      ? pieces : [{ pattern: source, comment: pieces[0]?.comment ?? '', line: pieces[0]?.line ?? 0 }];
    this.tokenized = tokenize(source, engine);
    const bounds: number[] = [];
    let acc = 0;
    for (const p of this.pieces) { acc += p.pattern.length; bounds.push(acc); }
    this.tokenPiece = this.tokenized.tokens.map((tok) => {
      let k = 0;
      while (k < bounds.length - 1 && tok.start >= bounds[k]!) k++;
      return k;
    });
    this.prefixes = new Array(this.tokenized.tokens.length + 1);
  }

  private prefix(t: number): Matcher | null {
    let m = this.prefixes[t];
    if (m === undefined) {
      try {
        m = compileMatcher(prefixSource(this.source, this.tokenized.tokens, t), this.engine);
      } catch {
        m = null; // not a valid regex on its own: skipped
      }
      this.prefixes[t] = m;
    }
    return m;
  }

  /** Where `line` stops matching. Meant for lines the full regex does not match. */
  locate(line: string): Location {
    const { tokens, topLevelAlternation } = this.tokenized;
    let end = 0;
    let start = 0;
    let failed = tokens.length; // index of the failing token
    if (!topLevelAlternation) {
      for (let t = 1; t <= tokens.length; t++) {
        const m = this.prefix(t);
        if (m === null) continue;
        const r = m.exec(line) as (ArrayLike<string | undefined> & { index: number }) | null;
        if (r === null) {
          // the failing token is the first one after the last prefix that matched
          failed = lastOk(this, t);
          break;
        }
        start = r.index;
        end = r.index + (r[0]?.length ?? 0);
      }
    } else failed = 0;
    if (failed >= tokens.length) failed = tokens.length - 1; // the whole regex matched after all
    const tok = tokens[Math.max(0, failed)];
    const piece = tok ? this.tokenPiece[Math.max(0, failed)]! : 0;
    return {
      regex: this.index,
      piece,
      pieceCount: this.pieces.length,
      matchedPieces: piece,
      column: end + 1,
      matchStart: start,
      token: tok ? this.source.slice(tok.start, tok.end) : '',
      whole: topLevelAlternation,
    };

    function lastOk(self: RegexLocator, t: number): number {
      // tokens t-1 .. : prefixes that could not be compiled between the last match and t belong to the failure
      let k = t - 1;
      while (k > 0 && self.prefixes[k] === null) k--;
      return k;
    }
  }
}

/** Locates a failure over all the regexes of a group: the one that got furthest (pieces, then column). */
export function locateFailure(locators: RegexLocator[], line: string): Location | null {
  let best: Location | null = null;
  for (const l of locators) {
    const loc = l.locate(line);
    if (best === null || loc.matchedPieces > best.matchedPieces
      || (loc.matchedPieces === best.matchedPieces && loc.column > best.column)) best = loc;
  }
  return best;
}
