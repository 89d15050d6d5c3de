// OTLP/HTTP protobuf metrics (push_type otlp), field numbers as in the official opentelemetry-proto
// definitions (collector/metrics/v1, metrics/v1, resource/v1, common/v1; the tests decode with them):
//   ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
//   ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
//   Resource        { repeated KeyValue attributes = 1; }          host.name, service.name
//   ScopeMetrics    { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
//   Metric          { string name = 1; Gauge gauge = 5; }
//   Gauge           { repeated NumberDataPoint data_points = 1; }
//   NumberDataPoint { repeated KeyValue attributes = 7; fixed64 time_unix_nano = 3; double as_double = 4; }
//   KeyValue        { string key = 1; AnyValue value = 2; }   AnyValue { string string_value = 1; }
// Each point is one gauge data point at its log time; the points of one metric name in a request
// share one Metric. Replies: ExportMetricsServiceResponse { ExportMetricsPartialSuccess
// partial_success = 1 { int64 rejected_data_points = 1; string error_message = 2; } }.
import type { Point } from '../../core/types.js';
import { LEN, ProtoWriter, encodeField } from './protobuf.js';
import { ProtoReader } from './protoread.js';
import { metricName, NameCache } from './names.js';
import { parseTags } from './opentsdb.js';
import { quoteLabel } from './remotewrite.js';

const CACHE_MAX = 4096;
export const SCOPE_NAME = 'logmetrics-collector';

function keyValue(w: ProtoWriter, field: number, key: string, value: string): void {
  const kv = w.begin(field);
  w.string(1, key);
  const any = w.begin(2);
  w.string(1, value);
  w.end(any);
  w.end(kv);
}

export class OtlpEncoder {
  private readonly w = new ProtoWriter();
  private readonly names = new NameCache(metricName);
  private readonly attrs = new Map<string, Buffer>();
  private readonly head: Buffer;
  private lastTs = NaN;
  private lastNanos = 0n;

  /** `host`: the host.name resource attribute; `version`: the instrumentation scope's. */
  constructor(host: string, private readonly version: string) {
    this.head = encodeField((w) => {
      const res = w.begin(1);
      keyValue(w, 1, 'host.name', host);
      keyValue(w, 1, 'service.name', SCOPE_NAME);
      w.end(res);
    });
  }

  /** The ExportMetricsServiceRequest of `points` (the POST body). */
  body(points: readonly Point[]): Buffer {
    const byName = new Map<string, Point[]>();
    for (const p of points) {
      const list = byName.get(p.metric);
      if (list) list.push(p); else byName.set(p.metric, [p]);
    }
    const w = this.w;
    const rm = w.begin(1);
    w.raw(this.head);
    const sm = w.begin(2);
    const scope = w.begin(1);
    w.string(1, SCOPE_NAME);
    w.string(2, this.version);
    w.end(scope);
    for (const [metric, list] of byName) this.metric(metric, list);
    w.end(sm);
    w.end(rm);
    return w.take();
  }

  /** One point in the Prometheus text format, as --dry-run prints it (attribute names as they are). */
  text(p: Point): string {
    const pairs = Object.entries(parseTags(p.tags)).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const labels = pairs.map(([k, v]) => `${k}="${quoteLabel(v)}"`).join(',');
    return `${this.names.get(p.metric)}${labels ? `{${labels}}` : ''} ${p.value} ${p.ts * 1000}`;
  }

  private metric(metric: string, points: Point[]): void {
    const w = this.w;
    const m = w.begin(2);
    w.string(1, this.names.get(metric));
    const gauge = w.begin(5);
    for (const p of points) {
      const dp = w.begin(1);
      w.raw(this.attributes(p.tags));
      w.fixed64(3, this.nanos(p.ts));
      w.double(4, Number(p.value));
      w.end(dp);
    }
    w.end(gauge);
    w.end(m);
  }

  private attributes(tags: string): Buffer {
    let b = this.attrs.get(tags);
    if (b === undefined) {
      if (this.attrs.size >= CACHE_MAX) this.attrs.clear();
      b = encodeField((w) => { for (const [k, v] of Object.entries(parseTags(tags))) keyValue(w, 7, k, v); });
      this.attrs.set(tags, b);
    }
    return b;
  }

  private nanos(ts: number): bigint {
    if (ts !== this.lastTs) {
      this.lastTs = ts;
      this.lastNanos = BigInt(Math.round(ts * 1000)) * 1_000_000n;
    }
    return this.lastNanos;
  }
}

/** What an OTLP reply body says about rejected points: 2xx partial success, or an error's message. */
export interface OtlpReply {
  rejected: number;
  message: string;
}

/** Reads ExportMetricsServiceResponse.partial_success (2xx), or google.rpc.Status.message (errors). */
export function readOtlpReply(body: Uint8Array, ok: boolean): OtlpReply {
  const out: OtlpReply = { rejected: 0, message: '' };
  try {
    const r = new ProtoReader(body);
    for (let f = r.next(); f !== null; f = r.next()) {
      if (ok && f.field === 1 && f.wire === LEN) {
        const ps = new ProtoReader(r.bytes());
        for (let g = ps.next(); g !== null; g = ps.next()) {
          if (g.field === 1) out.rejected = ps.varint();
          else if (g.field === 2 && g.wire === LEN) out.message = ps.string();
          else ps.skip(g.wire);
        }
      } else if (!ok && f.field === 2 && f.wire === LEN) {
        out.message = r.string();
      } else {
        r.skip(f.wire);
      }
    }
  } catch {
    return { rejected: 0, message: '' };   // not protobuf: the caller shows the body as text
  }
  return out;
}
