// OTLP/HTTP protobuf, decoded with the official opentelemetry-proto definitions: one resource with
// host.name and service.name, one scope, one gauge per metric name holding a data point per point at
// its log time; partial-success and error replies read back.
import { describe, expect, it } from 'vitest';
import { OtlpEncoder, readOtlpReply } from '../../../src/output/format/otlp.js';
import { decodeOtlp, otlpPartialSuccess } from '../../helpers/protos.js';
import { samplePoints } from '../../helpers/victoria.js';

describe('otlp', () => {
  it('encodes gauges at log time under the resource of this host', () => {
    const enc = new OtlpEncoder('web-1.example', '1.2.3');
    const req = decodeOtlp(enc.body([
      { metric: 'rest.api.executions.count', ts: 1391745780, value: '4', tags: 'call=getUser host=api1' },
      { metric: 'rest.api.executions.rate._1min', ts: 1391745780, value: '0.200000', tags: 'call=getUser host=api1' },
      { metric: 'rest.api.executions.count', ts: 1391745795, value: '6', tags: 'call=addItem data.center=eu' },
    ]));
    expect(req.resourceMetrics.length).toBe(1);
    const rm = req.resourceMetrics[0]!;
    expect(rm.resource.attributes).toEqual([
      { key: 'host.name', value: { stringValue: 'web-1.example' } },
      { key: 'service.name', value: { stringValue: 'logmetrics-collector' } },
    ]);
    expect(rm.scopeMetrics.length).toBe(1);
    expect(rm.scopeMetrics[0]!.scope).toEqual({ name: 'logmetrics-collector', version: '1.2.3' });
    const metrics = rm.scopeMetrics[0]!.metrics;
    expect(metrics.map((m) => m.name)).toEqual(['rest_api_executions_count', 'rest_api_executions_rate__1min']);
    const attrs = (kv: Array<{ key: string; value: { stringValue?: string } }>) => kv.map((a) => `${a.key}=${a.value.stringValue}`);
    expect(metrics[0]!.gauge!.dataPoints.map((d) => [attrs(d.attributes), d.timeUnixNano, d.asDouble])).toEqual([
      [['call=getUser', 'host=api1'], '1391745780000000000', 4],
      [['call=addItem', 'data.center=eu'], '1391745795000000000', 6],
    ]);
    expect(metrics[1]!.gauge!.dataPoints[0]!.asDouble).toBe(0.2);
  });

  it('keeps every point of a large batch (nested lengths over 127 bytes)', () => {
    const enc = new OtlpEncoder('h', 'v');
    const points = samplePoints('otlp.big', 3000);
    const metrics = decodeOtlp(enc.body(points)).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    const got = metrics.flatMap((m) => m.gauge!.dataPoints.map((d) => `${m.name} ${d.timeUnixNano} ${d.asDouble}`)).sort();
    const want = points.map((p) => `${p.metric.replace(/[^a-zA-Z0-9_:]/g, '_')} ${p.ts}000000000 ${Number(p.value)}`).sort();
    expect(got).toEqual(want);
  });

  it('reads partial success and error messages from replies', () => {
    expect(readOtlpReply(otlpPartialSuccess(3, 'too old'), true)).toEqual({ rejected: 3, message: 'too old' });
    expect(readOtlpReply(new Uint8Array(0), true)).toEqual({ rejected: 0, message: '' });
    // google.rpc.Status { int32 code = 1; string message = 2; }: field 2 as the message.
    const status = Buffer.concat([Buffer.from([0x08, 0x03, 0x12, 0x07]), Buffer.from('bad one')]);
    expect(readOtlpReply(status, false).message).toBe('bad one');
    expect(readOtlpReply(Buffer.from('not protobuf \xff'), false)).toEqual({ rejected: 0, message: '' });
  });
});
