// Wire encodings of a Point (spec section 7): the telnet `put` line (push_type tsd), the bare
// tcollector line, and the OpenTSDB `/api/put` JSON object. Also the OpenTSDB limits checked at run
// time (spec section 4): an over-long or over-tagged point is rejected here, before it is sent, so it
// can never make a server close the connection or drop a whole batch.
import stringify from 'fast-json-stable-stringify';
import { MAX_LINE_BYTES, MAX_TAGS } from '../../core/sanitize.js';
import type { PushType } from '../../config/types.js';
import type { Point, PointBatch } from '../../core/types.js';
import { FAST_VALUE_BYTES, formatFixed6, formatPlain, writeFixed6, writePlain } from '../../stats/format.js';

/** OpenTSDB's `/api/put` accepts many points per request; we keep each request to at most 50. */
export const HTTP_MAX_POINTS = 50;
/** Largest UDP datagram we send (tcollector's receive buffer); a line is never split across two. */
export const UDP_MAX_DATAGRAM = 8192;

/** `<metric> <ts> <value>[ <tags>]`: the part shared by both line formats. */
export function lineBody(p: Point): string {
  const head = `${p.metric} ${p.ts} ${p.value}`;
  return p.tags ? `${head} ${p.tags}` : head;
}

/** One line without its newline: `put ...` for tsd, bare for tcollector. */
export function encodeLine(p: Point, type: PushType): string {
  return type === 'tsd' ? 'put ' + lineBody(p) : lineBody(p);
}

export interface JsonPoint {
  metric: string;
  timestamp: number;
  value: number;
  tags: Record<string, string>;
}

/** "a=b c=d" -> { a: "b", c: "d" }. Tag values never contain '=' or spaces (sanitised upstream). */
export function parseTags(tags: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!tags) return out;
  for (const kv of tags.split(' ')) {
    if (!kv) continue;
    const eq = kv.indexOf('=');
    if (eq <= 0) out[kv] = '';
    else out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

export function toJsonPoint(p: Point): JsonPoint {
  return { metric: p.metric, timestamp: p.ts, value: Number(p.value), tags: parseTags(p.tags) };
}

/** The body of one `/api/put` request: a JSON array, keys in a stable order. */
export function encodeHttpBody(points: Point[]): string {
  return stringify(points.map(toJsonPoint));
}

/**
 * Why a point cannot be sent at all, or null. The line limit counts `put ` but not the newline and
 * applies whatever push_type and push_proto are, so what is dropped does not depend on the transport.
 */
export function invalidReason(p: Point): string | null {
  const bytes = 4 + Buffer.byteLength(lineBody(p));
  if (bytes > MAX_LINE_BYTES) return `line of ${bytes} bytes exceeds OpenTSDB's ${MAX_LINE_BYTES}`;
  let tagCount = 0;
  if (p.tags) for (const kv of p.tags.split(' ')) if (kv) tagCount++;
  if (tagCount > MAX_TAGS) return `${tagCount} tags exceed OpenTSDB's ${MAX_TAGS}`;
  if (!Number.isFinite(Number(p.value)) || p.value.trim() === '') return `value "${p.value}" is not a finite number`;
  return null;
}

/**
 * Packs newline-terminated lines into datagrams of at most `max` bytes, never splitting a line.
 * A line longer than `max` (impossible after invalidReason) would get a datagram of its own.
 */
export function packDatagrams(lines: string[], max = UDP_MAX_DATAGRAM): Array<{ buf: Buffer; count: number }> {
  const out: Array<{ buf: Buffer; count: number }> = [];
  let parts: Buffer[] = [];
  let size = 0;
  for (const line of lines) {
    const b = Buffer.from(line + '\n');
    if (size > 0 && size + b.length > max) {
      out.push({ buf: Buffer.concat(parts, size), count: parts.length });
      parts = [];
      size = 0;
    }
    parts.push(b);
    size += b.length;
  }
  if (size > 0) out.push({ buf: Buffer.concat(parts, size), count: parts.length });
  return out;
}

/**
 * The byte caches LineWriters share: metric-name heads ("put <metric> ", or "<metric> ") per
 * datapool name list, and tag tails (" <tags>\n", or "\n"). A key's names and tags repeat on every
 * push. The tag cache holds at most `maxCached` strings (then starts over), so it neither grows with
 * key cardinality nor keeps the tag strings of keys that went stale alive for long; the head cache
 * is keyed weakly by the configuration's name lists.
 */
export class LineCaches {
  readonly prefix: string;
  private readonly runs = new WeakMap<readonly string[], Uint8Array[]>();
  private readonly heads = new Map<string, Uint8Array>();
  private readonly tails = new Map<string, Uint8Array>();

  /**
   * @param dropped counts the points the writers leave out (over OpenTSDB's line limit, or not a
   *   finite number): pusher.send_errors for a pusher, dry_run.point_dropped for --dry-run
   */
  constructor(readonly type: PushType, private readonly maxCached = 4096, readonly dropped: { value: number } = { value: 0 }) {
    this.prefix = type === 'tsd' ? 'put ' : '';
  }

  head(metric: string): Uint8Array {
    return this.heads.get(metric) ?? cacheBytes(this.heads, metric, this.prefix + metric + ' ', this.maxCached);
  }

  tail(tags: string): Uint8Array {
    return this.tails.get(tags) ?? cacheBytes(this.tails, tags, tags ? ' ' + tags + '\n' : '\n', this.maxCached);
  }

  /** The heads of a datapool's name list, in its order. */
  runHeads(names: readonly string[]): Uint8Array[] {
    let h = this.runs.get(names);
    if (h === undefined) {
      h = names.map((m) => this.head(m));
      this.runs.set(names, h);
    }
    return h;
  }
}

/**
 * Encodes points as newline-terminated lines straight into bytes, for --dry-run (which prints a whole
 * replay through it): as a datapool's PointBatch, values are printed as ASCII digits with no string
 * in between; `addPoint` takes Point objects (internal statistics, restored pending points). Same
 * bytes as `encodeLine(p, type) + '\n'` in UTF-8, and a point invalidReason() refuses is left out
 * (counted in the caches' `dropped`).
 */
export class LineWriter implements PointBatch {
  private buf = Buffer.allocUnsafe(1 << 10); // grows to what the group needs: 10,000 idle groups must not hold 64 KB each
  private off = 0;
  private count = 0;
  lastTs = -Infinity;
  private readonly caches: LineCaches;
  private ts = NaN;
  /** "<ts> " for the last timestamp written: its bytes (in a reused buffer) and their number. */
  private tsBytes = new Uint8Array(FAST_VALUE_BYTES);
  private tsLen = 0;
  private heads: Uint8Array[] = [];
  private tail: Uint8Array = new Uint8Array(0);

  constructor(type: PushType | LineCaches, maxCached = 4096) {
    this.caches = type instanceof LineCaches ? type : new LineCaches(type, maxCached);
  }

  /** Points written since the last take(). */
  get length(): number {
    return this.count;
  }

  /** Bytes written since the last take(). */
  get bytes(): number {
    return this.off;
  }

  begin(names: readonly string[], tags: string, ts: number): void {
    this.heads = this.caches.runHeads(names);
    this.tail = this.caches.tail(tags);
    this.stamp(ts);
  }

  add(stat: number, value: number, fixed6: boolean): void {
    const head = this.heads[stat]!;
    const tail = this.tail;
    const start = this.off;
    const off = this.startLine(head, FAST_VALUE_BYTES, tail);
    const end = fixed6 ? writeFixed6(value, this.buf, off) : writePlain(value, this.buf, off);
    if (end >= 0) {
      this.off = copy(tail, this.buf, end);
      this.count++;
    } else if (Number.isFinite(value)) {
      // Off the fast paths (huge magnitudes, exact ties): print the string.
      this.line(head, fixed6 ? formatFixed6(value) : formatPlain(value), tail);
    } else {
      this.caches.dropped.value++;
      return;
    }
    if (this.off - start > LONG_LINE) this.checkLast(start);
  }

  /** Appends one point's line (or leaves it out, counted, when invalidReason() refuses it). */
  addPoint(p: Point): void {
    const head = this.caches.head(p.metric);
    const tail = this.caches.tail(p.tags);
    // Tag counts are bounded when the config loads; only a long line can break OpenTSDB's limits.
    if (p.metric.length + p.tags.length + p.value.length > LONG_LINE && invalidReason(p) !== null) {
      this.caches.dropped.value++;
      return;
    }
    this.stamp(p.ts);
    this.line(head, p.value, tail);
  }

  private line(head: Uint8Array, value: string, tail: Uint8Array): void {
    const off = this.startLine(head, 3 * value.length, tail);
    this.off = copy(tail, this.buf, writeAscii(value, this.buf, off));
    this.count++;
  }

  /** Makes room for a line whose value takes up to `valueBytes`, writes its head and timestamp, and returns where the value goes. */
  private startLine(head: Uint8Array, valueBytes: number, tail: Uint8Array): number {
    const need = head.length + this.tsLen + valueBytes + tail.length;
    if (this.off + need > this.buf.length) this.grow(need);
    return this.copyTs(copy(head, this.buf, this.off));
  }

  /** The points written so far, decoded back from their lines (the checkpoint's pending list). */
  points(): Point[] {
    return decodeLines(this.take(), this.caches.type);
  }

  /** The lines written so far, as a new Buffer; the writer starts over empty. */
  take(): Buffer {
    let out: Buffer;
    if (this.buf.length > 1 << 20) {
      // grown for a big flush: hand the buffer over rather than copy it and keep it
      out = this.buf.subarray(0, this.off);
      this.buf = Buffer.allocUnsafe(1 << 16);
    } else {
      out = Buffer.from(this.buf.subarray(0, this.off));
    }
    this.off = 0;
    this.count = 0;
    this.lastTs = -Infinity;
    return out;
  }

  private stamp(ts: number): void {
    // Points come in runs with one timestamp (a key's statistics, the keys pushed at one tick).
    if (ts !== this.ts) {
      this.ts = ts;
      let end = Number.isInteger(ts) ? writePlain(ts, this.tsBytes, 0) : -1;
      if (end < 0) {
        const b = Buffer.from(String(ts) + ' ', 'latin1');
        if (b.length > this.tsBytes.length) this.tsBytes = new Uint8Array(b.length);
        this.tsBytes.set(b);
        end = b.length - 1;
      }
      this.tsBytes[end] = 32;
      this.tsLen = end + 1;
    }
    this.lastTs = ts;
  }

  private copyTs(off: number): number {
    const b = this.tsBytes;
    const buf = this.buf;
    for (let i = 0; i < this.tsLen; i++) buf[off + i] = b[i]!;
    return off + this.tsLen;
  }

  /** The line just written from `start` is long: take it back if OpenTSDB's line limit refuses it. */
  private checkLast(start: number): void {
    // The limit counts "put " and not the newline, whatever push_type is.
    const bytes = this.off - start - 1 + (this.caches.prefix ? 0 : 4);
    if (bytes > MAX_LINE_BYTES) {
      this.off = start;
      this.count--;
      this.caches.dropped.value++;
    }
  }

  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.off + need));
    this.buf.copy(bigger, 0, 0, this.off);
    this.buf = bigger;
  }
}

/** Lines longer than this (bytes, newline included) are checked against OpenTSDB's limits. */
const LONG_LINE = 200;

/** Points from lines LineWriter wrote (metric names and tag values never contain a space). */
export function decodeLines(buf: Buffer, type: PushType): Point[] {
  const out: Point[] = [];
  const skip = type === 'tsd' ? 4 : 0;
  for (const line of buf.toString('utf8').split('\n')) {
    if (!line) continue;
    const a = line.indexOf(' ', skip);
    const b = line.indexOf(' ', a + 1);
    let c = line.indexOf(' ', b + 1);
    if (c < 0) c = line.length;
    out.push({ metric: line.slice(skip, a), ts: Number(line.slice(a + 1, b)), value: line.slice(b + 1, c), tags: line.slice(c + 1) });
  }
  return out;
}

/** Caches the UTF-8 bytes of `text` under `key` (the cache starts over when full) and returns them. */
function cacheBytes(cache: Map<string, Uint8Array>, key: string, text: string, max: number): Uint8Array {
  if (cache.size >= max) cache.clear();
  const b = Buffer.from(text, 'utf8');
  cache.set(key, b);
  return b;
}

function copy(src: Uint8Array, dst: Uint8Array, off: number): number {
  const n = src.length;
  if (n > 8) { dst.set(src, off); return off + n; }
  for (let i = 0; i < n; i++) dst[off + i] = src[i]!;
  return off + n;
}

/** A formatted value: ASCII in practice; anything else goes through the UTF-8 encoder. */
function writeAscii(s: string, dst: Buffer, off: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return off + dst.write(s, off, 'utf8');
    dst[off + i] = c;
  }
  return off + n;
}
