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
