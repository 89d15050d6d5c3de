// The one name mapping for remote_write, influx and otlp (README "Pushing to Prometheus, InfluxDB and
// OpenTelemetry").
import { describe, expect, it } from 'vitest';
import { labelName, metricName, NameCache, pushedName, pushedTagName } from '../../../src/output/format/names.js';

describe('metric names', () => {
  it('replace every character outside [a-zA-Z0-9_:] by _', () => {
    expect(metricName('rest.api.executions.rate._1min')).toBe('rest_api_executions_rate__1min');
    expect(metricName('rest.api.execution_time.ms.std-dev')).toBe('rest_api_execution_time_ms_std_dev');
    expect(metricName('a/b:c')).toBe('a_b:c');
    expect(metricName('logmetrics_collector.tail.line_read')).toBe('logmetrics_collector_tail_line_read');
  });

  it('turn each Unicode letter into one _ and put _ before a leading digit', () => {
    expect(metricName('café.crème')).toBe('caf__cr_me');
    expect(metricName('𝔘nicode')).toBe('_nicode');
    expect(metricName('5xx.count')).toBe('_5xx_count');
  });

  it('leave tsd and tcollector names alone', () => {
    expect(pushedName('tsd', 'a.b-c')).toBe('a.b-c');
    expect(pushedName('tcollector', 'a.b-c')).toBe('a.b-c');
    for (const t of ['remote_write', 'influx', 'otlp'] as const) expect(pushedName(t, 'a.b-c')).toBe('a_b_c');
  });
});

describe('label names', () => {
  it('are Prometheus label names for remote_write only', () => {
    expect(labelName('host.name')).toBe('host_name');
    expect(labelName('a:b')).toBe('a_b');
    expect(labelName('1st')).toBe('_1st');
    expect(pushedTagName('remote_write', 'data-center')).toBe('data_center');
    expect(pushedTagName('influx', 'data-center')).toBe('data-center');
    expect(pushedTagName('otlp', 'data-center')).toBe('data-center');
  });
});

describe('NameCache', () => {
  it('maps through its function and stays bounded', () => {
    let calls = 0;
    const c = new NameCache((s) => { calls++; return s.toUpperCase(); });
    expect(c.get('a')).toBe('A');
    expect(c.get('a')).toBe('A');
    expect(calls).toBe(1);
    for (let i = 0; i < 10_000; i++) c.get(`k${i}`);
    expect((c as unknown as { map: Map<string, string> }).map.size).toBeLessThanOrEqual(4096);
  });
});
