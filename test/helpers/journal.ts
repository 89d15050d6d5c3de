// Real journal files for tests, without a running journald: entries are written in the Journal Export
// Format and fed to Debian's systemd-journal-remote (package systemd-journal-remote), which writes
// them into a .journal file; writing to the same file again appends.
import { isUtf8 } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';

/** One entry: its fields (strings or raw bytes). Trusted/address fields are added by exportEntries(). */
export type Fields = Record<string, string | Buffer>;

export interface EntryOptions {
  /** __REALTIME_TIMESTAMP in microseconds. */
  us: number;
  /** _BOOT_ID (32 hex digits); default one fixed boot. */
  boot?: string;
}

export const BOOT_A = '0123456789abcdef0123456789abcdef';
export const BOOT_B = 'fedcba9876543210fedcba9876543210';

let monotonic = 1;

/** A value is written in the binary form when it is not printable UTF-8 on one line (as journalctl does). */
function needsBinary(v: Buffer): boolean {
  if (!isUtf8(v)) return true;
  for (const b of v) if (b < 0x20 || b === 0x7f) return true;
  return false;
}

/** One field in the export format. */
export function exportField(name: string, value: string | Buffer): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (!needsBinary(v)) return Buffer.concat([Buffer.from(`${name}=`), v, Buffer.from('\n')]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(v.length));
  return Buffer.concat([Buffer.from(`${name}\n`), len, v, Buffer.from('\n')]);
}

/** Entries in the export format, each with __REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP and _BOOT_ID. */
export function exportEntries(entries: Array<{ fields: Fields } & EntryOptions>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(exportField('__REALTIME_TIMESTAMP', String(e.us)));
    parts.push(exportField('__MONOTONIC_TIMESTAMP', String(monotonic++)));
    parts.push(exportField('_BOOT_ID', e.boot ?? BOOT_A));
    for (const [k, v] of Object.entries(e.fields)) parts.push(exportField(k, v));
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/**
 * Writes (or appends) the entries to DIR/FILE with systemd-journal-remote. Throws with its stderr
 * when it fails.
 */
export function writeJournal(dir: string, entries: Array<{ fields: Fields } & EntryOptions>, file = 'remote.journal'): void {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync(JOURNAL_REMOTE, [`--output=${path.join(dir, file)}`, '-'], { input: exportEntries(entries), encoding: 'buffer' });
  if (r.status !== 0) throw new Error(`systemd-journal-remote failed (${r.status}): ${r.stderr.toString()}`);
}

/** `count` entries of one unit: MESSAGE from `message(i)`, one second apart from `startUs`. */
export function unitEntries(unit: string, count: number, message: (i: number) => string | Buffer, startUs: number,
  extra: (i: number) => Fields = () => ({})): Array<{ fields: Fields } & EntryOptions> {
  const out: Array<{ fields: Fields } & EntryOptions> = [];
  for (let i = 0; i < count; i++) {
    out.push({ us: startUs + i * 1_000_000, fields: { _SYSTEMD_UNIT: unit, _HOSTNAME: 'host1', PRIORITY: '6', MESSAGE: message(i), ...extra(i) } });
  }
  return out;
}
