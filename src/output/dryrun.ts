// --dry-run: the exact lines a pusher would send, one per line, on stdout. A point counts as sent
// once it is written (spec section 8). Bounded like every sink: write() returns false while the
// stream is over its high-water mark.
import type { Point, PointSink } from '../types.js';
import type { PushType } from '../config/types.js';
import { LineWriter, invalidReason } from '../push/encode.js';
import type { Series } from '../selfstats/registry.js';

export class DryRunSink implements PointSink {
  private waiting: Promise<void> | null = null;
  /** Batches handed to stdout whose write has not completed, oldest first. */
  private readonly unsent: Point[][] = [];
  private readonly lines: LineWriter;

  constructor(
    private readonly out: NodeJS.WritableStream,
    type: PushType,
    private readonly dropped?: Series,
  ) {
    this.lines = new LineWriter(type);
  }

  write(points: Point[]): boolean {
    const w = this.lines;
    let dropped = 0;
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      // Tag counts are bounded when the config loads; only a long line can break OpenTSDB's limits.
      if (p.metric.length + p.tags.length + p.value.length > 200 && invalidReason(p) !== null) {
        if (this.dropped) this.dropped.value++;
        dropped++;
        continue;
      }
      w.add(p);
    }
    if (w.length === 0) return true;
    const buf = w.take();
    // Until stdout has taken a batch it is not sent: pending() reports it, so a checkpoint keeps it.
    this.unsent.push(dropped ? points.filter((p) => invalidReason(p) === null) : points);
    return this.out.write(buf, () => { this.unsent.shift(); });
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
