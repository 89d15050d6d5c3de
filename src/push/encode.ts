// Wire encodings of a Point (spec section 7): the telnet `put` line (push_type tsd), the bare
// tcollector line, and the OpenTSDB `/api/put` JSON object. Also the OpenTSDB limits checked at run
// time (spec section 4): an over-long or over-tagged point is rejected here, before it is sent, so it
// can never make a server close the connection or drop a whole batch.
import stringify from 'fast-json-stable-stringify';
import { MAX_LINE_BYTES, MAX_TAGS } from '../sanitize.js';
import type { PushType } from '../config/types.js';
import type { Point } from '../types.js';

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
 * Encodes points as newline-terminated lines straight into bytes, for a sink that writes many points
 * at once (--dry-run prints a whole replay through it). Metric names and tag strings repeat on every
 * push of a key, so their UTF-8 bytes are cached; timestamps and values are ASCII and copied as they
 * are. Same bytes as `encodeLine(p, type) + '\n'` encoded as UTF-8. Each cache holds at most
 * `maxCached` strings (then starts over), so it neither grows with key cardinality nor keeps the
 * tag strings of keys that went stale alive for long.
 */
export class LineWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private off = 0;
  /** metric -> bytes of "put <metric> " (or "<metric> "). */
  private readonly heads = new Map<string, Uint8Array>();
  /** tags -> bytes of " <tags>\n" (or "\n"). */
  private readonly tails = new Map<string, Uint8Array>();
  private ts = NaN;
  /** Bytes of "<ts> " for the last timestamp written. */
  private tsBytes: Uint8Array = new Uint8Array(0);
  private readonly prefix: string;

  constructor(type: PushType, private readonly maxCached = 4096) {
    this.prefix = type === 'tsd' ? 'put ' : '';
  }

  /** Appends one point's line. */
  add(p: Point): void {
    let head = this.heads.get(p.metric);
    if (head === undefined) head = cacheBytes(this.heads, p.metric, this.prefix + p.metric + ' ', this.maxCached);
    let tail = this.tails.get(p.tags);
    if (tail === undefined) tail = cacheBytes(this.tails, p.tags, p.tags ? ' ' + p.tags + '\n' : '\n', this.maxCached);
    // Points come in runs with one timestamp (a key's statistics, the keys pushed at one tick).
    if (p.ts !== this.ts) { this.ts = p.ts; this.tsBytes = Buffer.from(String(p.ts) + ' ', 'latin1'); }
    const value = p.value;
    const need = head.length + this.tsBytes.length + 3 * value.length + tail.length;
    if (this.off + need > this.buf.length) this.grow(need);
    const buf = this.buf;
    let off = copy(head, buf, this.off);
    off = copy(this.tsBytes, buf, off);
    off = writeAscii(value, buf, off);
    this.off = copy(tail, buf, off);
  }

  /** Bytes written since the last take(). */
  get length(): number {
    return this.off;
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
    return out;
  }

  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.off + need));
    this.buf.copy(bigger, 0, 0, this.off);
    this.buf = bigger;
  }
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
