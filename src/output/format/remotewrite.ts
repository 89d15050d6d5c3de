// Prometheus remote write 1.0 (push_type remote_write): a prompb.WriteRequest, snappy block-compressed.
//   WriteRequest { repeated TimeSeries timeseries = 1; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   Label        { string name = 1; string value = 2; }   sorted by name, __name__ included
//   Sample       { double value = 1; int64 timestamp = 2; } milliseconds
// One TimeSeries per point, stamped with the point's log time. A key's metric names and tags repeat
// on every push, so their encoded labels are cached (bounded) and copied.
import type { Point } from '../../core/types.js';
import { LEN, ProtoWriter, encodeField, varintSize } from './protobuf.js';
import { labelName, metricName } from './names.js';
import { parseTags } from './opentsdb.js';
import { compress } from './snappy.js';

const CACHE_MAX = 4096;

/** A tag string's labels in Prometheus order: those sorting before `__name__`, and after it. */
interface Labels {
  before: Buffer;
  after: Buffer;
  text: string;   // `a="x",b="y"` for the text form
}

/** `[name, value]` pairs of a tag string, names mapped to label names, sorted by name. */
export function labelPairs(tags: string): Array<[string, string]> {
  return Object.entries(parseTags(tags)).map(([k, v]) => [labelName(k), v] as [string, string])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function encodeLabel(name: string, value: string): Buffer {
  return encodeField((w) => {
    const at = w.begin(1);
    w.string(1, name);
    w.string(2, value);
    w.end(at);
  });
}

/** A label value in the text format: backslash, double quote and newline escaped. */
export function quoteLabel(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function cached<T>(m: Map<string, T>, key: string, make: (k: string) => T): T {
  let v = m.get(key);
  if (v === undefined) {
    if (m.size >= CACHE_MAX) m.clear();
    v = make(key);
    m.set(key, v);
  }
  return v;
}

export class RemoteWriteEncoder {
  private readonly w = new ProtoWriter();
  private readonly names = new Map<string, Buffer>();
  private readonly labels = new Map<string, Labels>();

  /** The snappy-compressed WriteRequest of `points` (the POST body). */
  body(points: readonly Point[]): Buffer {
    this.write(points);
    const out = compress(this.w.view());
    this.w.pos = 0;
    return out;
  }

  /** The uncompressed WriteRequest. */
  request(points: readonly Point[]): Buffer {
    this.write(points);
    return this.w.take();
  }

  private write(points: readonly Point[]): void {
    const w = this.w;
    // A key's statistics come one after the other with the same tags: look them up once a run.
    let tags: string | null = null;
    let l: Labels | null = null;
    for (const p of points) {
      const name = cached(this.names, p.metric, (m) => encodeLabel('__name__', metricName(m)));
      if (p.tags !== tags) { tags = p.tags; l = cached(this.labels, tags, makeLabels); }
      const ms = p.ts * 1000;
      const sampleLen = 10 + varintSize(ms);
      const seriesLen = name.length + l!.before.length + l!.after.length + 1 + varintSize(sampleLen) + sampleLen;
      w.tag(1, LEN);
      w.ensure(8);
      w.varint(seriesLen);
      w.raw(l!.before);
      w.raw(name);
      w.raw(l!.after);
      w.tag(2, LEN);
      w.ensure(8);
      w.varint(sampleLen);
      w.double(1, Number(p.value));
      w.uint(2, ms);
    }
  }

  /** One point in the Prometheus text format, as --dry-run prints it: `name{a="x"} value ms`. */
  text(p: Point): string {
    const l = cached(this.labels, p.tags, makeLabels);
    return `${metricName(p.metric)}${l.text ? `{${l.text}}` : ''} ${p.value} ${p.ts * 1000}`;
  }
}

function makeLabels(tags: string): Labels {
  const pairs = labelPairs(tags);
  const enc = (ps: Array<[string, string]>) => Buffer.concat(ps.map(([k, v]) => encodeLabel(k, v)));
  return {
    before: enc(pairs.filter(([k]) => k < '__name__')),
    after: enc(pairs.filter(([k]) => k > '__name__')),
    text: pairs.map(([k, v]) => `${k}="${quoteLabel(v)}"`).join(','),
  };
}
