// push_proto tcp against a real VictoriaMetrics (telnet `put` lines) and against line servers for
// tcollector framing and OpenTSDB's `put: ...` error replies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PusherPool, type PoolSettings } from '../../../src/output/push/pool.js';
import { Registry } from '../../../src/selfstats/registry.js';
import { silentLogger } from '../../../src/core/log.js';
import { capturingLogger, startTcpLineServer } from '../../helpers/lineserver.js';
import { expectedFlat, flatten, samplePoints, startVictoria, type Victoria } from '../../helpers/victoria.js';

let vm: Victoria;
beforeAll(async () => { vm = await startVictoria(); });
afterAll(async () => { await vm?.destroy(); });

const settings = (port: number, over: Partial<PoolSettings> = {}): PoolSettings => ({
  push_host: ['127.0.0.1'], push_port: port, push_proto: 'tcp', push_type: 'tsd',
  push_number: 2, push_wait: 0.1, queue_size: 1000, ...over,
});

const counter = (r: Registry, name: string) =>
  r.all().filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

describe('tcp', () => {
  it('delivers put lines to VictoriaMetrics: exactly the points written', async () => {
    const registry = new Registry();
    let sent = 0;
    const pool = new PusherPool({ settings: settings(vm.ports.tsdb), registry, log: silentLogger,
      onSent: (n) => { sent += n; } });
    const points = samplePoints('tcp.rt', 1200);
    for (let i = 0; i < points.length; i += 100) pool.write(points.slice(i, i + 100));
    await pool.flush();
    expect(pool.pending()).toEqual([]);
    expect(sent).toBe(points.length);
    expect(counter(registry, 'pusher.key_sent')).toBe(points.length);
    expect(counter(registry, 'pusher.byte_sent')).toBe(
      points.reduce((a, p) => a + Buffer.byteLength(`put ${p.metric} ${p.ts} ${p.value} ${p.tags}\n`), 0));
    await pool.close();
    const got = flatten(await vm.waitForSamples(points.length, '{__name__=~"tcp[.]rt[.].*"}'));
    expect(got).toEqual(expectedFlat(points));
  });

  it('sends bare newline-terminated lines for tcollector', async () => {
    const srv = await startTcpLineServer();
    const pool = new PusherPool({ settings: settings(srv.port, { push_type: 'tcollector', push_number: 1 }),
      registry: new Registry(), log: silentLogger });
    const points = samplePoints('tc.bare', 30);
    pool.write(points);
    await pool.flush();
    await srv.waitForLines(30);
    expect(srv.raw()).toBe(points.map((p) => `${p.metric} ${p.ts} ${p.value} ${p.tags}\n`).join(''));
    await pool.close();
    await srv.close();
  });

  it('reads put: error replies, counts and logs the rejected points, keeps the rest', async () => {
    const srv = await startTcpLineServer((line) =>
      line.includes('.bad.') ? `put: illegal argument: Invalid value: ${line.slice(4)}` : null);
    const cap = capturingLogger();
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(srv.port, { push_number: 1 }), registry, log: cap.log });
    const good = samplePoints('tc.good', 40);
    const bad = samplePoints('tc.bad', 5);
    pool.write([...good.slice(0, 20), ...bad, ...good.slice(20)]);
    await pool.flush();
    await srv.waitForLines(45);
    for (let i = 0; i < 100 && counter(registry, 'pusher.send_errors') < 5; i++) await new Promise((r) => setTimeout(r, 20));
    expect(counter(registry, 'pusher.send_errors')).toBe(5);
    const warn = cap.calls.find((c) => c.msg.includes('rejected'))!;
    expect(warn.fields!.point).toBe(`${bad[0]!.metric} ${bad[0]!.ts} ${bad[0]!.value} ${bad[0]!.tags}`);
    expect(String(warn.fields!.error)).toMatch(/^put: illegal argument/);
    expect(srv.lines.length).toBe(45);                    // nothing resent
    expect(srv.connections).toBe(1);
    await pool.close();
    await srv.close();
  });

  it('drops an over-long point before sending it, counted and logged', async () => {
    const srv = await startTcpLineServer();
    const cap = capturingLogger();
    const registry = new Registry();
    let sent = 0;
    const pool = new PusherPool({ settings: settings(srv.port, { push_number: 1 }), registry, log: cap.log,
      onSent: (n) => { sent += n; } });
    const long = { metric: 'tc.long', ts: 1770000000, value: '1', tags: 'k=' + 'x'.repeat(1100) };
    pool.write([...samplePoints('tc.ok', 3), long]);
    await pool.flush();
    await srv.waitForLines(3);
    expect(sent).toBe(4);
    expect(counter(registry, 'pusher.send_errors')).toBe(1);
    expect(counter(registry, 'pusher.key_sent')).toBe(3);
    expect(cap.calls.some((c) => c.level === 'warn' && String(c.fields?.error).includes('1024'))).toBe(true);
    await pool.close();
    expect(srv.lines.every((l) => !l.includes('tc.long'))).toBe(true);
    await srv.close();
  });

  it('reconnects after the server closed the connection', async () => {
    const srv = await startTcpLineServer();
    const registry = new Registry();
    const pool = new PusherPool({ settings: settings(srv.port, { push_number: 1 }), registry, log: silentLogger });
    pool.write(samplePoints('tc.rc1', 5));
    await pool.flush();
    await srv.waitForLines(5);
    srv.dropConnections();
    for (let i = 0; i < 100 && pool.status()[0]!.connected; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pool.status()[0]!.connected).toBe(false);
    pool.write(samplePoints('tc.rc2', 5));
    await pool.flush();
    await srv.waitForLines(10);
    expect(srv.connections).toBe(2);
    expect(counter(registry, 'pusher.reconnects')).toBe(1);
    await pool.close();
    await srv.close();
  });
});
