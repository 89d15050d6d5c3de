// --dry-run for push_type remote_write, influx and otlp: each point as format/text.ts prints it, one
// per line on stdout (what tsd and tcollector print goes through dryrun.ts's byte writer instead). A
// point counts as sent once stdout took it (spec section 8); until then pending() reports it. Points
// a pusher would refuse to send (OpenTSDB's limits, as for every push_type) are left out and counted.
import type { Point, PointBatch, PointSink } from '../core/types.js';
import type { PushType } from '../config/types.js';
import { invalidReason } from './format/opentsdb.js';
import { pointText } from './format/text.js';
import { PointList } from './pointlist.js';

export class TextDryRunSink implements PointSink {
  private waiting: Promise<void> | null = null;
  /** Points handed to stdout whose write has not completed, oldest first. */
  private readonly unsent: Point[][] = [];
  private readonly text: (p: Point) => string;

  constructor(private readonly out: NodeJS.WritableStream, type: PushType, private readonly dropped: { value: number } = { value: 0 }) {
    this.text = pointText(type);
  }

  write(points: Point[]): boolean {
    let s = '';
    const kept: Point[] = [];
    for (const p of points) {
      if (invalidReason(p) !== null) { this.dropped.value++; continue; }
      s += this.text(p) + '\n';
      kept.push(p);
    }
    if (kept.length === 0) return true;
    this.unsent.push(kept);
    return this.out.write(s, () => { this.unsent.shift(); });
  }

  newBatch(): PointBatch {
    return new PointList();
  }

  writeBatch(batch: PointBatch): boolean {
    return this.write(batch.points());
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
