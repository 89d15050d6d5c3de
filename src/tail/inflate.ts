// A compressed file's content as a queue of decompressed bytes, filled in the background: the file
// is read and decompressed by Node's zlib on the libuv thread pool (off the main thread), at most
// READ_AHEAD bytes ahead of the reader. take(n) hands out exactly n bytes (fewer only at the end),
// so what a reader gets does not depend on how fast the thread pool was: a replay stays
// byte-for-byte reproducible.
//
// Damage. zlib reports a corrupt stream after the call that hit it, and that call's output (up to
// one 64 KB chunk) is lost with it. So on a data error the file is decompressed once more, feeding
// the input in smaller and smaller pieces from where the failing call began (512 bytes, then 1), and
// the output up to the damage is salvaged: the lines before the damage count. A truncated stream
// ("unexpected end of file") has already given all its output.
import * as fs from 'node:fs';
import { decompressor, type Format } from './format.js';

const CHUNK = 64 * 1024;
const READ_AHEAD = 1 << 20;
const RESUME_BELOW = 256 * 1024;

export class Inflater {
  /** Decompressed bytes produced so far (salvaged ones included). */
  produced = 0;
  /** Set once no more bytes will come. */
  ended = false;
  /** The error that ended the stream early (corrupt or truncated), if any. */
  damage: Error | null = null;
  private q: Buffer[] = [];
  private qOff = 0;
  private buffered = 0;
  private waiter: (() => void) | null = null;
  private closed = false;
  private readonly input: fs.ReadStream;
  private readonly z: NonNullable<ReturnType<typeof decompressor>>;

  constructor(private readonly fsPath: string | Buffer, fd: number, private readonly format: Format) {
    const z = decompressor(format, CHUNK);
    if (!z) throw new Error(`cannot decompress ${format}`);
    this.z = z;
    this.input = fs.createReadStream('', { fd, start: 0, highWaterMark: CHUNK, autoClose: true });
    z.on('data', (b: Buffer) => this.add(b));
    z.on('end', () => this.finish(null));
    z.on('error', (e: Error) => { void this.onError(e); });
    this.input.on('error', (e: Error) => this.finish(e));
    this.input.pipe(z);
  }

  /** Compressed bytes consumed so far. */
  get inputRead(): number { return this.z.bytesWritten; }

  /** Bytes ready to take. */
  get available(): number { return this.buffered; }

  /** Resolves once `n` bytes are ready or the stream has ended. */
  async need(n: number): Promise<void> {
    while (this.buffered < n && !this.ended && !this.closed) {
      await new Promise<void>((r) => { this.waiter = r; });
    }
  }

  /** Up to n bytes from the front of the queue: a view when one buffer holds them, else a copy into `scratch`. */
  take(n: number, scratch: Buffer): Buffer {
    n = Math.min(n, this.buffered);
    const first = this.q[0];
    let out: Buffer;
    if (first && first.length - this.qOff >= n) {
      out = first.subarray(this.qOff, this.qOff + n);
      this.qOff += n;
      if (this.qOff === first.length) { this.q.shift(); this.qOff = 0; }
    } else {
      out = scratch.length >= n ? scratch.subarray(0, n) : Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const b = this.q[0]!;
        const k = Math.min(n - got, b.length - this.qOff);
        b.copy(out, got, this.qOff, this.qOff + k);
        got += k;
        this.qOff += k;
        if (this.qOff === b.length) { this.q.shift(); this.qOff = 0; }
      }
    }
    this.buffered -= n;
    if (this.buffered < RESUME_BELOW && this.z.isPaused() && !this.ended) this.z.resume();
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.q = [];
    this.buffered = 0;
    this.input.destroy();
    this.z.destroy();
    this.wake();
  }

  private add(b: Buffer): void {
    if (this.closed) return;
    this.q.push(b);
    this.buffered += b.length;
    this.produced += b.length;
    if (this.buffered >= READ_AHEAD) this.z.pause();
    this.wake();
  }

  private async onError(e: Error): Promise<void> {
    if (this.closed || this.ended) return;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'Z_BUF_ERROR') {
      try {
        const more = await salvage(this.fsPath, this.format, this.z.bytesWritten, this.produced);
        if (more.length) this.add(more);
      } catch { /* the first error is the one reported */ }
    }
    this.finish(e);
  }

  private finish(e: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    if (e) this.damage = e;
    this.input.destroy();
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

/**
 * The output of a damaged stream beyond its first `have` bytes, up to the damage: decompressed again
 * from the start, the input before `from` (where the failing call began) in large pieces, then in
 * pieces of 512 bytes, then of 1 byte from where the failing 512-byte piece began.
 */
async function salvage(fsPath: string | Buffer, format: Format, from: number, have: number): Promise<Buffer> {
  let out: Buffer = Buffer.alloc(0);
  for (const piece of [512, 1]) {
    const r = await pass(fsPath, format, from, piece, have);
    out = r.out;
    from = r.failedAt;
  }
  return out;
}

/** One salvage pass: the output beyond `have`, and the input offset at which the failing call began. */
async function pass(fsPath: string | Buffer, format: Format, from: number, piece: number, have: number): Promise<{ out: Buffer; failedAt: number }> {
  const z = decompressor(format, CHUNK)!;
  const kept: Buffer[] = [];
  let seen = 0;
  z.on('data', (b: Buffer) => {
    if (seen + b.length > have) kept.push(seen >= have ? b : b.subarray(have - seen));
    seen += b.length;
  });
  let failed = false;
  let onFail: (() => void) | null = null;
  z.on('error', () => { failed = true; onFail?.(); });
  // the write that hits the damage never calls back: the error event settles it
  const write = (b: Buffer) => new Promise<void>((res) => { onFail = res; z.write(b, () => res()); });
  const fh = await fs.promises.open(fsPath, 'r');
  try {
    const big = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    while (!failed) {
      const want = pos < from ? Math.min(big.length, from - pos) : piece;
      const { bytesRead } = await fh.read(big, 0, want, pos);
      if (bytesRead === 0) break;
      await write(Buffer.from(big.subarray(0, bytesRead)));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
    z.destroy();
  }
  return { out: Buffer.concat(kept), failedAt: z.bytesWritten };
}
