// Writes the state file's segments (format.ts) and keeps two generations of it (spec section 8).
//
// A segment is appended to the newest file and made durable (fdatasync) before it counts. If any
// write of it fails (a short write, ENOSPC, EIO, a failed sync), the file is cut back to where the
// segment began: the previous checkpoint stays intact and in place, and the caller writes the
// segment's sets again with the next cut.
//
// A run starts a new file (a generation): its first segment is a full image of the state, written
// to a temporary file that is renamed over the newest once durable; the newest becomes the previous
// generation (`<state_file>.prev`). Compaction does the same by copying the part of the newest that
// still matters (the records since the last complete sweep, see checkpointer.ts) into a new file.
import { basename, join } from 'node:path';
import { HEADER_BYTES, header, seal, type FramePool } from './format.js';
import { dirOf, writeAll, WriteError, type StateFs, type StateHandle } from './fsio.js';

export const prevPath = (path: string): string => `${path}.prev`;

/** The file a run restored from: its first file starts as a copy of its complete cuts. */
export interface Seed {
  path: string;
  /** Byte offset just after its last complete cut. */
  end: number;
  completeAt: number;
  lastSeq: number;
}

/** What the newest file on disk is when this run starts. */
export type Newest = 'good' | 'bad' | 'none';

interface Gen {
  h: StateHandle;
  path: string;
  size: number;
  /** Renamed into place as the newest. */
  placed: boolean;
}

interface Segment {
  seq: number;
  /** Starts a new file. */
  fresh: boolean;
  start: number;
  chain: Promise<void>;
  error: unknown;
  queued: number;
}

const COPY_CHUNK = 1 << 20;

export class StateWriter {
  private gen: Gen | null = null;
  private seg: Segment | null = null;
  /** The next segment must start a new file (this run has none yet, or its file's end is unknown). */
  needGeneration = true;
  private readonly tmp: string;

  constructor(readonly path: string, private readonly fs: StateFs, private newest: Newest, private readonly frames?: FramePool,
    private seed: Seed | null = null) {
    this.tmp = join(dirOf(path), `${basename(path)}.tmp-${process.pid}`);
  }

  /** Where the next segment will start in its file. */
  get nextStart(): number {
    return !this.needGeneration ? this.gen!.size : this.seed ? this.seed.end : HEADER_BYTES;
  }

  /** The next segment starts a new file that is not a copy of the restored one: it must hold every key. */
  get needFull(): boolean {
    return this.needGeneration && this.seed === null;
  }

  /** Bytes in the newest file of this run (0 before its first segment). */
  get size(): number {
    return this.gen?.placed ? this.gen.size : 0;
  }

  /** Bytes of frames handed in and not written yet. */
  get queued(): number {
    return this.seg?.queued ?? 0;
  }

  /** Starts segment `seq`; when needGeneration, in a new file (its first cut must be a full image). */
  begin(seq: number): void {
    const fresh = this.needGeneration;
    const seg: Segment = { seq, fresh, start: fresh ? HEADER_BYTES : this.gen!.size, chain: Promise.resolve(), error: null, queued: 0 };
    if (fresh) seg.chain = this.openGeneration(seq).catch((e) => { seg.error ??= e; });
    this.seg = seg;
  }

  /**
   * Appends a frame to the current segment (sealed here, written in the background, in order):
   * `buf` is FRAME_HEAD_BYTES of room, then records. It goes back to the pool once written.
   */
  frame(buf: Buffer, flags: number): void {
    const seg = this.seg!;
    seal(buf, seg.seq, flags);
    seg.queued += buf.length;
    seg.chain = seg.chain.then(async () => {
      seg.queued -= buf.length;
      if (seg.error) return;
      const g = this.gen!;
      try {
        await writeAll(g.h, buf, g.size);
        g.size += buf.length;
      } catch (e) {
        seg.error = e;
      }
      this.frames?.put(buf);
    });
  }

  /** Resolves once every frame handed in so far is written (or failed). */
  settled(): Promise<void> {
    return this.seg?.chain ?? Promise.resolve();
  }

  /**
   * Makes the segment durable (and a new file the newest). Throws a WriteError when it did not
   * reach the disk; the file is then as it was before the segment.
   */
  async finish(): Promise<void> {
    const seg = this.seg!;
    this.seg = null;
    try {
      await seg.chain;
      if (seg.error) throw seg.error;
      await this.gen!.h.datasync();
      if (!this.gen!.placed) await this.place(this.gen!);
    } catch (e) {
      await this.rollback(seg);
      throw asWriteError(e);
    }
  }

  private async openGeneration(seq: number): Promise<void> {
    await this.fs.mkdir(dirOf(this.path));
    if (!this.swept) {
      // Temporary files of runs killed while writing one (each run names its own by its pid).
      this.swept = true;
      const stem = `${basename(this.path)}.tmp-`;
      for (const f of await this.fs.list(dirOf(this.path)).catch(() => [])) {
        if (f.startsWith(stem)) await this.fs.unlink(join(dirOf(this.path), f)).catch(() => undefined);
      }
    }
    await this.fs.unlink(this.tmp).catch(() => undefined);
    const h = await this.fs.create(this.tmp);
    const g: Gen = { h, path: this.tmp, size: 0, placed: false };
    this.previousGen = this.gen;
    this.gen = g;
    const seed = this.seed;
    await writeAll(h, header(seed ? seed.completeAt : seq), 0);
    g.size = HEADER_BYTES;
    if (seed) {
      // The restored state, copied as it is: no cut has to write every key again.
      const src = await this.fs.open(seed.path);
      try {
        g.size += await copyRange(src, HEADER_BYTES, seed.end, h, HEADER_BYTES);
      } finally {
        await src.close().catch(() => undefined);
      }
    }
  }

  /** Old temporary files were removed. */
  private swept = false;

  /** The file this run wrote before the current new one (closed once the new one is in place). */
  private previousGen: Gen | null = null;

  /** Renames a new file over the newest; the newest, if readable, becomes the previous generation. */
  private async place(g: Gen): Promise<void> {
    if (this.newest === 'good') {
      await this.fs.rename(this.path, prevPath(this.path)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      this.newest = 'none';
    }
    await this.fs.rename(g.path, this.path);
    g.path = this.path;
    g.placed = true;
    this.newest = 'good';
    this.needGeneration = false;
    this.seed = null;
    await this.fs.syncDir(dirOf(this.path));
    const old = this.previousGen;
    this.previousGen = null;
    await old?.h.close().catch(() => undefined);
  }

  /** Undoes a failed segment: a new file is dropped, an appended segment cut off. */
  private async rollback(seg: Segment): Promise<void> {
    const g = this.gen;
    if (!g) return;
    if (!g.placed) {
      await g.h.close().catch(() => undefined);
      await this.fs.unlink(g.path).catch(() => undefined);
      this.gen = this.previousGen;
      this.previousGen = null;
      return;
    }
    try {
      await g.h.truncate(seg.start);
      g.size = seg.start;
    } catch {
      // The file keeps the failed segment's bytes after its last complete one: still readable up to
      // there, but nothing can follow them. The next cut starts a new file.
      this.needGeneration = true;
    }
  }

  /**
   * Compaction: a new newest holding the newest's bytes from `from` on (whole segments), whose
   * state is complete from segment `completeAt`. Returns how many bytes the offsets moved down.
   */
  async compact(from: number, completeAt: number): Promise<number> {
    const g = this.gen!;
    let h: StateHandle | null = null;
    try {
      await this.fs.unlink(this.tmp).catch(() => undefined);
      h = await this.fs.create(this.tmp);
      await writeAll(h, header(completeAt), 0);
      const at = HEADER_BYTES + await copyRange(g.h, from, g.size, h, HEADER_BYTES);
      await h.datasync();
      const next: Gen = { h, path: this.tmp, size: at, placed: false };
      this.previousGen = g;
      await this.place(next);
      this.gen = next;
      return from - HEADER_BYTES;
    } catch (e) {
      this.gen = g; // not placed: keep appending to the newest, if it is still in place
      this.previousGen = null;
      if (this.newest !== 'good') this.needGeneration = true;
      await h?.close().catch(() => undefined);
      await this.fs.unlink(this.tmp).catch(() => undefined);
      throw asWriteError(e);
    }
  }

  async close(): Promise<void> {
    await this.gen?.h.close().catch(() => undefined);
    this.gen = null;
  }
}

/** Copies bytes [from, to) of `src` to `dst` at `at`; returns how many. */
async function copyRange(src: StateHandle, from: number, to: number, dst: StateHandle, at: number): Promise<number> {
  const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, to - from)));
  for (let pos = from; pos < to;) {
    const n = await src.read(buf, 0, Math.min(buf.length, to - pos), pos);
    if (!(n > 0)) throw new WriteError('ESHORT', `short read while copying at byte ${pos}`);
    await writeAll(dst, buf.subarray(0, n), at + pos - from);
    pos += n;
  }
  return to - from;
}

function asWriteError(e: unknown): WriteError {
  if (e instanceof WriteError) return e;
  const err = e as NodeJS.ErrnoException;
  return new WriteError(typeof err?.code === 'string' ? err.code : 'EUNKNOWN', err?.message ?? String(e));
}
