// --dry-run: the exact lines a pusher would send, one per line, on stdout. A point counts as sent
// once it is written (spec section 8). Bounded like every sink: write() returns false while the
// stream is over its high-water mark.
import type { Point, PointSink } from '../types.js';
import type { PushType } from '../config/types.js';
import { encodeLine, invalidReason } from '../push/encode.js';
import type { Series } from '../selfstats/registry.js';

export class DryRunSink implements PointSink {
  private waiting: Promise<void> | null = null;
  /** Batches handed to stdout whose write has not completed, oldest first. */
  private readonly unsent: Point[][] = [];

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly type: PushType,
    private readonly dropped?: Series,
  ) {}

  write(points: Point[]): boolean {
    // Encoded line by line into one buffer: cheaper than joining a large string and encoding it.
    let buf = Buffer.allocUnsafe(points.length * 128 + 1024);
    let off = 0;
    let dropped = 0;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const line = encodeLine(p, this.type);
      // Tag counts are bounded when the config loads; only a long line can break OpenTSDB's limits.
      if (line.length > 250 && invalidReason(p) !== null) { if (this.dropped) this.dropped.value++; dropped++; continue; }
      if (off + 3 * line.length + 1 > buf.length) {
        const bigger = Buffer.allocUnsafe(2 * buf.length + 3 * line.length + 1);
        buf.copy(bigger, 0, 0, off);
        buf = bigger;
      }
      off += buf.write(line, off, 'utf8');
      buf[off++] = 0x0a;
    }
    if (off === 0) return true;
    // Until stdout has taken a batch it is not sent: pending() reports it, so a checkpoint keeps it.
    this.unsent.push(dropped ? points.filter((p) => invalidReason(p) === null) : points);
    return this.out.write(buf.subarray(0, off), () => { this.unsent.shift(); });
  }

  waitDrain(): Promise<void> {
    if (!this.waiting) {
      this.waiting = new Promise<void>((resolve) => this.out.once('drain', () => { this.waiting = null; resolve(); }));
    }
    return this.waiting;
  }

  pending(): Point[] {
    return this.unsent.flat();
  }

  flush(): Promise<void> {
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
