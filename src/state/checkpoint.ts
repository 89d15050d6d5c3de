// The state file (spec section 8): a consistent cut of per-file positions, per-key datapool state
// and the points produced but not yet sent, written atomically (temp file, fsync, rename).
// A corrupt or unreadable file is reported, moved aside, and the collector starts fresh.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Point } from '../core/types.js';
import type { PoolState } from '../datapool/pool.js';
import type { Logger } from '../core/log.js';

export const STATE_VERSION = 1;

export interface FileCheckpoint {
  group: string;
  path: string;
  dev: number;
  ino: number;
  fingerprint: string;
  offset: number;       // a line boundary: every line before it is in the pool state below (content bytes: decompressed for a compressed file)
  newest: number | null;// newest log time seen in the file (year inference)
  done?: boolean;       // read to its end and closed: remembered so that its rotated or compressed copies are not read again
  compressed?: boolean; // the record is of a compressed file (offset in decompressed bytes)
}

export interface StateFile {
  version: number;
  written: string;
  files: FileCheckpoint[];
  groups: Record<string, PoolState>;
  pending: Point[];
}

export function writeState(path: string, state: StateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o640);
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* directory fsync is best effort (not supported everywhere) */ }
}

/** Reads the state file. Missing: null. Corrupt or unreadable: logged, moved aside, null. */
export function readState(path: string, log: Logger, now: () => number = Date.now): StateFile | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    moveAside(path, 'State file unreadable', (e as Error).message, log, now);
    return null;
  }
  try {
    const s = JSON.parse(text) as StateFile;
    if (!s || typeof s !== 'object' || s.version !== STATE_VERSION || !Array.isArray(s.files) || typeof s.groups !== 'object' || !Array.isArray(s.pending)) {
      throw new Error(`not a version ${STATE_VERSION} state file`);
    }
    return s;
  } catch (e) {
    moveAside(path, 'State file is corrupt', (e as Error).message, log, now);
    return null;
  }
}

/** Moves a bad state file out of the way (kept for inspection) and says so; the run starts fresh. */
export function moveAside(path: string, what: string, error: string, log: Logger, now: () => number = Date.now): void {
  const aside = `${path}.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '')}`;
  let moved = true;
  try { renameSync(path, aside); } catch { moved = false; }
  log.error(`${what}: ${moved ? 'moved aside' : 'could not be moved aside'}, starting fresh`,
    { state_file: path, moved_to: moved ? aside : null, error });
}
