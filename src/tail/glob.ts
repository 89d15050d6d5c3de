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
// make it run forever. Unreadable directories are skipped silently.
import { promises as fsp, statSync, type Dirent } from 'node:fs';
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

async function readDir(dir: string): Promise<Dirent[]> {
  try { return await fsp.readdir(dir, { withFileTypes: true }); } catch { return []; }
}

async function kind(p: string, d?: Dirent): Promise<'file' | 'dir' | 'other'> {
  if (d) {
    if (d.isFile()) return 'file';
    if (d.isDirectory()) return 'dir';
    if (d.isBlockDevice() || d.isCharacterDevice() || d.isFIFO() || d.isSocket()) return 'other';
    // a symlink, or a file system that does not report types: stat
  }
  // statSync: a promise stat cost ten times the CPU, and a 10,000-group config rescans 10,000
  // literal paths every poll_interval.
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch { return 'other'; }
}

/** Expands an absolute glob into the sorted list of regular files it matches. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const segs = splitPattern(pattern);
  const out = new Set<string>();
  const res = segs.map((s) => (s === '**' || !hasMagic(s) ? null : new RegExp('^' + segmentSource(s) + '$', 's')));

  const walk = async (dir: string, i: number): Promise<void> => {
    if (i >= segs.length) return;
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === '**') {
      if (!last) await walk(dir, i + 1); // zero directories
      for (const d of await readDir(dir)) {
        const p = path.join(dir, d.name);
        if (d.isDirectory()) await walk(p, i); // one more level (real directories only)
        else if (last && (await kind(p, d)) === 'file') out.add(p);
      }
      return;
    }
    const re = res[i];
    if (!re) {
      const p = path.join(dir, unescapeSeg(seg));
      if (last) { if ((await kind(p)) === 'file') out.add(p); } else await walk(p, i + 1);
      return;
    }
    for (const d of await readDir(dir)) {
      if (!re.test(d.name)) continue;
      const p = path.join(dir, d.name);
      const k = await kind(p, d);
      if (last) { if (k === 'file') out.add(p); } else if (k === 'dir') await walk(p, i + 1);
    }
  };
  await walk('/', 0);
  return [...out].sort();
}
