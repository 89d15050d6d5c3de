// One identity for a log's content (spec section 6, "Identity"): what a group has read, recorded by
// device, inode and a fingerprint of the first content bytes, with how far it was read. A file is
// the same log as a record when it is the same inode with the same first bytes (a rename), or when
// its content begins with the record's fingerprinted bytes (a copy: copytruncate's, or a compressed
// one): then only what lies beyond the record's offset is new.
//
// The ledger keeps the records of files the group has finished with (read to their end and closed,
// or skipped at their end), bounded: the oldest go first. Open files are matched through their
// readers (the tailer passes them in); they are not in the ledger.
import { FINGERPRINT_BYTES, fpParse, fpPrefixMatch, fpScanPrefixes } from './fingerprint.js';

/** What a checkpoint holds for one file: plain data. */
export interface FileRecord {
  /** Where the file was last seen (informational: files are found by identity). */
  path: string;
  dev: number;
  ino: number;
  fingerprint: string;
  /** Content bytes handed out (decompressed bytes for a compressed file); ALL_READ: the whole of it. */
  offset: number;
  /** Read to its end and closed (or skipped at its end). */
  done: boolean;
  compressed: boolean;
}

/** Offset of a file taken as read to its end without reading it (a compressed file present at start-up). */
export const ALL_READ = Number.MAX_SAFE_INTEGER;

/**
 * Fewest matching bytes for a content match: a log shorter than this is recognised by its inode only,
 * so two logs starting with the same header lines are not taken for copies of each other.
 */
export const MIN_COPY_MATCH = 1024;

const inodeKey = (dev: number, ino: number) => `${dev}:${ino}`;

/** Whether `head` (a file's first content bytes) is the content of `rec`'s file, or a copy of it. */
export function headMatches(rec: Pick<FileRecord, 'fingerprint' | 'offset'>, head: Uint8Array, minLen: number): boolean {
  return fpPrefixMatch(head, rec.fingerprint, Math.max(minLen, Math.min(rec.offset, FINGERPRINT_BYTES, head.length))) >= 0;
}

export class Ledger {
  private readonly records = new Set<FileRecord>();      // insertion order = age
  private readonly byInode = new Map<string, FileRecord[]>();
  private readonly byH1 = new Map<number, FileRecord[]>(); // first fingerprint word -> records

  constructor(private readonly cap = 1024) {}

  get size(): number { return this.records.size; }

  all(): FileRecord[] { return [...this.records]; }

  /** Adds (or refreshes) a record; the oldest are forgotten beyond the cap. */
  add(rec: FileRecord): void {
    for (const r of this.byInode.get(inodeKey(rec.dev, rec.ino)) ?? []) {
      if (r.fingerprint === rec.fingerprint && r.compressed === rec.compressed) this.remove(r);
    }
    this.records.add(rec);
    push(this.byInode, inodeKey(rec.dev, rec.ino), rec);
    const words = fpParse(rec.fingerprint);
    if (words) push(this.byH1, words[0], rec);
    while (this.records.size > this.cap) this.remove(this.records.values().next().value as FileRecord);
  }

  remove(rec: FileRecord): void {
    if (!this.records.delete(rec)) return;
    pull(this.byInode, inodeKey(rec.dev, rec.ino), rec);
    const words = fpParse(rec.fingerprint);
    if (words) pull(this.byH1, words[0], rec);
  }

  /** The record of this very file: same device and inode, and a head matching what was read. */
  sameFile(dev: number, ino: number, head: Uint8Array, size: number, compressed: boolean): FileRecord | undefined {
    let best: FileRecord | undefined;
    for (const r of this.byInode.get(inodeKey(dev, ino)) ?? []) {
      if (r.compressed !== compressed) continue;
      if (!compressed && r.offset > size) continue; // truncated since
      if (!headMatches(r, head, 0)) continue;
      if (!best || r.offset > best.offset) best = r;
    }
    return best;
  }

  /**
   * The record this content is a copy of (or a later state of): its head begins with the record's
   * fingerprinted bytes, at least MIN_COPY_MATCH of them. The one read furthest wins.
   */
  copyOf(head: Uint8Array): FileRecord | undefined {
    if (head.length < MIN_COPY_MATCH || this.byH1.size === 0) return undefined;
    let best: FileRecord | undefined;
    fpScanPrefixes(head, this.byH1, (len, h1, h2) => {
      if (len < MIN_COPY_MATCH) return;
      for (const r of this.byH1.get(h1)!) {
        // a fingerprint matches at one length only: the record's first bytes are all there
        if (r.offset <= 0 || fpParse(r.fingerprint)![1] !== h2) continue;
        if (!best || r.offset > best.offset) best = r;
      }
    });
    return best;
  }
}

function push<K>(m: Map<K, FileRecord[]>, k: K, r: FileRecord): void {
  const a = m.get(k);
  if (a) a.push(r); else m.set(k, [r]);
}

function pull<K>(m: Map<K, FileRecord[]>, k: K, r: FileRecord): void {
  const a = m.get(k);
  if (!a) return;
  const i = a.indexOf(r);
  if (i >= 0) a.splice(i, 1);
  if (a.length === 0) m.delete(k);
}
