// The status endpoint (/metrics, /status, /healthz) wired to a real pusher pool, and the internal
// metrics as points.
import { describe, expect, it } from 'vitest';
import { PusherPool } from '../../src/output/push/pool.js';
import { Registry } from '../../src/selfstats/registry.js';
import { registryPoints } from '../../src/selfstats/points.js';
import { parseListen, renderPrometheus, startStatusServer } from '../../src/selfstats/status.js';
import { silentLogger } from '../../src/core/log.js';
import { refusedPort, startTcpLineServer } from '../helpers/lineserver.js';
import { samplePoints } from '../helpers/victoria.js';

function sources(registry: Registry, pool: PusherPool) {
  return {
    registry,
    files: () => [{ path: '/var/log/app.log', offset: 1234, size: 2000, lagSeconds: 3 }],
    shards: () => [{ log_group: 'app', shard: 0, keys: 12 }],
    pushers: () => pool.status(),
    queueDepth: () => pool.depth(),
  };
}

describe('status server', () => {
  it('serves /metrics, /status and /healthz, and 404 elsewhere', async () => {
    const lines = await startTcpLineServer();
    const registry = new Registry();
    registry.counter('tail.line_read', { log_group: 'app', filename: '/var/log/app.log' }).value = 42;
    const pool = new PusherPool({ settings: { push_host: ['127.0.0.1'], push_port: lines.port, push_proto: 'tcp',
      push_type: 'tsd', push_number: 1, push_wait: 0.1, queue_size: 100 }, registry, log: silentLogger });
    pool.write(samplePoints('st', 7));
    await pool.flush();
    const srv = await startStatusServer('127.0.0.1:0', sources(registry, pool));
    const base = `http://127.0.0.1:${srv.port}`;
    try {
      const m = await fetch(`${base}/metrics`);
      expect(m.status).toBe(200);
      expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await m.text();
      expect(text).toContain('# HELP logmetrics_collector_pusher_key_sent_total ');
      expect(text).toContain('# TYPE logmetrics_collector_pusher_key_sent_total counter\n');
      expect(text).toContain('logmetrics_collector_pusher_key_sent_total{pusher_number="0"} 7\n');
      expect(text).toContain('# TYPE logmetrics_collector_queue_depth gauge\nlogmetrics_collector_queue_depth 0\n');
      expect(text).toContain('logmetrics_collector_tail_line_read_total{filename="/var/log/app.log",log_group="app"} 42\n');

      const s = await fetch(`${base}/status`);
      expect(s.status).toBe(200);
      const body = await s.json() as Record<string, any>;
      expect(body.queue).toEqual({ depth: 0 });
      expect(body.files[0].offset).toBe(1234);
      expect(body.shards[0].keys).toBe(12);
      expect(body.pushers[0]).toMatchObject({ number: 0, host: '127.0.0.1', port: lines.port, state: 'idle',
        connected: true, canSend: true, keySent: 7, lastError: null });

      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await srv.close();
      await pool.close();
      await lines.close();
    }
  });

  it('/healthz answers 503 while no pusher can send', async () => {
    const registry = new Registry();
    const pool = new PusherPool({ settings: { push_host: ['127.0.0.1'], push_port: await refusedPort(),
      push_proto: 'tcp', push_type: 'tsd', push_number: 2, push_wait: 5, queue_size: 100 },
    registry, log: silentLogger });
    const srv = await startStatusServer('127.0.0.1:0', sources(registry, pool));
    const base = `http://127.0.0.1:${srv.port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);     // nothing failed yet
      pool.write(samplePoints('st.down', 1));
      pool.write(samplePoints('st.down2', 1));
      for (let i = 0; i < 100 && pool.canSend(); i++) await new Promise((r) => setTimeout(r, 10));
      const h = await fetch(`${base}/healthz`);
      expect(h.status).toBe(503);
      const st = await (await fetch(`${base}/status`)).json() as Record<string, any>;
      expect(st.healthy).toBe(false);
      expect(st.pushers[0].state).toBe('backing_off');
      expect(st.pushers[0].lastError).toMatch(/ECONNREFUSED/);
      expect(st.pushers[0].nextRetryAt).toEqual(expect.any(String));
      expect(pool.pending().length).toBe(2);
    } finally {
      await srv.close();
      await pool.close();
    }
  });

  it('escapes labels and parses listen addresses', () => {
    const fake = { all: () => [{ name: 'x.y-z', tags: { 'a.b': 'q"\\\nz' }, tagString: '', kind: 'gauge', value: 1.5 }] };
    expect(renderPrometheus(fake as unknown as Registry))
      .toBe('# HELP logmetrics_collector_x_y_z logmetrics_collector.x.y-z\n# TYPE logmetrics_collector_x_y_z gauge\n'
        + 'logmetrics_collector_x_y_z{a_b="q\\"\\\\\\nz"} 1.5\n');
    expect(parseListen('127.0.0.1:9310')).toEqual({ host: '127.0.0.1', port: 9310 });
    expect(parseListen('[::1]:9310')).toEqual({ host: '::1', port: 9310 });
    expect(parseListen(':9310')).toEqual({ host: undefined, port: 9310 });
    expect(() => parseListen('nope')).toThrow();
  });
});

describe('registryPoints', () => {
  it('turns every series into a logmetrics_collector point with host', () => {
    const r = new Registry();
    r.counter('pusher.key_sent', { pusher_number: 1 }).value = 12;
    r.gauge('queue.depth').value = 3;
    r.gauge('lag.seconds', { quantile: 'p99' }).value = 1.23456789;
    expect(registryPoints(r, 'api1.mynetwork', 1770000000)).toEqual([
      { metric: 'logmetrics_collector.pusher.key_sent', ts: 1770000000, value: '12', tags: 'host=api1.mynetwork pusher_number=1' },
      { metric: 'logmetrics_collector.queue.depth', ts: 1770000000, value: '3', tags: 'host=api1.mynetwork' },
      { metric: 'logmetrics_collector.lag.seconds', ts: 1770000000, value: '1.234568', tags: 'host=api1.mynetwork quantile=p99' },
    ]);
  });
});
