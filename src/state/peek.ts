// What a state file holds besides the keys: its newest cut's file positions and unsent points, for
// tests and tools that look at a state file without restoring it.
import type { ByteReader } from '../core/bytes.js';
import type { Point } from '../core/types.js';
import { readPoolHeader, skipSet } from '../datapool/snapshot.js';
import { GroupFlag } from './format.js';
import { looksLegacy, readLegacy } from './legacy.js';
import { applyState, scanState, type StateVisitor } from './reader.js';
import { readFileSync } from 'node:fs';

export interface Peek {
  files: Array<Record<string, unknown>>;
  pending: Point[];
  /** Complete cuts in the file. */
  cuts: number;
}

/** The newest complete cut's files and pending points, or why the file cannot be read. */
export function peekState(path: string): Peek | string {
  if (looksLegacy(readFileSync(path).subarray(0, 1))) {
    const s = readLegacy(path);
    return typeof s === 'string' ? s : { files: s.files as Peek['files'], pending: s.pending, cuts: 1 };
  }
  const scan = scanState(path);
  if (typeof scan === 'string') return scan;
  let files: string | null = null;
  let pending: Point[] | null = null;
  const v: StateVisitor = {
    cut() {},
    group(_gix: number, _name: string, flags: GroupFlag, r: ByteReader) { if (!(flags & GroupFlag.Removed)) readPoolHeader(r); },
    set(_gix: number, r: ByteReader) { skipSet(r); },
    gone() {},
    files(json: string) { files ??= json; },
    pending(points: Point[]) { pending ??= points; },
  };
  applyState(path, scan, v);
  return { files: JSON.parse(files ?? '[]') as Peek['files'], pending: pending ?? [], cuts: scan.cuts.length };
}
