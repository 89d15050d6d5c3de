// Glob expansion (glob.ts has the syntax): absolute paths of regular files (a symlink to a regular
// file counts), sorted, no duplicates. `*`, `?` and `[...]` segments follow symlinked directories
// (one level each, so no loop is possible); `**` never descends into a symlinked directory (symlink
// loops cannot make it run forever), nor into a pseudo file system (/proc, /sys).
// Nothing is skipped in silence: a directory that cannot be read, and a matching name that is not a
// regular file, are reported to the caller (which warns once and counts). Names are read as bytes
// (names.ts). A walk stops once it holds `limit` files (max_files): walking `/**` costs what it
// keeps. Listings come from a DirCache, and a segment with a literal start (`app-*.log`) looks up
// the entries that begin with it instead of testing them all.
import { statSync } from 'node:fs';
import { DirCache, type DirEntry } from './dircache.js';
import { hasMagic, literalPrefix, segmentSource, splitPattern, unescapeSeg } from './glob.js';
import { joinName, joinText, type PathPair } from './names.js';

/** A matched file: its path as shown (and matched), and as the file system takes it. */
export interface GlobMatch {
  path: string;
  fsPath: string | Buffer;
}

export type GlobSkipReason = 'unreadable' | 'not_regular' | 'pseudo_filesystem' | 'fd_exhausted';

export interface GlobResult {
  files: GlobMatch[];
  /** Paths left out, with why (a directory that cannot be read: its error message). */
  skipped: Array<{ path: string; reason: GlobSkipReason; error?: string }>;
  /** More files matched than `limit`. */
  truncated: boolean;
  /** The directories listed, with the generation of their listing (to tell whether a walk again would differ). */
  deps: Map<string, { gen: number; fs: string | Buffer }>;
}

interface Compiled { segs: string[]; res: Array<RegExp | null>; prefixes: string[] }
const patterns = new Map<string, Compiled>();

/** A pattern's segments, their regexes and literal starts, compiled once (rescans reuse them). */
function compiled(pattern: string): Compiled {
  let c = patterns.get(pattern);
  if (!c) {
    const segs = splitPattern(pattern);
    c = {
      segs,
      res: segs.map((s) => (s === '**' || !hasMagic(s) ? null : new RegExp('^' + segmentSource(s) + '$', 's'))),
      prefixes: segs.map((s) => (s === '**' ? '' : literalPrefix(s))),
    };
    if (patterns.size > 100_000) patterns.clear();
    patterns.set(pattern, c);
  }
  return c;
}

/** The entries of a sorted listing whose text begins with `prefix`. */
function withPrefix(entries: DirEntry[], prefix: string): DirEntry[] {
  if (prefix === '') return entries;
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (entries[mid]!.text < prefix) lo = mid + 1; else hi = mid; }
  let end = lo;
  while (end < entries.length && entries[end]!.text.startsWith(prefix)) end++;
  return entries.slice(lo, end);
}

// A stat of its own only for a literal path or a symlink (a listing gives the rest their type).
// Synchronous: a promise stat cost ten times the CPU, and 10,000 groups of one literal path each
// stat 10,000 paths at start-up.
function kindOf(p: string | Buffer, e?: DirEntry): 'file' | 'dir' | 'other' | 'none' {
  if (e && e.kind !== 'unknown') return e.kind;
  try {
    const st = statSync(p, { throwIfNoEntry: false });
    return !st ? 'none' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch { return 'none'; }
}

/**
 * Expands an absolute glob into the sorted regular files it matches (at most `limit`, walking in
 * sorted order), with what it had to leave out.
 */
export async function walkGlob(pattern: string, limit = Infinity, cache: DirCache = new DirCache()): Promise<GlobResult> {
  const { segs, res, prefixes } = compiled(pattern);
  const files = new Map<string, GlobMatch>();
  const skipped: GlobResult['skipped'] = [];
  const deps: GlobResult['deps'] = new Map();
  let truncated = false;
  const full = () => { if (files.size >= limit) { truncated = true; return true; } return false; };

  const readDir = async (dir: PathPair): Promise<DirEntry[]> => {
    const l0 = cache.list(dir);
    const l = 'gen' in l0 ? l0 : await l0;
    deps.set(dir.text, { gen: l.gen, fs: dir.fs });
    if (l.pseudo) { skipped.push({ path: dir.text, reason: 'pseudo_filesystem' }); return []; }
    if (l.error) {
      const { code, message } = l.error;
      if (code === 'EMFILE' || code === 'ENFILE') skipped.push({ path: dir.text, reason: 'fd_exhausted', error: code });
      else if (code !== 'ENOENT' && code !== 'ENOTDIR') skipped.push({ path: dir.text, reason: 'unreadable', error: `${code}: ${message.replace(/^[A-Z]+: /, '')}` });
    }
    return l.entries;
  };
  const addFile = async (p: PathPair, e?: DirEntry): Promise<void> => {
    const k = kindOf(p.fs, e);
    if (k === 'file') { if (!full()) files.set(p.text, { path: p.text, fsPath: p.fs }); } else if (k === 'other') skipped.push({ path: p.text, reason: 'not_regular' });
  };

  const walk = async (dir: PathPair, i: number): Promise<void> => {
    if (i >= segs.length || truncated) return;
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === '**') {
      if (!last) await walk(dir, i + 1); // zero directories
      for (const e of await readDir(dir)) {
        if (truncated) return;
        const p = joinName(dir, e.name, e.text);
        if (e.kind === 'dir') await walk(p, i); // one more level (real directories only)
        else if (last) await addFile(p, e);
      }
      return;
    }
    const re = res[i];
    if (!re) {
      const p = joinText(dir, unescapeSeg(seg));
      if (last) { if (kindOf(p.fs) === 'file' && !full()) files.set(p.text, { path: p.text, fsPath: p.fs }); } else await walk(p, i + 1);
      return;
    }
    for (const e of withPrefix(await readDir(dir), prefixes[i]!)) {
      if (truncated) return;
      if (!re.test(e.text)) continue;
      const p = joinName(dir, e.name, e.text);
      if (last) await addFile(p, e);
      else if (kindOf(p.fs, e) === 'dir') await walk(p, i + 1);
    }
  };
  await walk({ text: '/', fs: '/' }, 0);
  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: sorted, skipped, truncated, deps };
}

/** Expands an absolute glob into the sorted list of regular files it matches (paths as shown). */
export async function expandGlob(pattern: string): Promise<string[]> {
  return (await walkGlob(pattern)).files.map((f) => f.path);
}
