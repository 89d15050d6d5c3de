// Glob expansion for the `files` of a log group (Node 20 has no fs.glob).
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
// Nothing is skipped in silence: a directory that cannot be read, and a matching name that is not a
// regular file, are reported to the caller (which warns once and counts). Names are read as bytes:
// one that is not valid UTF-8 is matched and shown escaped (\xNN) and opened by its bytes.
// A walk stops once it holds `limit` files (max_files): walking `/**` costs what it keeps.
import { promises as fsp, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { isPseudoFs } from './pseudofs.js';

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

function escapeRe(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Regex source for one segment (no anchors). */
function segmentSource(seg: string): string {
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

function unescapeSeg(seg: string): string {
  return seg.replace(/\\(.)/g, '$1');
}

function splitPattern(pattern: string): string[] {
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

/** A matched file: its path as shown (and matched), and as the file system takes it. */
export interface GlobMatch {
  path: string;
  fsPath: string | Buffer;
}

export type GlobSkipReason = 'unreadable' | 'not_regular' | 'pseudo_filesystem';

export interface GlobResult {
  files: GlobMatch[];
  /** Paths left out, with why (a directory that cannot be read: its error message). */
  skipped: Array<{ path: string; reason: GlobSkipReason; error?: string }>;
  /** More files matched than `limit`. */
  truncated: boolean;
}

interface Node { text: string; fs: string | Buffer }

const join = (dir: Node, name: Buffer): Node => {
  const text = displayName(name);
  const sep = dir.text.endsWith('/') ? '' : '/';
  if (typeof dir.fs === 'string' && isUtf8(name)) {
    return { text: dir.text + sep + text, fs: dir.fs + sep + text };
  }
  const parent = typeof dir.fs === 'string' ? Buffer.from(dir.fs) : dir.fs;
  return { text: dir.text + sep + text, fs: Buffer.concat([parent, Buffer.from(sep), name]) };
};

const joinText = (dir: Node, name: string): Node => {
  const sep = dir.text.endsWith('/') ? '' : '/';
  return { text: dir.text + sep + name, fs: typeof dir.fs === 'string' ? dir.fs + sep + name : Buffer.concat([dir.fs, Buffer.from(sep + name)]) };
};

const strict = new TextDecoder('utf-8', { fatal: true });

function isUtf8(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) {
    try { strict.decode(b); return true; } catch { return false; }
  }
  return true;
}

/** A file name for display and matching: UTF-8 as it is, each byte of an invalid sequence as \xNN. */
export function displayName(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len > 0 && i + len <= b.length && isUtf8(b.subarray(i, i + len))) {
      out += b.toString('utf8', i, i + len);
      i += len;
    } else {
      out += '\\x' + c.toString(16).padStart(2, '0');
      i++;
    }
  }
  return out;
}

/**
 * Expands an absolute glob into the sorted regular files it matches (at most `limit`, walking in
 * sorted order), with what it had to leave out.
 */
export async function walkGlob(pattern: string, limit = Infinity): Promise<GlobResult> {
  const segs = splitPattern(pattern);
  const files = new Map<string, GlobMatch>();
  const skipped: GlobResult['skipped'] = [];
  let truncated = false;
  const res = segs.map((s) => (s === '**' || !hasMagic(s) ? null : new RegExp('^' + segmentSource(s) + '$', 's')));
  const full = () => { if (files.size >= limit) { truncated = true; return true; } return false; };

  const readDir = async (dir: Node): Promise<Array<Dirent<Buffer>>> => {
    try {
      const st = await fsp.stat(dir.fs);
      if (isPseudoFs(dir.fs, st.dev)) { skipped.push({ path: dir.text, reason: 'pseudo_filesystem' }); return []; }
      const ents = await fsp.readdir(dir.fs, { withFileTypes: true, encoding: 'buffer' });
      return ents.sort((a, b) => Buffer.compare(a.name, b.name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') skipped.push({ path: dir.text, reason: 'unreadable', error: errText(e) });
      return [];
    }
  };
  const addFile = async (p: Node, d?: Dirent<Buffer>): Promise<void> => {
    const k = await kind(p.fs, d);
    if (k === 'file') { if (!full()) files.set(p.text, { path: p.text, fsPath: p.fs }); } else if (k === 'other') skipped.push({ path: p.text, reason: 'not_regular' });
  };

  const walk = async (dir: Node, i: number): Promise<void> => {
    if (i >= segs.length || truncated) return;
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === '**') {
      if (!last) await walk(dir, i + 1); // zero directories
      for (const d of await readDir(dir)) {
        if (truncated) return;
        const p = join(dir, d.name);
        if (d.isDirectory()) await walk(p, i); // one more level (real directories only)
        else if (last) await addFile(p, d);
      }
      return;
    }
    const re = res[i];
    if (!re) {
      const p = joinText(dir, unescapeSeg(seg));
      if (last) { if ((await kind(p.fs)) === 'file' && !full()) files.set(p.text, { path: p.text, fsPath: p.fs }); } else await walk(p, i + 1);
      return;
    }
    for (const d of await readDir(dir)) {
      if (truncated) return;
      const p = join(dir, d.name);
      if (!re.test(p.text.slice(p.text.lastIndexOf('/') + 1))) continue;
      if (last) await addFile(p, d);
      else if ((await kind(p.fs, d)) === 'dir') await walk(p, i + 1);
    }
  };
  await walk({ text: '/', fs: '/' }, 0);
  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: sorted, skipped, truncated };
}

async function kind(p: string | Buffer, d?: Dirent<Buffer>): Promise<'file' | 'dir' | 'other' | 'none'> {
  if (d) {
    if (d.isFile()) return 'file';
    if (d.isDirectory()) return 'dir';
    if (d.isBlockDevice() || d.isCharacterDevice() || d.isFIFO() || d.isSocket()) return 'other';
    // a symlink, or a file system that does not report types: stat
  }
  try {
    const st = await fsp.stat(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch { return 'none'; }
}

function errText(e: unknown): string {
  const x = e as NodeJS.ErrnoException;
  return x.code ? `${x.code}: ${x.message.replace(/^[A-Z]+: /, '')}` : String(e);
}

/** Expands an absolute glob into the sorted list of regular files it matches (paths as shown). */
export async function expandGlob(pattern: string): Promise<string[]> {
  return (await walkGlob(pattern)).files.map((f) => f.path);
}
