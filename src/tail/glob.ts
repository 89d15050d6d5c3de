// Glob patterns for the `files` of a log group (Node 20 has no fs.glob): their syntax, the regexes
// that match them, and the directory to watch for each (walk.ts expands them).
//
// Syntax, per path segment (Go's filepath.Match, plus `**`):
//   *        any run of characters except '/', leading dots included (as Go's filepath.Glob)
//   ?        one character except '/'
//   [abc] [a-z] [!a-z] [^a-z]   a character class ('!' or '^' negates); an unclosed '[' is literal
//   \x       the character x, literally
//   **       (a whole segment) zero or more directories; as the last segment: every file below
// Results: absolute paths, regular files only (a symlink to a regular file counts), sorted, no
// duplicates. `*`, `?` and `[...]` segments follow symlinked directories (one level each, so no
// loop is possible); `**` never descends into a symlinked directory, so symlink loops cannot
// make it run forever, nor into a pseudo file system (/proc, /sys).
import * as path from 'node:path';

/** True when a glob segment (or pattern) contains an unescaped wildcard. */
export function hasMagic(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') { i++; continue; }
    if (c === '*' || c === '?') return true;
    if (c === '[' && classEnd(s, i) > 0) return true;
  }
  return false;
}

/** Index of the ']' closing the class opened at s[i] === '[', or -1 when it is not closed. */
function classEnd(s: string, i: number): number {
  let j = i + 1;
  if (s[j] === '!' || s[j] === '^') j++;
  if (s[j] === ']') j++; // a leading ']' is a member
  for (; j < s.length; j++) {
    if (s[j] === '\\') { j++; continue; }
    if (s[j] === ']') return j;
  }
  return -1;
}

const SPECIAL = new Set('\\^$.*+?()[]{}|/-');

function escapeRe(c: string): string {
  return SPECIAL.has(c) ? '\\' + c : c;
}

/** Regex source for one segment (no anchors). */
export function segmentSource(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) { out += escapeRe(seg[++i]); continue; }
    if (c === '*') { while (seg[i + 1] === '*') i++; out += '[^/]*'; continue; }
    if (c === '?') { out += '[^/]'; continue; }
    if (c === '[') {
      const end = classEnd(seg, i);
      if (end < 0) { out += '\\['; continue; }
      let j = i + 1;
      let neg = false;
      if (seg[j] === '!' || seg[j] === '^') { neg = true; j++; }
      let body = '';
      for (; j < end; j++) {
        if (seg[j] === '\\' && j + 1 < end) { body += escapeRe(seg[++j]); continue; }
        if (seg[j] === '-' && body !== '' && j + 1 < end) { body += '-'; continue; }
        body += escapeRe(seg[j]);
      }
      out += neg ? `[^/${body}]` : `[${body}]`;
      i = end;
      continue;
    }
    out += escapeRe(c);
  }
  return out;
}

export function unescapeSeg(seg: string): string {
  return seg.replace(/\\(.)/g, '$1');
}

export function splitPattern(pattern: string): string[] {
  return path.resolve(pattern).split('/').filter((s) => s.length > 0);
}

/** The deepest directory of `pattern` that contains no wildcard (what to watch for new files). */
export function globBase(pattern: string): string {
  const segs = splitPattern(pattern);
  const lit: string[] = [];
  for (let i = 0; i < segs.length - 1; i++) {
    if (hasMagic(segs[i]) || segs[i] === '**') break;
    lit.push(unescapeSeg(segs[i]));
  }
  return '/' + lit.join('/');
}

/** A regex matching the absolute paths `pattern` matches (for filtering directory events). */
export function globToRegExp(pattern: string): RegExp {
  const segs = splitPattern(pattern);
  let src = '^/';
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '**') src += last ? '(?:[^/]+/)*[^/]+' : '(?:[^/]+/)*';
    else src += segmentSource(seg) + (last ? '' : '/');
  });
  return new RegExp(src + '$', 's');
}

/** The literal text a segment's matches all begin with (before its first wildcard). */
export function literalPrefix(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\' && i + 1 < seg.length) { out += seg[++i]; continue; }
    if (c === '*' || c === '?' || (c === '[' && classEnd(seg, i) > 0)) break;
    out += c;
  }
  return out;
}

export { expandGlob, walkGlob } from './walk.js';
