// Decoders for what the pushers send. OTLP: the official opentelemetry-proto definitions, as compiled
// by protobufjs and shipped in @opentelemetry/otlp-transformer 0.217 (the last release that ships
// them). Prometheus remote write: prompb's WriteRequest, declared here for protobufjs (four messages).
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

interface Decoder<T> { decode(b: Uint8Array): unknown; toObject(m: unknown, o: object): T; encode(o: unknown): { finish(): Uint8Array }; fromObject(o: unknown): unknown }

/** opentelemetry.proto.* from the official definitions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const otel: any = require('@opentelemetry/otlp-transformer/build/src/generated/root.js').opentelemetry.proto;

export interface OtlpKeyValue { key: string; value: { stringValue?: string } }
export interface OtlpRequest {
  resourceMetrics: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeMetrics: Array<{
      scope: { name: string; version: string };
      metrics: Array<{ name: string; gauge?: { dataPoints: Array<{ attributes: OtlpKeyValue[]; timeUnixNano: string; asDouble?: number; asInt?: string }> } }>;
    }>;
  }>;
}

export function decodeOtlp(body: Uint8Array): OtlpRequest {
  const T = otel.collector.metrics.v1.ExportMetricsServiceRequest as Decoder<OtlpRequest>;
  return T.toObject(T.decode(body), { longs: String, defaults: false });
}

/** An ExportMetricsServiceResponse with a partial success, encoded with the official definitions. */
export function otlpPartialSuccess(rejected: number, message: string): Uint8Array {
  const T = otel.collector.metrics.v1.ExportMetricsServiceResponse as Decoder<unknown>;
  return T.encode(T.fromObject({ partialSuccess: { rejectedDataPoints: rejected, errorMessage: message } })).finish();
}

const prompb = protobuf.Root.fromJSON({ nested: { prometheus: { nested: {
  WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
  TimeSeries: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 } } },
  Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
  Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
} } } });

export interface WriteRequest {
  timeseries: Array<{ labels: Array<{ name: string; value: string }>; samples: Array<{ value?: number; timestamp: number }> }>;
}

export function decodeWriteRequest(raw: Uint8Array): WriteRequest {
  const T = prompb.lookupType('prometheus.WriteRequest');
  return T.toObject(T.decode(raw), { longs: Number, defaults: true }) as WriteRequest;
}
