// InfluxDB line protocol: the mapped name as measurement, tags sorted by name, one float field
// `value`, second timestamps; special characters escaped.
import { describe, expect, it } from 'vitest';
import { InfluxEncoder, influxTags } from '../../../src/output/format/influx.js';

describe('influx line protocol', () => {
  it('writes measurement, sorted tags, value and seconds', () => {
    const enc = new InfluxEncoder();
    expect(enc.text({ metric: 'rest.api.executions.rate._1min', ts: 1391745780, value: '0.200000', tags: 'resource=local call=getUser' }))
      .toBe('rest_api_executions_rate__1min,call=getUser,resource=local value=0.200000 1391745780');
    expect(enc.text({ metric: 'a.count', ts: 5, value: '4', tags: '' })).toBe('a_count value=4 5');
  });

  it('escapes commas, equals signs, spaces and backslashes in tags', () => {
    expect(influxTags('k=a,b')).toBe(',k=a\\,b');
    expect(influxTags('data.center=eu/west-1 lang=café')).toBe(',data.center=eu/west-1,lang=café');
    expect(influxTags('x=a\\b')).toBe(',x=a\\\\b');
  });

  it('posts newline-terminated lines', () => {
    const enc = new InfluxEncoder();
    const body = enc.body([
      { metric: 'm', ts: 1, value: '1', tags: 'a=b' },
      { metric: 'm', ts: 2, value: '2.5', tags: 'a=c' },
    ]).toString();
    expect(body).toBe('m,a=b value=1 1\nm,a=c value=2.5 2\n');
  });
});
