// Plain data that crosses stage boundaries: line batch -> (extraction) -> data points -> batches.

/** One point as it will be sent: metric name, log-time seconds, formatted value, tags "a=b c=d". */
export interface Point {
  metric: string;
  ts: number;
  value: string;
  tags: string;   // already sanitised, "name=value" joined by single spaces, never empty for user keys
}

/** Identity of a tailed file: device, inode and a fingerprint of its first bytes. */
export interface FileIdentity {
  dev: number;
  ino: number;
  fingerprint: string; // hex digest of the first min(size, 1024) bytes ("" while the file is empty)
}

/** A run of complete lines read from one file. */
export interface LineBatch {
  path: string;
  lines: string[];      // complete lines, newline (and a trailing \r) removed, decoded as UTF-8
  startOffset: number;  // byte offset of the first line
  endOffset: number;    // byte offset just after the last line's newline (a line boundary)
  bytes: number;        // bytes consumed by this batch, skipped long lines included
  skippedLong: number;  // lines over max_line_bytes skipped whole in this batch (not in `lines`)
}

/**
 * Where a datapool writes the points of its pushes, a key's statistics at a time: Point objects for
 * the pushers (output/pointlist.ts), bytes for --dry-run (output/format/opentsdb.ts: no object or value string per
 * point). The sink that made it empties it in writeBatch().
 */
export interface PointBatch {
  /** Points added since the batch was last emptied. */
  readonly length: number;
  /** Timestamp of the last point added. */
  readonly lastTs: number;
  /** Starts one key's points: its metric names (indexed by statistic), its tags and their timestamp. */
  begin(names: readonly string[], tags: string, ts: number): void;
  /** One point of the current key: names[stat], printed with 6 decimals (`fixed6`) or plain. */
  add(stat: number, value: number, fixed6: boolean): void;
  /** Takes the points added so far as objects; the batch starts over empty. */
  points(): Point[];
}

/**
 * Where points go: the pusher pool, or stdout for --dry-run. Bounded: write() returns false once the
 * queue is at or over its capacity, and the caller waits for waitDrain() before producing more
 * (the Node stream contract). Nothing is ever dropped for being full.
 */
export interface PointSink {
  write(points: Point[]): boolean;
  /** An empty batch for a datapool to fill; writeBatch() takes its points and returns what write() would. */
  newBatch(): PointBatch;
  writeBatch(batch: PointBatch): boolean;
  waitDrain(): Promise<void>;
  /** Points accepted by write() but not yet sent (for the checkpoint's consistent cut). */
  pending(): Point[];
  /** Resolves once every point written so far is sent or rejected. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
