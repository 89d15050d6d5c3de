// push_proto http (/api/put?details) against a real VictoriaMetrics: round trip, a stalled TSD
// (SIGSTOP), a TSD that goes away and comes back on the same ports, failover; and against an
// in-process server for 400 details, 400 without details, and 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PusherPool, type PoolSettings } from '../../../src/output/push/pool.js';
import { Registry } from '../../../src/selfstats/registry.js';
import { silentLogger } from '../../../src/core/log.js';
import type { Point } from '../../../src/core/types.js';
import { capturingLogger, startHttpPutServer } from '../../helpers/lineserver.js';
import { expectedFlat, flatten, samplePoints, startVictoria, type Victoria } from '../../helpers/victoria.js';

let vm: Victoria;
beforeAll(async () => { vm = await startVictoria(); });
afterAll(async () => { await vm?.destroy(); });

const settings = (port: number, over: Partial<PoolSettings> = {}): PoolSettings => ({
  push_host: ['127.0.0.1'], push_port: port, push_proto: 'http', push_type: 'tsd',
  push_number: 2, push_wait: 0.1, queue_size: 1000, ...over,
});

const counter = (r: Registry, name: string) =>
  r.all().filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

/** Writes every point honouring backpressure; returns how often write() said "wait" and the max depth. */
async function produce(pool: PusherPool, points: Point[], chunk = 50): Promise<{ waits: number; maxDepth: number }> {
  let waits = 0;
  let maxDepth = 0;
  for (let i = 0; i < points.length; i += chunk) {
    const ok = pool.write(points.slice(i, i + chunk));
    maxDepth = Math.max(maxDepth, pool.depth());
    if (!ok) { waits++; await pool.waitDrain(); }
  }
  return { waits, maxDepth };
}

/** Every expected sample is there; duplicates (at-least-once) are tolerated. */
function missing(got: string[], want: string[]): string[] {
  const have = new Set(got);
  return want.filter((w) => !have.has(w));
}

describe('http', () => {
  it('delivers JSON batches to VictoriaMetrics: exactly the points written', async () => {
    const registry = new Registry();
    let sent = 0;
    const pool = new PusherPool({ settings: settings(vm.ports.tsdbHttp), registry, log: silentLogger,
      onSent: (n) => { sent += n; } });
    const points = samplePoints('http.rt', 777);
    await produce(pool, points, 100);
    await pool.flush();
    expect(sent).toBe(points.length);
    expect(pool.pending()).toEqual([]);
    expect(counter(registry, 'pusher.key_sent')).toBe(points.length);
    expect(counter(registry, 'pusher.send_errors')).toBe(0);
    await pool.close();
    const got = flatten(await vm.waitForSamples(points.length, '{__name__=~"http[.]rt[.].*"}'));
    expect(got).toEqual(expectedFlat(points));
  });

  it('applies backpressure while the TSD is stopped and loses nothing after it resumes', async () => {
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(vm.ports.tsdbHttp, { queue_size: 200 }), registry, log: silentLogger });
    const points = samplePoints('http.slow', 3000);
    vm.pause();
    let resumed = false;
    const timer = setTimeout(() => { resumed = true; vm.resume(); }, 2500);
    try {
      const r = await produce(pool, points);
      expect(r.waits).toBeGreaterThan(0);
      expect(r.maxDepth).toBeLessThan(200 + 50);           // bounded: capacity plus one write
      expect(resumed).toBe(true);                           // the producer was held until the TSD resumed
      await pool.flush();
    } finally {
      clearTimeout(timer);
      if (!resumed) vm.resume();
    }
    await pool.close();
    const got = flatten(await vm.waitForSamples(points.length, '{__name__=~"http[.]slow[.].*"}'));
    expect(missing(got, expectedFlat(points))).toEqual([]);
  });

  it('retries while the TSD is down and delivers everything once it is back; one log per retry', async () => {
    const cap = capturingLogger();
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(vm.ports.tsdbHttp, { queue_size: 300, push_number: 1 }),
      registry, log: cap.log });
    const before = samplePoints('http.gone', 200);
    await produce(pool, before);
    await pool.flush();
    await vm.stop();
    const during = samplePoints('http.gone', 600, 1_770_100_000);
    const producing = produce(pool, during);
    await new Promise((r) => setTimeout(r, 2000));
    expect(pool.canSend()).toBe(false);
    vm = await vm.restart();
    await producing;
    await pool.flush();
    expect(pool.canSend()).toBe(true);
    const retries = cap.calls.filter((c) => c.level === 'warn' && c.msg.startsWith('push failed'));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.length).toBeLessThan(15);              // per retry, not per point
    expect(counter(registry, 'pusher.send_errors')).toBe(retries.length);
    expect(cap.calls.filter((c) => c.msg === 'push recovered').length).toBe(1);
    await pool.close();
    const all = [...before, ...during];
    const got = flatten(await vm.waitForSamples(all.length, '{__name__=~"http[.]gone[.].*"}'));
    expect(missing(got, expectedFlat(all))).toEqual([]);
  });

  it('fails over to the next push_host when the first refuses', async () => {
    const cap = capturingLogger();
    const registry = new Registry();
    // 127.0.0.2 is loopback too, but VictoriaMetrics listens on 127.0.0.1 only: refused.
    const pool = new PusherPool({ settings: settings(vm.ports.tsdbHttp, { push_host: ['127.0.0.2', '127.0.0.1'] }),
      registry, log: cap.log, backoffScale: 100 });       // a backoff would make this test time out
    const points = samplePoints('http.failover', 300);
    await produce(pool, points);
    await pool.flush();
    expect(pool.status().map((s) => s.host)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(cap.calls.some((c) => c.msg.includes('failing over'))).toBe(true);
    await pool.close();
    const got = flatten(await vm.waitForSamples(points.length, '{__name__=~"http[.]failover[.].*"}'));
    expect(got).toEqual(expectedFlat(points));
  });

  it('drops the points a 400 names, counts and logs them, sends the rest, retries nothing', async () => {
    const stored: string[] = [];
    const srv = await startHttpPutServer((pts) => {
      const bad = pts.filter((p) => String(p.metric).includes('.bad.'));
      for (const p of pts) if (!bad.includes(p)) stored.push(`${p.metric} ${p.timestamp}`);
      if (bad.length === 0) return { status: 204 };
      return { status: 400, body: {
        errors: bad.map((p) => ({ datapoint: { ...p, value: String(p.value) }, error: 'Unable to parse value' })),
        failed: bad.length, success: pts.length - bad.length,
      } };
    });
    const cap = capturingLogger();
    const registry = new Registry();
    let sent = 0;
    const pool = new PusherPool({ settings: settings(srv.port, { push_number: 1 }), registry, log: cap.log,
      onSent: (n) => { sent += n; } });
    const good = samplePoints('h4.good', 120);
    const bad = samplePoints('h4.bad', 7);
    const all = [...good.slice(0, 30), ...bad.slice(0, 3), ...good.slice(30, 90), ...bad.slice(3), ...good.slice(90)];
    pool.write(all);
    await pool.flush();
    expect(sent).toBe(all.length);
    expect(stored.sort()).toEqual(good.map((p) => `${p.metric} ${p.ts}`).sort());
    expect(srv.requests.length).toBe(3);                  // 127 points in chunks of 50, none resent
    expect(srv.requests.every((r) => r.path === '/api/put?details')).toBe(true);
    expect(counter(registry, 'pusher.send_errors')).toBe(7);
    expect(counter(registry, 'pusher.key_sent')).toBe(120);
    const warn = cap.calls.find((c) => c.msg.includes('rejected'))!;
    expect(warn.fields!.point).toBe(`${bad[0]!.metric} ${bad[0]!.ts} ${bad[0]!.value} ${bad[0]!.tags}`);
    expect(warn.fields!.error).toBe('Unable to parse value');
    await pool.close();
    await srv.close();
  });

  it('bisects a 400 without details down to the bad point', async () => {
    const stored: string[] = [];
    const srv = await startHttpPutServer((pts) => {
      if (pts.some((p) => String(p.metric).includes('.bad.'))) return { status: 400, body: 'cannot parse' };
      for (const p of pts) stored.push(`${p.metric} ${p.timestamp}`);
      return { status: 204 };
    });
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(srv.port, { push_number: 1 }), registry, log: silentLogger });
    const good = samplePoints('h5.good', 49);
    const bad = samplePoints('h5.bad', 1)[0]!;
    pool.write([...good.slice(0, 17), bad, ...good.slice(17)]);
    await pool.flush();
    expect(stored.sort()).toEqual(good.map((p) => `${p.metric} ${p.ts}`).sort());
    expect(counter(registry, 'pusher.send_errors')).toBe(1);
    expect(srv.requests.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(50)));
    await pool.close();
    await srv.close();
  });

  it('retries 5xx replies until the server accepts', async () => {
    let calls = 0;
    const srv = await startHttpPutServer(() => (++calls <= 2 ? { status: 503, body: 'busy' } : { status: 200 }));
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(srv.port, { push_number: 1 }), registry, log: silentLogger });
    pool.write(samplePoints('h6', 10));
    await pool.flush();
    expect(calls).toBe(3);
    expect(counter(registry, 'pusher.send_errors')).toBe(2);
    expect(counter(registry, 'pusher.key_sent')).toBe(10);
    await pool.close();
    await srv.close();
  });
});
