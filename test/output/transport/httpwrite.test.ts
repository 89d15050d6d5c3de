// remote_write, influx and otlp through the pusher pool against in-process servers: what is posted
// (paths, headers, bodies decoded independently), and what the pool does with each kind of reply:
// 2xx sent, 4xx batch dropped and reported once with one point, 5xx/429 retried, 401/404 kept and
// retried at the longest wait as errors, OTLP partial success counted.
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_WRITE_BATCH, PusherPool, type PoolSettings } from '../../../src/output/push/pool.js';
import { Registry } from '../../../src/selfstats/registry.js';
import type { Point } from '../../../src/core/types.js';
import { capturingLogger } from '../../helpers/lineserver.js';
import { startHttpSink, type Answer, type HttpSink, type SinkRequest } from '../../helpers/httpsink.js';
import { decodeOtlp, decodeWriteRequest, otlpPartialSuccess } from '../../helpers/protos.js';
import { uncompress } from '../../helpers/snappy.js';
import { samplePoints } from '../../helpers/victoria.js';

let srv: HttpSink | null = null;
let pool: PusherPool | null = null;
afterEach(async () => { await pool?.close(); await srv?.close(); pool = null; srv = null; });

const settings = (port: number, over: Partial<PoolSettings>): PoolSettings => ({
  push_host: ['127.0.0.1'], push_port: port, push_proto: 'http', push_type: 'remote_write',
  push_number: 1, push_wait: 1, queue_size: 10_000, ...over,
});

const counter = (r: Registry, name: string) => r.all().filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

async function run(over: Partial<PoolSettings>, answer: (r: SinkRequest) => Answer, points: Point[], backoffScale = 0.001) {
  srv = await startHttpSink(answer);
  const registry = new Registry();
  const cap = capturingLogger();
  let sent = 0;
  pool = new PusherPool({ settings: settings(srv.port, over), registry, log: cap.log, backoffScale,
    origin: { host: 'collector-host', version: '9.9.9' }, onSent: (n) => { sent += n; } });
  pool.write(points);
  await pool.flush();
  return { registry, cap, sent: () => sent, requests: srv.requests };
}

const samples = (r: SinkRequest) => decodeWriteRequest(uncompress(r.body)).timeseries.map((t) => {
  const name = t.labels.find((l) => l.name === '__name__')!.value;
  return `${name} ${t.samples[0]!.timestamp} ${t.samples[0]!.value}`;
});
const want = (ps: Point[]) => ps.map((p) => `${p.metric.replace(/[^a-zA-Z0-9_:]/g, '_')} ${p.ts * 1000} ${Number(p.value)}`);

describe('remote_write', () => {
  it('posts snappy-compressed WriteRequests of up to 2000 points with the remote write headers', async () => {
    expect(HTTP_WRITE_BATCH).toBe(2000);
    const points = samplePoints('rw.ok', 5000);
    const { registry, requests, sent } = await run({ push_path: '/api/v1/write' }, () => ({ status: 204 }), points);
    expect(requests.length).toBe(3);
    for (const r of requests) {
      expect(r.path).toBe('/api/v1/write');
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      expect(r.headers['content-encoding']).toBe('snappy');
      expect(r.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    }
    expect(requests.flatMap(samples)).toEqual(want(points));
    expect(sent()).toBe(5000);
    expect(counter(registry, 'pusher.key_sent')).toBe(5000);
    expect(counter(registry, 'pusher.send_errors')).toBe(0);
  });

  it('a 400 drops the batch: counted, logged once with the server reason and one point, never retried', async () => {
    const points = samplePoints('rw.old', 4400);
    const { registry, cap, requests, sent } = await run({}, (r) => (samples(r)[0]!.includes(' 1770000000000 ')
      ? { status: 400, body: 'out of bounds\n' } : { status: 204 }), points);
    expect(requests.length).toBe(3);
    expect(sent()).toBe(4400);
    expect(counter(registry, 'pusher.send_errors')).toBe(2000);
    expect(counter(registry, 'pusher.key_sent')).toBe(2400);
    const warns = cap.calls.filter((c) => c.level === 'warn');
    expect(warns.map((c) => c.msg)).toEqual(['points rejected by the server, batch dropped']);
    expect(warns[0]!.fields).toMatchObject({ error: 'HTTP 400: out of bounds', points: 2000 });
    const p = points[0]!;
    expect(warns[0]!.fields!.point).toBe(`rw_old_count{${p.tags.split(' ').map((kv) => kv.replace('=', '="') + '"').join(',')}} ${p.value} ${p.ts * 1000}`);
    expect(cap.calls.filter((c) => c.msg.startsWith('push failed'))).toEqual([]);
  });

  it('retries 5xx and 429 with the usual backoff, then delivers', async () => {
    let n = 0;
    const points = samplePoints('rw.busy', 10);
    const { registry, cap, requests } = await run({}, () => (++n === 1 ? { status: 503, body: 'busy' } : n === 2 ? { status: 429 } : { status: 200 }), points);
    expect(requests.length).toBe(3);
    expect(requests.map(samples)[2]).toEqual(want(points));
    expect(counter(registry, 'pusher.send_errors')).toBe(2);
    const fails = cap.calls.filter((c) => c.msg.startsWith('push failed'));
    expect(fails.map((c) => [c.level, c.fields!.error])).toEqual([
      ['warn', `POST http://127.0.0.1:${srv!.port}/api/v1/write: HTTP 503: busy`],
      ['warn', `POST http://127.0.0.1:${srv!.port}/api/v1/write: HTTP 429`],
    ]);
  });

  it('401 and 404 keep the points and retry at the longest wait, logged as errors', async () => {
    let n = 0;
    const points = samplePoints('rw.auth', 5);
    const { registry, cap, sent } = await run({}, () => (++n === 1 ? { status: 401, body: 'bad token' } : n === 2 ? { status: 404 } : { status: 204 }), points, 0.01);
    expect(sent()).toBe(5);
    expect(counter(registry, 'pusher.key_sent')).toBe(5);
    const errs = cap.calls.filter((c) => c.level === 'error');
    expect(errs.map((c) => c.msg)).toEqual(Array(2).fill('push failed: configuration problem; points kept, retrying at the longest wait'));
    expect(errs.map((c) => c.fields!.retry_in_s)).toEqual([0.6, 0.6]);   // 60 s x backoffScale 0.01
    expect(String(errs[0]!.fields!.error)).toMatch(/HTTP 401: bad token \(check push_basic_auth/);
    expect(String(errs[1]!.fields!.error)).toMatch(/HTTP 404 \(check push_path/);
  });

  it('takes secrets out of what a server echoes back', async () => {
    const points = samplePoints('rw.echo', 3);
    const { cap } = await run({ push_basic_auth: { username: 'u', password: 'pa55-w0rd' }, push_headers: { 'X-Api-Key': 'key-123456' } },
      (r) => ({ status: 400, body: `bad request, you sent ${r.headers.authorization} and ${r.headers['x-api-key']}` }), points);
    const b64 = Buffer.from('u:pa55-w0rd').toString('base64');
    const text = JSON.stringify(cap.calls);
    expect(text).toContain('you sent Basic *** and ***');
    for (const s of ['pa55-w0rd', b64, 'key-123456']) expect(text).not.toContain(s);
  });
});

describe('influx', () => {
  it('v1: /write?precision=s (and db), lines as the dry-run prints them', async () => {
    const points = samplePoints('ix.v1', 30);
    const { requests } = await run({ push_type: 'influx', push_path: '/write', push_influx_db: 'metrics' }, () => ({ status: 204 }), points);
    expect(requests.map((r) => r.path)).toEqual(['/write?db=metrics&precision=s']);
    expect(requests[0]!.headers['content-type']).toBe('text/plain; charset=utf-8');
    const lines = requests[0]!.body.toString().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBe(30);
    expect(lines[0]).toBe(`ix_v1_count,host=h0 value=${points[0]!.value} ${points[0]!.ts}`);
  });

  it('v2: org, bucket and the token; the server reason of a 4xx from its JSON', async () => {
    const points = samplePoints('ix.v2', 4);
    const { requests, cap } = await run({ push_type: 'influx', push_path: '/api/v2/write', push_influx_org: 'my org', push_influx_bucket: 'b1', push_influx_token: 'tok-xyz1' },
      () => ({ status: 422, type: 'application/json', body: JSON.stringify({ code: 'unprocessable entity', message: 'points beyond retention policy' }) }), points);
    expect(requests[0]!.path).toBe('/api/v2/write?org=my+org&bucket=b1&precision=s');
    expect(requests[0]!.headers.authorization).toBe('Token tok-xyz1');
    expect(cap.calls.find((c) => c.level === 'warn')!.fields!.error).toBe('HTTP 422: points beyond retention policy');
  });
});

describe('otlp', () => {
  it('posts ExportMetricsServiceRequests; counts what a partial success refused', async () => {
    const points = samplePoints('ot.ps', 40);
    const { requests, registry, cap } = await run({ push_type: 'otlp', push_path: '/v1/metrics' },
      () => ({ status: 200, type: 'application/x-protobuf', body: otlpPartialSuccess(2, 'two too old') }), points);
    expect(requests.length).toBe(1);
    expect(requests[0]!.headers['content-type']).toBe('application/x-protobuf');
    const req = decodeOtlp(requests[0]!.body);
    expect(req.resourceMetrics[0]!.resource.attributes[0]).toEqual({ key: 'host.name', value: { stringValue: 'collector-host' } });
    const n = req.resourceMetrics[0]!.scopeMetrics[0]!.metrics.reduce((a, m) => a + m.gauge!.dataPoints.length, 0);
    expect(n).toBe(40);
    expect(counter(registry, 'pusher.send_errors')).toBe(2);
    expect(counter(registry, 'pusher.key_sent')).toBe(38);
    expect(cap.calls.find((c) => c.level === 'warn')!.fields!.error).toBe('the server refused 2 of 40 points: two too old');
  });
});
