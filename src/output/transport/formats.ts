// The HttpFormat of each HTTP write protocol: path and query, headers, body encoder, and where the
// server puts its reason. Built once per pool from the settings.
import type { Settings } from '../../config/types.js';
import { InfluxEncoder } from '../format/influx.js';
import { OtlpEncoder, readOtlpReply } from '../format/otlp.js';
import { RemoteWriteEncoder } from '../format/remotewrite.js';
import type { Reply } from './httpclient.js';
import type { HttpFormat } from './httpwrite.js';

export type FormatSettings = Pick<Settings, 'push_type' | 'push_path' | 'push_influx_db' | 'push_influx_org' | 'push_influx_bucket'>;

/** Host name and version for OTLP's resource and scope. */
export interface Origin { host: string; version: string }

/** A fresh format (encoders keep buffers and caches: one per transport). */
export function httpFormat(s: FormatSettings, origin: Origin): HttpFormat {
  switch (s.push_type) {
    case 'remote_write': return remoteWrite(s.push_path || '/api/v1/write');
    case 'influx': return influx(s);
    case 'otlp': return otlp(s.push_path || '/v1/metrics', origin);
    default: throw new Error(`push_type ${s.push_type} has no HTTP write format`);
  }
}

const text = (r: Reply) => r.body.toString('utf8');

function remoteWrite(path: string): HttpFormat {
  const enc = new RemoteWriteEncoder();
  return {
    path,
    headers: {
      'content-type': 'application/x-protobuf', 'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0', 'user-agent': 'logmetrics-collector',
    },
    body: (points) => enc.body(points),
    reason: text,
  };
}

function withQuery(path: string, q: Record<string, string | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== null) params.set(k, v);
  return path + (path.includes('?') ? '&' : '?') + params.toString();
}

function influx(s: FormatSettings): HttpFormat {
  const enc = new InfluxEncoder();
  const v2 = s.push_influx_bucket !== null;
  const path = v2
    ? withQuery(s.push_path || '/api/v2/write', { org: s.push_influx_org, bucket: s.push_influx_bucket, precision: 's' })
    : withQuery(s.push_path || '/write', { db: s.push_influx_db, precision: 's' });
  return {
    path,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': 'logmetrics-collector' },
    body: (points) => enc.body(points),
    reason: (r) => jsonField(text(r), ['error', 'message']),
  };
}

function otlp(path: string, origin: Origin): HttpFormat {
  const enc = new OtlpEncoder(origin.host, origin.version);
  const isProto = (r: Reply) => r.type.startsWith('application/x-protobuf') || r.type.startsWith('application/protobuf');
  return {
    path,
    headers: { 'content-type': 'application/x-protobuf', 'user-agent': 'logmetrics-collector' },
    body: (points) => enc.body(points),
    reason: (r) => (isProto(r) ? readOtlpReply(r.body, false).message || `(${r.body.length} bytes of protobuf)` : jsonField(text(r), ['message'])),
    refused: (r) => {
      if (!isProto(r)) return { count: 0, reason: '' };
      const o = readOtlpReply(r.body, true);
      return { count: o.rejected, reason: o.message };
    },
  };
}

/** The first of `fields` in a JSON object body, else the body as it is. */
function jsonField(body: string, fields: string[]): string {
  try {
    const o = JSON.parse(body) as Record<string, unknown>;
    for (const f of fields) if (typeof o?.[f] === 'string') return o[f] as string;
  } catch { /* not JSON */ }
  return body;
}
