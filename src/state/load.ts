// Restore at start-up (spec section 8): the newest state file, or if it cannot be used the previous
// generation; only when neither can are they moved aside and the run starts fresh, saying so.
// Progress is logged every second of a long restore.
import { closeSync, openSync, readSync, renameSync } from 'node:fs';
import type { Logger } from '../core/log.js';
import { HEADER_BYTES } from './format.js';
import { looksLegacy, readLegacy } from './legacy.js';
import { applyState, scanState } from './reader.js';
import { Restorer, type PoolLookup, type Restored } from './restore.js';
import { prevPath, type Newest, type Seed } from './writer.js';

type Attempt = { kind: 'missing' } | { kind: 'bad'; reason: string } | { kind: 'ok'; state: Restored; cuts: number; bytes: number; seed: Seed | null };

export interface LoadResult {
  /** What the newest file is now (the writer keeps a good one as the previous generation). */
  newest: Newest;
  state: Restored | null;
  /** The binary file the state came from: the run's first file starts as a copy of it. */
  seed: Seed | null;
}

/**
 * Restores `file` (or `file`.prev) into the pools. `reset` gives every group a fresh pool: called
 * after a file failed part-way, before the next is tried.
 */
export function restoreState(file: string, pools: PoolLookup, log: Logger, wall: () => number, reset: () => void): LoadResult {
  const t0 = wall();
  const newest = attempt(file, pools, log, wall);
  if (newest.kind === 'ok') return done('newest', file, newest, 'good');
  if (newest.kind === 'bad') {
    log.warn('State file unreadable: falling back to its previous generation', { state_file: file, error: newest.reason });
    reset();
  }
  const prev = attempt(prevPath(file), pools, log, wall);
  if (prev.kind === 'ok') return done('previous', prevPath(file), prev, newest.kind === 'bad' ? 'bad' : 'none');
  if (prev.kind === 'bad') reset();
  const bad: Array<[string, string]> = [];
  if (newest.kind === 'bad') bad.push([file, newest.reason]);
  if (prev.kind === 'bad') bad.push([prevPath(file), prev.reason]);
  for (const [path, reason] of bad) moveAside(path, reason, log, wall);
  if (bad.length) log.error('No usable state file: starting fresh', { state_file: file });
  return { newest: 'none', state: null, seed: null };

  function done(generation: string, path: string, a: Attempt & { kind: 'ok' }, now: Newest): LoadResult {
    const s = a.state;
    log.info('State restored', { state_file: path, generation, cuts: a.cuts, bytes: a.bytes, files: s.files.length, series_sets: s.sets,
      keys: s.keys, pending_points: s.pending.length, cut_at: Number.isFinite(s.cutAt) ? new Date(s.cutAt).toISOString() : null,
      seconds: (wall() - t0) / 1000 });
    return { newest: now, state: s, seed: a.seed };
  }
}

function attempt(path: string, pools: PoolLookup, log: Logger, wall: () => number): Attempt {
  let head: Buffer;
  try {
    head = readHead(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return err.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'bad', reason: err.message };
  }
  const restorer = new Restorer(pools);
  try {
    if (looksLegacy(head)) {
      const s = readLegacy(path);
      if (typeof s === 'string') return { kind: 'bad', reason: s };
      restorer.legacy(s);
      return { kind: 'ok', state: restorer.finish(log, path), cuts: 1, bytes: NaN, seed: null };
    }
    const scan = scanState(path);
    if (typeof scan === 'string') return { kind: 'bad', reason: scan };
    let next = wall() + 1000;
    applyState(path, scan, restorer, (at, total) => {
      if (wall() < next) return;
      next = wall() + 1000;
      log.info('Restoring state', { state_file: path, percent: Math.floor((100 * at) / total) });
    });
    if (scan.end < scan.size) log.info('State file ends with an incomplete or damaged cut: restored the one before it', { state_file: path, bytes_ignored: scan.size - scan.end });
    return { kind: 'ok', state: restorer.finish(log, path), cuts: scan.cuts.length, bytes: scan.end,
      seed: { path, end: scan.end, completeAt: scan.completeAt, lastSeq: scan.lastSeq } };
  } catch (e) {
    return { kind: 'bad', reason: (e as Error).message };
  }
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, b, 0, HEADER_BYTES, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Moves an unusable state file out of the way (kept for inspection). */
function moveAside(path: string, reason: string, log: Logger, wall: () => number): void {
  const aside = `${path}.corrupt-${new Date(wall()).toISOString().replace(/[:.]/g, '')}`;
  let moved = true;
  try { renameSync(path, aside); } catch { moved = false; }
  log.error(moved ? 'Unusable state file moved aside' : 'Unusable state file could not be moved aside',
    { state_file: path, moved_to: moved ? aside : null, error: reason });
}
