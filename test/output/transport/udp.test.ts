// push_proto udp: `put` lines in datagrams to a real VictoriaMetrics, and datagram packing (at most
// 8192 bytes, no line split, tcollector bare lines) checked on a UDP line server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PusherPool, type PoolSettings } from '../../../src/output/push/pool.js';
import { Registry } from '../../../src/selfstats/registry.js';
import { silentLogger } from '../../../src/core/log.js';
import { startUdpLineServer } from '../../helpers/lineserver.js';
import { expectedFlat, flatten, samplePoints, startVictoria, type Victoria } from '../../helpers/victoria.js';

let vm: Victoria;
beforeAll(async () => { vm = await startVictoria(); });
afterAll(async () => { await vm?.destroy(); });

const settings = (port: number, over: Partial<PoolSettings> = {}): PoolSettings => ({
  push_host: ['127.0.0.1'], push_port: port, push_proto: 'udp', push_type: 'tsd',
  push_number: 1, push_wait: 0.1, queue_size: 1000, ...over,
});

const counter = (r: Registry, name: string) =>
  r.all().filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

describe('udp', () => {
  it('delivers put lines in datagrams to VictoriaMetrics: exactly the points written', async () => {
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(vm.ports.tsdb), registry, log: silentLogger });
    const points = samplePoints('udp.rt', 600);
    for (let i = 0; i < points.length; i += 150) {
      pool.write(points.slice(i, i + 150));
      await pool.flush();                                  // paced: loopback UDP still has a buffer
    }
    expect(counter(registry, 'pusher.key_sent')).toBe(points.length);
    await pool.close();
    const got = flatten(await vm.waitForSamples(points.length, '{__name__=~"udp[.]rt[.].*"}'));
    expect(got).toEqual(expectedFlat(points));
  });

  it('packs tcollector lines into datagrams of at most 8192 bytes without splitting a line', async () => {
    const srv = await startUdpLineServer();
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(srv.port, { push_type: 'tcollector' }), registry,
      log: silentLogger, batchSize: 2000 });
    const points = samplePoints('udp.pack.some_longer_metric_name_to_fill_datagrams', 1000);
    pool.write(points);
    await pool.flush();
    const lines = await srv.waitForLines(points.length);
    expect(lines).toEqual(points.map((p) => `${p.metric} ${p.ts} ${p.value} ${p.tags}`));
    expect(srv.datagrams.length).toBeGreaterThan(5);
    srv.datagrams.forEach((d, i) => {
      expect(d.length).toBeLessThanOrEqual(8192);
      expect(d[d.length - 1]).toBe(0x0a);
      // one batch: every datagram but the last is full (the next line would not have fitted)
      if (i < srv.datagrams.length - 1) expect(d.length).toBeGreaterThan(8192 - 200);
    });
    expect(counter(registry, 'pusher.byte_sent')).toBe(srv.datagrams.reduce((a, d) => a + d.length, 0));
    await pool.close();
    await srv.close();
  });
});
