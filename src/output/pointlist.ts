// A datapool's points as Point objects, for the pushers (which encode them as put lines, tcollector
// lines or /api/put JSON, and keep them queued until sent). --dry-run uses LineWriter instead, which
// encodes the same points straight into bytes.
import type { Point, PointBatch } from '../core/types.js';
import { formatFixed6, formatPlain } from '../stats/format.js';

export class PointList implements PointBatch {
  private list: Point[] = [];
  private names: readonly string[] = [];
  private tags = '';
  /** The current key's timestamp. */
  lastTs = -Infinity;

  get length(): number {
    return this.list.length;
  }

  begin(names: readonly string[], tags: string, ts: number): void {
    this.names = names;
    this.tags = tags;
    this.lastTs = ts;
  }

  add(stat: number, value: number, fixed6: boolean): void {
    this.list.push({ metric: this.names[stat]!, ts: this.lastTs, value: fixed6 ? formatFixed6(value) : formatPlain(value), tags: this.tags });
  }

  points(): Point[] {
    const out = this.list;
    this.list = [];
    return out;
  }
}
