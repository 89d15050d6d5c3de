// Issue 22, OTLP: no OTLP receiver is packaged for this Debian, so an in-process HTTP server takes
// what a --once replay of the seed log sends to /v1/metrics and decodes it with the official
// opentelemetry-proto definitions: exactly the points --dry-run prints, as gauge data points at their
// log time, under this host's name as the resource attribute host.name.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpSink, type HttpSink } from '../helpers/httpsink.js';
import { decodeOtlp } from '../helpers/protos.js';
import { ASSUME_NOW, compare, describeDiff, dryRun, logLines, removeDir, seedConfig, seedLog, spawnCli, tempDir, type P } from './helpers/collector.js';
import { parseDryRun } from './helpers/formats.js';

let dir: string;
let srv: HttpSink;
beforeAll(async () => { dir = tempDir('otlp'); srv = await startHttpSink(() => ({ status: 200, type: 'application/x-protobuf', body: new Uint8Array(0) })); });
afterAll(async () => { await srv?.close(); if (dir) removeDir(dir); });

describe('otlp', () => {
  it('a --once replay arrives as the official OTLP messages, point for point as --dry-run prints', async () => {
    const log = await seedLog(50_000, 278);
    const conf = path.join(dir, 'otlp.conf');
    writeFileSync(conf, seedConfig([log], { push_type: 'otlp', push_host: '127.0.0.1', push_port: srv.port, push_wait: 1, state_file: '' }));
    const sent = parseDryRun('otlp', await dryRun(conf, ['--assume-now', ASSUME_NOW]));
    const r = await spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 }).result;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(logLines(r.stderr).filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);

    const got: P[] = [];
    for (const q of srv.requests) {
      expect(q.path).toBe('/v1/metrics');
      expect(q.headers['content-type']).toBe('application/x-protobuf');
      const req = decodeOtlp(q.body);
      expect(req.resourceMetrics.length).toBe(1);
      const rm = req.resourceMetrics[0]!;
      expect(rm.resource.attributes).toContainEqual({ key: 'host.name', value: { stringValue: os.hostname() } });
      for (const sm of rm.scopeMetrics) {
        expect(sm.scope.name).toBe('logmetrics-collector');
        for (const m of sm.metrics) {
          expect(m.gauge, m.name).toBeDefined();
          for (const d of m.gauge!.dataPoints) {
            const attrs = d.attributes.map((a) => `${a.key}=${a.value.stringValue}`).sort();
            got.push({ series: [m.name, ...attrs].join(' '), ts: Number(BigInt(d.timeUnixNano) / 1_000_000n) / 1000, value: d.asDouble! });
          }
        }
      }
    }
    const c = compare(sent, got, 'exact');
    console.log('otlp replay', JSON.stringify({ points: sent.length, requests: srv.requests.length, received: got.length }));
    expect(sent.length).toBeGreaterThan(50_000);
    expect(c.missing, describeDiff(c)).toEqual([]);
    expect(c.extra, describeDiff(c)).toEqual([]);
  }, 90_000);
});
