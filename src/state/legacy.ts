// Version-1 state files: one JSON document (the format before this one). Read so that an upgrade
// resumes where the previous version stopped; never written. The first cut after such a restore
// starts a new file, and the JSON one becomes the previous generation.
import { readFileSync } from 'node:fs';
import type { Point } from '../core/types.js';
import type { LegacyPoolState } from '../datapool/snapshot.js';

export interface LegacyState {
  version: 1;
  /** When the state was written (ISO time). */
  written?: string;
  files: unknown[];
  groups: Record<string, LegacyPoolState>;
  pending: Point[];
}

/** Whether the file looks like JSON (a version-1 state file) rather than the binary format. */
export function looksLegacy(head: Buffer): boolean {
  return head.length > 0 && head[0] === 0x7b; // '{'
}

/** The file's state, or why it cannot be used. */
export function readLegacy(path: string): LegacyState | string {
  let s: LegacyState;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as LegacyState;
  } catch (e) {
    return `not valid JSON: ${(e as Error).message}`;
  }
  if (!s || typeof s !== 'object' || s.version !== 1 || !Array.isArray(s.files) || typeof s.groups !== 'object' || !s.groups
    || !Array.isArray(s.pending)) {
    return 'not a version 1 state file';
  }
  return s;
}
