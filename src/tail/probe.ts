// A first look at a file before it is tailed: what it is (plain or which compression), who it is
// (device, inode) and how its content begins (the first 64 KB, decompressed), without keeping it
// open. The head gives the fingerprint that recognises copies, and the first lines whose log time
// orders a rotated family.
import * as fs from 'node:fs';
import { Inflater } from './inflate.js';
import { canDecompress, MAGIC_BYTES, sniff, type Format } from './format.js';
import { isPseudoFs } from './pseudofs.js';
import { openRead } from './reader.js';

export const PROBE_BYTES = 64 * 1024;

export interface Probe {
  path: string;
  fsPath: string | Buffer;
  /**
   * The file, open: whoever acts on the probe reads through it (so a rename in between changes
   * nothing) or closes it (release()). -1 once handed over or closed.
   */
  fd: number;
  dev: number;
  ino: number;
  /** On-disk size. */
  size: number;
  mtimeMs: number;
  /** When the file was created (its birth time where the file system keeps one, else its ctime). */
  bornMs: number;
  format: Format;
  /** The first content bytes (decompressed), up to PROBE_BYTES; empty for a format that cannot be read. */
  head: Buffer;
  /** The head is the whole content. */
  whole: boolean;
  /** Decompression failed within the head. */
  damaged: boolean;
}

export type ProbeSkip = 'not_regular' | 'pseudo_filesystem';

/**
 * Looks at a file. Throws the fs error when it cannot be opened; returns a skip reason for files
 * never tailed. A plain file's head is its first `want` bytes; a compressed file's, its first
 * PROBE_BYTES decompressed (decompressing is what costs, not the bytes kept).
 */
export async function probe(path: string, fsPath: string | Buffer, want = PROBE_BYTES): Promise<Probe | ProbeSkip> {
  const st0 = fs.statSync(fsPath);
  if (!st0.isFile()) return 'not_regular';
  if (isPseudoFs(fsPath, st0.dev)) return 'pseudo_filesystem';
  const fd = openRead(fsPath);
  let st: fs.Stats;
  let magic: Buffer;
  try {
    st = fs.fstatSync(fd);
    if (!st.isFile()) { fs.closeSync(fd); return 'not_regular'; }
    magic = Buffer.alloc(MAGIC_BYTES);
    magic = magic.subarray(0, fs.readSync(fd, magic, 0, MAGIC_BYTES, 0));
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  const base = { path, fsPath, fd, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, bornMs: st.birthtimeMs || st.ctimeMs, format: sniff(magic) };
  if (base.format === 'plain') {
    try {
      const head = Buffer.allocUnsafe(Math.min(want, st.size));
      let got = 0;
      while (got < head.length) {
        const n = fs.readSync(fd, head, got, head.length - got, got);
        if (n === 0) break;
        got += n;
      }
      return { ...base, head: head.subarray(0, got), whole: got === st.size && got < want, damaged: false };
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }
  if (!canDecompress(base.format)) return { ...base, head: Buffer.alloc(0), whole: false, damaged: false };
  want = PROBE_BYTES;
  let inf: Inflater;
  try {
    inf = new Inflater(fsPath, fs.openSync(fsPath, 'r'), base.format); // its own fd, closed with it
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  try {
    await inf.need(want);
    const ended = inf.ended;
    const head = Buffer.from(inf.take(want, Buffer.allocUnsafe(0)));
    return { ...base, head, whole: ended && inf.available === 0, damaged: ended && inf.damage !== null };
  } finally {
    inf.close();
  }
}

/** A plain file's head read on up to `want` bytes (through the probe's open file). */
export function extendHead(pr: Probe, want: number): void {
  if (pr.format !== 'plain' || pr.whole || pr.head.length >= want || pr.fd < 0) return;
  const head = Buffer.allocUnsafe(want);
  pr.head.copy(head);
  let got = pr.head.length;
  while (got < want) {
    const n = fs.readSync(pr.fd, head, got, want - got, got);
    if (n === 0) break;
    got += n;
  }
  pr.head = head.subarray(0, got);
  pr.whole = got < want && got >= pr.size;
}

/** Closes the probe's file unless it was handed to a reader. */
export function release(pr: Probe): void {
  if (pr.fd < 0) return;
  try { fs.closeSync(pr.fd); } catch { /* already closed */ }
  pr.fd = -1;
}

/** Hands the probe's open file over (to a reader, which closes it from then on). */
export function takeFd(pr: Probe): number | undefined {
  const fd = pr.fd;
  pr.fd = -1;
  return fd >= 0 ? fd : undefined;
}
