// The file operations the state file needs, behind an interface so that tests can make any of them
// fail (ENOSPC, EIO, short writes) where a real disk cannot be made to on demand. Every write is
// checked: writeAll() retries the rest of a short write and turns a write that takes nothing into
// an error.
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';

export interface StateHandle {
  /** Writes from buf[offset, offset + length) at `position`; returns the bytes written (maybe fewer). */
  write(buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface StateFs {
  /** Creates (or empties) a file for reading and writing. */
  create(path: string): Promise<StateHandle>;
  /** Opens an existing file for reading. */
  open(path: string): Promise<StateHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
  /** Names of the entries of a directory. */
  list(dir: string): Promise<string[]>;
  /** Makes a rename in `dir` durable (best effort: not every file system can). */
  syncDir(dir: string): Promise<void>;
}

/** An error of the state file's writes, with the kind it is logged and counted under. */
export class WriteError extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
  }
}

export function errorKind(e: unknown): string {
  if (e instanceof WriteError) return e.kind;
  const code = (e as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** Writes all of `buf` at `position`, however many calls it takes. */
export async function writeAll(h: StateHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const n = await h.write(buf, done, buf.length - done, position + done);
    if (!(n > 0)) throw new WriteError('ESHORT', `short write: ${done} of ${buf.length} bytes, then nothing`);
    done += n;
  }
}

function handle(fh: fsp.FileHandle): StateHandle {
  return {
    write: async (buf, offset, length, position) => (await fh.write(buf, offset, length, position)).bytesWritten,
    read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead,
    datasync: () => fh.datasync(),
    truncate: (length) => fh.truncate(length),
    close: () => fh.close(),
  };
}

export const realFs: StateFs = {
  create: async (path) => handle(await fsp.open(path, 'w+', 0o640)),
  open: async (path) => handle(await fsp.open(path, 'r')),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  mkdir: async (dir) => { await fsp.mkdir(dir, { recursive: true }); },
  list: (dir) => fsp.readdir(dir),
  async syncDir(dir) {
    try {
      const fh = await fsp.open(dir, 'r');
      try { await fh.sync(); } finally { await fh.close(); }
    } catch { /* not supported everywhere */ }
  },
};

export const dirOf = dirname;
