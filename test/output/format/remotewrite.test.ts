// Prometheus remote write encoding, decoded with protobufjs from prompb's message definitions: one
// time series per point, labels sorted with __name__ the mapped metric name, the value, and the log
// time in milliseconds; the POST body is that request snappy-compressed.
import { describe, expect, it } from 'vitest';
import { RemoteWriteEncoder } from '../../../src/output/format/remotewrite.js';
import type { Point } from '../../../src/core/types.js';
import { decodeWriteRequest } from '../../helpers/protos.js';
import { uncompress } from '../../helpers/snappy.js';
import { samplePoints } from '../../helpers/victoria.js';

describe('remote write', () => {
  it('encodes each point as a time series with sorted labels and a millisecond sample', () => {
    const points: Point[] = [
      { metric: 'rest.api.executions.rate._1min', ts: 1391745780, value: '0.200000', tags: 'call=getUser host=api1 resource=local' },
      { metric: 'rest.api.executions.count', ts: 1391745795, value: '4', tags: 'Zone=eu class=api' },
      { metric: 'x.sample_size', ts: 1_800_000_000, value: '0', tags: '' },
      { metric: 'big', ts: 1, value: '1e+308', tags: 'data-center=a.b/c lang=café' },
    ];
    const enc = new RemoteWriteEncoder();
    const req = decodeWriteRequest(enc.request(points));
    expect(req.timeseries.map((t) => [t.labels.map((l) => `${l.name}=${l.value}`), t.samples])).toEqual([
      [['__name__=rest_api_executions_rate__1min', 'call=getUser', 'host=api1', 'resource=local'], [{ value: 0.2, timestamp: 1391745780000 }]],
      [['Zone=eu', '__name__=rest_api_executions_count', 'class=api'], [{ value: 4, timestamp: 1391745795000 }]],
      [['__name__=x_sample_size'], [{ value: 0, timestamp: 1_800_000_000_000 }]],
      [['__name__=big', 'data_center=a.b/c', 'lang=café'], [{ value: 1e308, timestamp: 1000 }]],
    ]);
  });

  it('posts the request snappy-compressed, and encodes the same points the same way every time', () => {
    const enc = new RemoteWriteEncoder();
    const points = samplePoints('rw.body', 2000);
    const raw = enc.request(points);
    expect(uncompress(enc.body(points)).equals(raw)).toBe(true);
    expect(enc.request(points).equals(raw)).toBe(true);   // caches and the reused buffer change nothing
    const req = decodeWriteRequest(raw);
    expect(req.timeseries.length).toBe(2000);
    req.timeseries.forEach((t, i) => {
      expect(t.samples).toEqual([{ value: Number(points[i]!.value), timestamp: points[i]!.ts * 1000 }]);
      const names = t.labels.map((l) => l.name);
      expect(names).toEqual([...names].sort());
    });
  });

  it('prints a point in the Prometheus text format for --dry-run', () => {
    const enc = new RemoteWriteEncoder();
    expect(enc.text({ metric: 'rest.api.executions.count', ts: 1391745780, value: '4', tags: 'call=getUser host=api1' }))
      .toBe('rest_api_executions_count{call="getUser",host="api1"} 4 1391745780000');
    expect(enc.text({ metric: 'a', ts: 2, value: '1.5', tags: '' })).toBe('a 1.5 2000');
  });
});
