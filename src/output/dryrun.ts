// --dry-run: the exact lines a pusher would send, one per line, on stdout. A point counts as sent
// once it is written (spec section 8). Bounded like every sink: write() returns false while the
// stream is over its high-water mark. Datapools write into LineWriters (newBatch), which encode their
// points straight into bytes.
import type { Point, PointBatch, PointSink } from '../core/types.js';
import type { PushType } from '../config/types.js';
import { LineCaches, LineWriter, decodeLines } from './format/opentsdb.js';
import type { Series } from '../selfstats/registry.js';

export class DryRunSink implements PointSink {
  private waiting: Promise<void> | null = null;
  /** Bytes handed to stdout whose write has not completed, oldest first. */
  private readonly unsent: Buffer[] = [];
  private readonly caches: LineCaches;
  /** For write(): points that come as objects (internal statistics, restored pending points). */
  private readonly lines: LineWriter;

  constructor(
    private readonly out: NodeJS.WritableStream,
    type: PushType,
    dropped?: Series,
  ) {
    this.caches = new LineCaches(type, undefined, dropped);
    this.lines = new LineWriter(this.caches);
  }

  write(points: Point[]): boolean {
    for (let i = 0; i < points.length; i++) this.lines.addPoint(points[i]!);
    return this.emit(this.lines);
  }

  newBatch(): PointBatch {
    return new LineWriter(this.caches);
  }

  writeBatch(batch: PointBatch): boolean {
    return batch instanceof LineWriter ? this.emit(batch) : this.write(batch.points());
  }

  private emit(w: LineWriter): boolean {
    if (w.bytes === 0) return true;
    const buf = w.take();
    // Until stdout has taken a batch it is not sent: pending() reports it, so a checkpoint keeps it.
    this.unsent.push(buf);
    return this.out.write(buf, () => { this.unsent.shift(); });
  }

  waitDrain(): Promise<void> {
    if (!this.waiting) {
      this.waiting = new Promise<void>((resolve) => this.out.once('drain', () => { this.waiting = null; resolve(); }));
    }
    return this.waiting;
  }

  pending(): Point[] {
    return this.unsent.flatMap((b) => decodeLines(b, this.caches.type));
  }

  flush(): Promise<void> {
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
