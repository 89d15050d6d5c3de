// Directory listings shared by every group's glob walks: a directory is read again only when its
// modification time changed (an entry was added, removed or renamed), and its stat is taken at
// most once a `ttlMs` unless a watch event on it says it changed. So 10,000 groups globbing in one
// directory of 10,000 files cost one listing, not 10,000; and a rescan over unchanged directories
// costs a stat each, or nothing within the ttl.
import { promises as fsp } from 'node:fs';
import { isPseudoFs } from './pseudofs.js';
import { displayName, type PathPair } from './names.js';

export type EntryKind = 'file' | 'dir' | 'other' | 'unknown'; // unknown: a symlink (or no type): stat it

export interface DirEntry {
  name: Buffer;
  text: string;
  kind: EntryKind;
}

export interface Listing {
  /** Changes whenever the listing does. */
  gen: number;
  entries: DirEntry[];   // sorted by text
  pseudo: boolean;
  /** The error code and message when the directory could not be read. */
  error?: { code: string; message: string };
}

interface Cached extends Listing {
  mtimeMs: number;
  ino: number;
  checkedAt: number;
}

let generation = 0;

export class DirCache {
  private readonly dirs = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<Listing>>();

  constructor(private readonly now: () => number = () => 0, private readonly ttlMs = 0, private readonly max = 1024) {}

  /** The directory's entries, read again only when it changed (walks under way at once share one look). */
  list(dir: PathPair): Promise<Listing> | Listing {
    const key = dir.text;
    const c = this.dirs.get(key);
    if (c && this.ttlMs > 0 && this.now() - c.checkedAt < this.ttlMs) return c;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.look(dir, c).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async look(dir: PathPair, c: Cached | undefined): Promise<Listing> {
    const key = dir.text;
    const t = this.now();
    let st;
    try {
      st = await fsp.stat(dir.fs);
    } catch (e) {
      return this.put(key, failed(e), t);
    }
    if (c && !c.error && c.mtimeMs === st.mtimeMs && c.ino === st.ino) { c.checkedAt = t; return c; }
    if (isPseudoFs(dir.fs, st.dev)) return this.put(key, { gen: ++generation, entries: [], pseudo: true, mtimeMs: st.mtimeMs, ino: st.ino, checkedAt: t }, t);
    try {
      const ents = await fsp.readdir(dir.fs, { withFileTypes: true, encoding: 'buffer' });
      const entries: DirEntry[] = ents.map((d) => ({
        name: d.name, text: displayName(d.name),
        kind: d.isFile() ? 'file' : d.isDirectory() ? 'dir' : d.isBlockDevice() || d.isCharacterDevice() || d.isFIFO() || d.isSocket() ? 'other' : 'unknown',
      }));
      entries.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
      return this.put(key, { gen: ++generation, entries, pseudo: false, mtimeMs: st.mtimeMs, ino: st.ino, checkedAt: t }, t);
    } catch (e) {
      return this.put(key, failed(e), t);
    }
  }

  /** The directory changed (a watch event): the next list() looks at it again. */
  invalidate(dirText: string): void {
    const c = this.dirs.get(dirText);
    if (c) c.checkedAt = -Infinity;
  }

  /** Whether every directory of a walk has, as last looked at, the listing it had then (no I/O). */
  sameAsLastSeen(deps: ReadonlyMap<string, { gen: number; fs: string | Buffer }>): boolean {
    for (const [text, d] of deps) if (this.dirs.get(text)?.gen !== d.gen) return false;
    return true;
  }

  /** Whether every directory of a walk still has the listing it had then (checking each as list() does). */
  async unchanged(deps: ReadonlyMap<string, { gen: number; fs: string | Buffer }>): Promise<boolean> {
    for (const [text, d] of deps) {
      if (!this.dirs.has(text)) return false;
      if ((await this.list({ text, fs: d.fs })).gen !== d.gen) return false;
    }
    return true;
  }

  private put(key: string, c: Omit<Cached, 'checkedAt'> & { checkedAt?: number }, t: number): Cached {
    const v = { ...c, checkedAt: t } as Cached;
    this.dirs.delete(key);
    this.dirs.set(key, v);
    while (this.dirs.size > this.max) this.dirs.delete(this.dirs.keys().next().value as string);
    return v;
  }
}

function failed(e: unknown): Omit<Cached, 'checkedAt'> {
  const x = e as NodeJS.ErrnoException;
  const code = x.code ?? 'EIO';
  return { gen: ++generation, entries: [], pseudo: false, mtimeMs: -1, ino: -1, error: { code, message: x.message ?? String(e) } };
}
