// What to do with a file seen for the first time (or again, once closed): the rules of spec
// section 6, in order.
// 1. A compressed format the collector cannot read: skipped (warned once, counted).
// 2. The same file as a record (same inode, same first bytes): only what lies beyond the record.
// 3. A copy of a file open now (its content begins with the open file's): left pending. Its lines
//    are read from the open file; if that file is truncated (copytruncate), its old content goes to
//    the ledger and the copy then matches rule 4.
// 4. A copy of a finished file (a rotated copy, a compressed copy): only what lies beyond.
// 5. Empty (found after start-up), or the beginning of an open file's content (a copy being
//    written): pending until it grows, or until it has stayed so for the rotation grace.
// 6. Otherwise a new log: from its start when read from the start (--once, parse_from_start, after
//    start-up, new since the restored checkpoint), else from its end.
import * as fs from 'node:fs';
import { ALL_READ, Ledger, type FileRecord } from './identity.js';
import { FINGERPRINT_BYTES, fingerprint } from './fingerprint.js';
import { canDecompress, unreadableReason } from './format.js';
import type { GroupState } from './group.js';
import type { Probe } from './probe.js';
import type { Slot } from './slot.js';
import type { TailHost } from './host.js';
import { FileReader } from './reader.js';

export type Decision =
  | { kind: 'skip'; detail: string }                   // a format that cannot be read
  | { kind: 'pending' }                                // not decided yet (looked at again later)
  | { kind: 'known'; record: FileRecord | null }       // nothing in it is new: not opened
  | { kind: 'tail'; start: number; why: string; reuse?: FileRecord }  // a plain file opened now at this content offset
  | { kind: 'read'; start: number; why: string; reuse?: FileRecord }; // queued in the backlog, read from this offset

// `reuse`: the ledger record of this very file, which the caller drops once the file is open again
// (the reader holds its position from then on).

/** The open plain files of a group as records, to recognise copies of them. */
export interface LiveIndex {
  ledger: Ledger;
  slots: Slot[];
  bySlot: Map<FileRecord, Slot>;
}

export function liveIndex(g: GroupState): LiveIndex {
  const ledger = new Ledger(Infinity);
  const slots: Slot[] = [];
  const bySlot = new Map<FileRecord, Slot>();
  for (const s of g.slots.values()) {
    if (s.compressed || s.state === 'closed') continue;
    slots.push(s);
    const rec = { path: s.path, ...s.reader.identity(), offset: Math.max(s.reader.consumed, 1), done: false, compressed: false };
    ledger.add(rec);
    bySlot.set(rec, s);
  }
  return { ledger, slots, bySlot };
}

/**
 * When a file is looked at: present at start-up, found later, or about to be read from the group's
 * backlog (decided once already: only the ledger may have learnt of a copy since).
 */
export type When = 'initial' | 'later' | 'activate';

export function decide(g: GroupState, pr: Probe, when: When, live: LiveIndex, host: TailHost): Decision {
  const initial = when === 'initial';
  const compressed = pr.format !== 'plain';
  if (compressed && !canDecompress(pr.format)) return { kind: 'skip', detail: unreadableReason(pr.format) };
  const pend = g.pending.get(pr.path);
  const stale = pend !== undefined && pend.size === pr.size && host.sched.now() - pend.since >= host.tune.grace;
  // a compressed file that appears after start-up may still be being written (logrotate compressing
  // the previous generation): read once it has stayed the same for the rotation grace
  if (compressed && when === 'later' && !stale && !pr.whole) return { kind: 'pending' };
  const same = g.ledger.sameFile(pr.dev, pr.ino, pr.head, pr.size, compressed);
  if (same) return beyond(g, pr, same, true, stale, g.restoredRecords.has(same) ? 'its checkpoint' : 'its previous position');
  const liveCopy = live.ledger.copyOf(pr.head);
  // (a file closed since the index was taken has its content in the ledger: the next rule sees it)
  if (liveCopy && live.bySlot.get(liveCopy)?.state !== 'closed') return { kind: 'pending' };
  const copy = g.ledger.copyOf(pr.head);
  if (copy) return beyond(g, pr, copy, false, stale, `the end of ${copy.path} (a copy of it)`);
  if (when === 'activate') return { kind: 'read', start: 0, why: 'start' };
  if (!stale && ((pr.size === 0 && !initial) || beginsOpenFile(pr, live))) return { kind: 'pending' };
  if (fromStart(g, pr, initial, host)) return { kind: 'read', start: 0, why: 'start' };
  if (compressed) return { kind: 'known', record: record(pr, ALL_READ) };
  return { kind: 'tail', start: pr.size, why: 'end' };
}

/**
 * What lies beyond `rec` in the probed file (the file itself when `same`, else a copy). A plain copy
 * still shorter than what was read is a copy being written: pending until it stops growing.
 */
function beyond(_g: GroupState, pr: Probe, rec: FileRecord, same: boolean, stale: boolean, why: string): Decision {
  if (pr.format !== 'plain') {
    if (rec.offset === ALL_READ || (pr.whole && rec.offset >= pr.head.length) || gzipSizeIs(pr, rec.offset)) {
      return { kind: 'known', record: record(pr, rec.offset) };
    }
    return { kind: 'read', start: rec.offset, why };
  }
  if (rec.offset > pr.size) return stale ? { kind: 'known', record: null } : { kind: 'pending' };
  const reuse = same ? rec : undefined;
  if (rec.offset === pr.size) return { kind: 'tail', start: rec.offset, why, reuse };
  return { kind: 'read', start: rec.offset, why, reuse };
}

function record(pr: Probe, offset: number): FileRecord {
  const fp = pr.head.subarray(0, FINGERPRINT_BYTES);
  return { path: pr.path, dev: pr.dev, ino: pr.ino, fingerprint: fingerprint(fp), offset, done: true, compressed: pr.format !== 'plain' };
}

/** The probed content is the beginning of an open file's (a copy of it being written). */
function beginsOpenFile(pr: Probe, live: LiveIndex): boolean {
  if (pr.head.length >= FINGERPRINT_BYTES) return false;
  for (const s of live.slots) {
    if (s.state === 'closed' || !(s.reader instanceof FileReader) || s.reader.isClosed || s.reader.size <= pr.head.length) continue;
    const h = s.reader.head();
    if (h.length > pr.head.length && h.subarray(0, pr.head.length).equals(pr.head)) return true;
  }
  return false;
}

/** Rule 6: is a new file read from its start? */
function fromStart(g: GroupState, pr: Probe, initial: boolean, host: TailHost): boolean {
  if (host.opts.once || g.cfg.fromStart) return true;
  // beyond max_files at start-up, reached later: there at start-up all the same
  if (!initial && g.initialTruncated && pr.bornMs < g.startedAt) return false;
  if (!initial) return true;
  if (g.restoredSince === null) return false;
  // written while the collector was down (or just before its last checkpoint, not yet seen)
  const margin = host.opts.pollIntervalSec * 1000 + 5000;
  return pr.mtimeMs >= g.restoredSince - margin;
}

/**
 * A gzip file's trailer holds its content size (mod 2^32, of its last member): when it equals what
 * was read, the file holds nothing more, and need not be decompressed to find that out.
 */
function gzipSizeIs(pr: Probe, offset: number): boolean {
  if (pr.format !== 'gzip' || pr.size < 18 || offset <= 0) return false;
  const fd = fs.openSync(pr.fsPath, 'r');
  try {
    const b = Buffer.alloc(4);
    if (fs.readSync(fd, b, 0, 4, pr.size - 4) !== 4) return false;
    return b.readUInt32LE(0) === offset % 2 ** 32;
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}
