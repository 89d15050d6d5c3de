// The order in which a group's files are read from their start (spec section 6, "Order"): oldest
// first by the log time of their first parsable line; files without one keep their place in
// rotation order (a higher `.N` is older, `dateext` dates ascend, the live name is newest), ties
// broken by modification time, then by path. Pure: the caller measures, this sorts.
import * as path from 'node:path';

export interface OrderKey {
  path: string;
  /** Log time (s) of the first parsable line, NaN when none was found. */
  firstTime: number;
  mtimeMs: number;
}

const COMPRESSED_SUFFIX = /\.(?:gz|z|zst|zstd|bz2|xz|lz4|lz|lzma)$/i;
const NUMBERED = /^(.*)\.(\d+)$/;
const DATED = /^(.*)[-_.](\d{4})-?(\d{2})-?(\d{2})(?:[-_T.]?(\d{2})(?:[:.-]?(\d{2})(?:[:.-]?(\d{2}))?)?)?$/;

/** The family a file belongs to (its live name) and its age within it: larger is newer. */
export function rotationOf(p: string): { family: string; age: number } {
  const dir = path.dirname(p);
  let name = path.basename(p).replace(COMPRESSED_SUFFIX, '');
  const dated = DATED.exec(name);
  if (dated) {
    const stamp = Number(dated.slice(2, 8).map((x) => x ?? '00').join(''));
    return { family: path.join(dir, dated[1]!), age: -1e15 + stamp };       // dates ascend, all older than the live file
  }
  const numbered = NUMBERED.exec(name);
  if (numbered) return { family: path.join(dir, numbered[1]!), age: -Number(numbered[2]) }; // .1 newer than .2
  name = path.basename(p);
  return { family: path.join(dir, name.replace(COMPRESSED_SUFFIX, '')), age: 0 };
}

/**
 * Sorts files into reading order. Each family is ranked from its newest member (0) back; files
 * first go by that rank (the oldest generation first), then modification time, then path; then the
 * files with a first-line time are re-sorted by it among the places they hold, and those without
 * one stay where rotation order put them.
 */
export function readingOrder<T extends OrderKey>(files: readonly T[]): T[] {
  if (files.length < 2) return [...files]; // nothing to compare: no first line is parsed
  const rot = new Map<T, { family: string; age: number }>();
  const families = new Map<string, number[]>();
  for (const f of files) {
    const r = rotationOf(f.path);
    rot.set(f, r);
    const ages = families.get(r.family) ?? [];
    ages.push(r.age);
    families.set(r.family, ages);
  }
  const rank = (f: T): number => {
    const r = rot.get(f)!;
    return families.get(r.family)!.filter((a) => a > r.age).length; // generations newer than f
  };
  const base = [...files].sort((a, b) => rank(b) - rank(a) || a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const dated = base.filter((f) => Number.isFinite(f.firstTime)).sort((a, b) => a.firstTime - b.firstTime); // stable
  let k = 0;
  return base.map((f) => (Number.isFinite(f.firstTime) ? dated[k++]! : f));
}
