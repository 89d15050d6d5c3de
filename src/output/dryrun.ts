// --dry-run: the exact lines a pusher would send, one per line, on stdout. A point counts as sent
// once it is written (spec section 8). Bounded like every sink: write() returns false while the
// stream is over its high-water mark.
import type { Point, PointSink } from '../types.js';
import type { PushType } from '../config/types.js';
import { encodeLine, invalidReason } from '../push/encode.js';
import type { Series } from '../selfstats/registry.js';

export class DryRunSink implements PointSink {
  private waiting: Promise<void> | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly type: PushType,
    private readonly dropped?: Series,
  ) {}

  write(points: Point[]): boolean {
    let s = '';
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      const line = encodeLine(p, this.type);
      // Tag counts are bounded when the config loads; only a long line can break OpenTSDB's limits.
      if (line.length > 250 && invalidReason(p) !== null) { if (this.dropped) this.dropped.value++; continue; }
      s += line + '\n';
    }
    if (s.length === 0) return true;
    return this.out.write(s);
  }

  waitDrain(): Promise<void> {
    if (!this.waiting) {
      this.waiting = new Promise<void>((resolve) => this.out.once('drain', () => { this.waiting = null; resolve(); }));
    }
    return this.waiting;
  }

  pending(): Point[] {
    return [];
  }

  flush(): Promise<void> {
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
