// Issue 22 against a real Prometheus (Debian's, remote-write receiver enabled): a live run through
// remote_write is stored (every point a --once --dry-run of the same log prints, checked by a query
// on Prometheus' HTTP API); an old replay, outside what Prometheus accepts, gives clear
// rejected-point warnings, counted, each batch posted once and never retried.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_WRITE_BATCH } from '../../src/output/push/pool.js';
import { startPrometheus, type Prometheus } from '../helpers/prometheus.js';
import { freePort } from '../helpers/victoria.js';
import {
  ASSUME_NOW, compare, describeDiff, dryRun, keySent, logLines, removeDir, seedConfig, seedLog, sleep, spawnCli, tempDir, until, type P,
} from './helpers/collector.js';
import { parseDryRun } from './helpers/formats.js';

let prom: Prometheus;
let dir: string;
beforeAll(async () => { dir = tempDir('prom'); prom = await startPrometheus(); });
afterAll(async () => { await prom?.stop(); if (dir) removeDir(dir); });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
const syslogDate = (d: Date) => `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const CALLS = ['getUser', 'cart.checkout', 'search.query'];
const seedLine = (d: Date, i: number) => `${syslogDate(d)} rest${i % 2}.mynetwork rest_sales.api: [INFO] [performance] (http-2350-9) ` +
  `[c:${CALLS[i % 3]}] [s:d9e] [r:1]  (${20 + (i % 50)}) [bnt:1/2] [sql:2/1] [membase:0/0] [memcache:4/2] [other:0/${i % 7}]\n`;

/** Every raw sample of the seed config's series, from a range selector. */
async function stored(): Promise<P[]> {
  const out: P[] = [];
  for (const s of await prom.query('{__name__=~"rest_api_.+"}[1d]', Date.now() / 1000)) {
    const { __name__: name, ...labels } = s.metric;
    const series = [name!, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort()].join(' ');
    for (const [t, v] of s.values) out.push({ series, ts: t, value: Number(v) });
  }
  return out;
}

describe('remote_write to Prometheus', () => {
  it('a live run is stored: every point a replay of the same log prints', async () => {
    const log = path.join(dir, 'live.log');
    writeFileSync(log, '');
    const statusPort = await freePort();
    const conf = path.join(dir, 'live.conf');
    writeFileSync(conf, seedConfig([log], {
      push_type: 'remote_write', push_host: '127.0.0.1', push_port: prom.port, push_wait: 1, state_file: '',
      status_listen: `127.0.0.1:${statusPort}`, stats_interval: 3600,
    }, { interval: 3, live_poll: true, parse_from_start: true }));
    const run = spawnCli(['-c', conf], { timeoutMs: 90_000 });
    try {
      await until(async () => (await fetch(`http://127.0.0.1:${statusPort}/status`).then((r) => r.ok, () => false)), 20_000, 'the collector to start');
      let written = 0;
      const end = Date.now() + 10_000;
      while (Date.now() < end) {
        let chunk = '';
        for (let i = 0; i < 20; i++) chunk += seedLine(new Date(), written++);
        appendFileSync(log, chunk);
        await sleep(100);
      }
      await until(async () => await keySent(statusPort) > 0, 20_000, 'points to be acknowledged');
      await sleep(4_000);   // the quiet-log flush of the last interval
      run.child.kill('SIGTERM');
      const r = await run.result;
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(logLines(r.stderr).filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      const sent = parseDryRun('remote_write', await dryRun(conf));
      const got = await stored();
      const c = compare(sent, got, 'atLeastOnce');
      console.log('prometheus live run', JSON.stringify({ lines: written, points: sent.length, stored: got.length, series: new Set(got.map((p) => p.series)).size }));
      expect(sent.length).toBeGreaterThan(100);
      expect(c.missing, describeDiff(c)).toEqual([]);
      expect(c.extra, describeDiff(c)).toEqual([]);
    } finally {
      if (!run.exited()) run.child.kill('SIGKILL');
    }
  }, 120_000);

  it('an old replay outside its window: rejected-point warnings, counted, each batch posted once, no retry', async () => {
    const log = await seedLog(20_000, 278);   // February 2026, months behind the live samples above
    const conf = path.join(dir, 'old.conf');
    writeFileSync(conf, seedConfig([log], { push_type: 'remote_write', push_host: '127.0.0.1', push_port: prom.port, push_wait: 1, state_file: '' }));
    const points = parseDryRun('remote_write', await dryRun(conf, ['--assume-now', ASSUME_NOW])).length;
    const before = await prom.ownMetric('prometheus_http_requests_total', { handler: '/api/v1/write', code: '400' });
    const t0 = Date.now();
    const r = await spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 }).result;
    const ms = Date.now() - t0;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const logs = logLines(r.stderr);
    const rejected = logs.filter((l) => l.msg === 'points rejected by the server, batch dropped');
    const requests = (await prom.ownMetric('prometheus_http_requests_total', { handler: '/api/v1/write', code: '400' })) - before;
    console.log('prometheus old replay', JSON.stringify({ points, requests, warnings: rejected.length, ms, first: rejected[0] }));
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(String(rejected[0]!.error)).toMatch(/^HTTP 400: out of bounds/);
    expect(String(rejected[0]!.point)).toMatch(/^rest_api_\w+\{call="[^"]+",class="\w",host="[^"]+",resource="\w+"\} \S+ 17\d{11}$/);
    expect(logs.filter((l) => /^push failed/.test(l.msg))).toEqual([]);
    expect(logs.find((l) => l.msg === 'Replay finished')).toMatchObject({ points_sent: 0, send_errors: points });
    // One request per batch: no batch is sent twice (no 'push failed', each point counted once
    // above); batches are whatever the queue holds when the pusher is free, up to 2000 points.
    expect(requests).toBeGreaterThanOrEqual(Math.ceil(points / HTTP_WRITE_BATCH));
    expect(requests).toBeLessThan(points / 500);
  }, 90_000);
});
