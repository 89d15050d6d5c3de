// Issue 5, point 5: a TSD that refuses some points. Over tcp, OpenTSDB answers a bad `put` with a
// `put: illegal argument: ...` line; over http, /api/put?details answers 400 with the points it
// refused. The refused points are reported (the collector's log, pusher.send_errors), every other
// point is delivered once, nothing is retried, and `--once` exits 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startHttpPutServer, startTcpLineServer } from '../helpers/lineserver.js';
import { freePort } from '../helpers/victoria.js';
import {
  ASSUME_NOW, dryRun, fixtureConfig, logLines, removeDir, spawnCli, tempDir, until, type LogLine,
} from './helpers/collector.js';

let dir: string;
beforeAll(() => { dir = tempDir('rejects'); });
afterAll(() => { if (dir) removeDir(dir); });

const BAD = /^(put )?rest\.api\.execution_time\.ms\.p999 /;
const body = (line: string) => line.replace(/^put /, '');
const rejections = (logs: LogLine[]) => logs.filter((l) => l.msg === 'point rejected by the server, dropped');
/** Rejections the log accounts for: each warning plus the ones it says it suppressed. */
const reported = (logs: LogLine[]) => rejections(logs).reduce((n, l) => n + 1 + Number(l.suppressed ?? 0), 0);
/** The closing `Replay finished` line of --once. */
const finished = (logs: LogLine[]) => logs.find((l) => l.msg === 'Replay finished');

describe('points the TSD refuses', () => {
  it('tcp: `put: illegal argument` replies are read, logged and not retried; --once exits 0', async () => {
    let refused = 0;
    const srv = await startTcpLineServer((line) => {
      if (!BAD.test(line)) return null;
      refused++;
      return `put: illegal argument: Invalid value (rejected by test): ${body(line)}`;
    });
    try {
      const conf = fixtureConfig(dir, 'rest_api', {
        push_type: 'tsd', push_proto: 'tcp', push_host: '127.0.0.1', push_port: srv.port, push_wait: 1, state_file: '',
      }, 'tcp_rejects');
      const expected = (await dryRun(conf, ['--assume-now', ASSUME_NOW])).split('\n').filter(Boolean);
      const bad = expected.filter((l) => BAD.test(l));
      expect(bad.length).toBeGreaterThan(10);

      const t0 = Date.now();
      const r = await runCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
      const ms = Date.now() - t0;
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(ms).toBeLessThan(20_000);
      // Every line went out exactly once (tcp: the server refuses after receiving).
      await srv.waitForLines(expected.length, 10_000);
      expect([...srv.lines].sort()).toEqual([...expected].sort());
      expect(refused).toBe(bad.length);
      const logs = logLines(r.stderr);
      const warned = rejections(logs);
      console.log('tcp rejections', JSON.stringify({ lines: expected.length, refused, warnings: warned.length, reported: reported(logs), ms }));
      expect(warned.length).toBeGreaterThanOrEqual(1);
      expect(warned[0]!.error).toMatch(/^put: illegal argument: Invalid value/);
      expect(String(warned[0]!.point)).toMatch(/^rest\.api\.execution_time\.ms\.p999 /);
      expect(logs.filter((l) => /^push failed/.test(l.msg))).toEqual([]);
      // The log is rate-limited; the closing summary counts every refusal (tcp: the kernel took all).
      expect(finished(logs)).toMatchObject({ points_sent: expected.length, send_errors: bad.length });
    } finally {
      await srv.close();
    }
  });

  it('tcp: a refusal of the very last line sent still reaches the log before --once exits', async () => {
    const conf = fixtureConfig(dir, 'rest_api', { push_type: 'tsd', push_proto: 'tcp', push_host: '127.0.0.1',
      push_port: 1, push_wait: 1, state_file: '' }, 'tcp_last');
    const expected = (await dryRun(conf, ['--assume-now', ASSUME_NOW])).split('\n').filter(Boolean);
    const last = expected[expected.length - 1]!;
    let refused = 0;
    const srv = await startTcpLineServer((line) => {
      if (line !== last) return null;
      refused++;
      return `put: illegal argument: Invalid value (rejected by test): ${body(line)}`;
    });
    try {
      const conf2 = fixtureConfig(dir, 'rest_api', { push_type: 'tsd', push_proto: 'tcp', push_host: '127.0.0.1',
        push_port: srv.port, push_wait: 1, state_file: '' }, 'tcp_last');
      const r = await runCli(['-c', conf2, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      await srv.waitForLines(expected.length, 10_000);
      expect(refused).toBe(1);
      const warned = rejections(logLines(r.stderr));
      expect(warned.map((w) => w.point)).toEqual([body(last)]);
      expect(finished(logLines(r.stderr))).toMatchObject({ points_sent: expected.length, send_errors: 1 });
    } finally {
      await srv.close();
    }
  });

  it('http: a 400 with details drops exactly the points it names; the rest are stored once', async () => {
    let refused = 0;
    const stored: string[] = [];
    const srv = await startHttpPutServer((points) => {
      const errors: Array<{ datapoint: unknown; error: string }> = [];
      for (const p of points) {
        if (String(p.metric) === 'rest.api.execution_time.ms.p999') errors.push({ datapoint: p, error: 'Invalid value (rejected by test)' });
        else stored.push(JSON.stringify(p));
      }
      refused += errors.length;
      if (errors.length === 0) return { status: 204 };
      return { status: 400, body: { success: points.length - errors.length, failed: errors.length, errors } };
    });
    try {
      const conf = fixtureConfig(dir, 'rest_api', {
        push_type: 'tsd', push_proto: 'http', push_host: '127.0.0.1', push_port: srv.port, push_wait: 1, state_file: '',
      }, 'http_rejects');
      const expected = (await dryRun(conf, ['--assume-now', ASSUME_NOW])).split('\n').filter(Boolean);
      const bad = expected.filter((l) => BAD.test(l));
      const r = await runCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(refused).toBe(bad.length);
      // Nothing posted twice: the good points of a 400 chunk count as stored, the bad ones are dropped.
      const posted = srv.requests.flatMap((q) => q.body as Array<Record<string, unknown>>);
      expect(posted.length).toBe(expected.length);
      expect(srv.requests.every((q) => q.path === '/api/put?details')).toBe(true);
      expect(new Set(stored).size).toBe(stored.length);
      expect(stored.length).toBe(expected.length - bad.length);
      const logs = logLines(r.stderr);
      const warned = rejections(logs);
      console.log('http rejections', JSON.stringify({ points: expected.length, requests: srv.requests.length, refused, warnings: warned.length, reported: reported(logs) }));
      expect(warned.length).toBeGreaterThanOrEqual(1);
      expect(warned[0]!.error).toBe('Invalid value (rejected by test)');
      expect(String(warned[0]!.point)).toMatch(/^rest\.api\.execution_time\.ms\.p999 /);
      expect(logs.filter((l) => /^push failed/.test(l.msg))).toEqual([]);
      expect(finished(logs)).toMatchObject({ points_sent: expected.length - bad.length, send_errors: bad.length });
    } finally {
      await srv.close();
    }
  });

  it('http: a 400 without details (the whole body refused) is bisected down to the bad points', async () => {
    const stored: string[] = [];
    const srv = await startHttpPutServer((points) => {
      if (points.some((p) => String(p.metric) === 'rest.api.execution_time.ms.p999')) return { status: 400, body: 'cannot parse value' };
      for (const p of points) stored.push(JSON.stringify(p));
      return { status: 204 };
    });
    try {
      const conf = fixtureConfig(dir, 'rest_api', {
        push_type: 'tsd', push_proto: 'http', push_host: '127.0.0.1', push_port: srv.port, push_wait: 1, state_file: '',
      }, 'http_bisect');
      const expected = (await dryRun(conf, ['--assume-now', ASSUME_NOW])).split('\n').filter(Boolean);
      const bad = expected.filter((l) => BAD.test(l));
      const r = await runCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(new Set(stored).size).toBe(stored.length);
      expect(stored.length).toBe(expected.length - bad.length);
      const warned = rejections(logLines(r.stderr));
      expect(warned.length).toBeGreaterThanOrEqual(1);
      expect(String(warned[0]!.error)).toMatch(/^HTTP 400: cannot parse value/);
      expect(finished(logLines(r.stderr))).toMatchObject({ points_sent: expected.length - bad.length, send_errors: bad.length });
    } finally {
      await srv.close();
    }
  });

  it('daemon: /metrics counts every refused point in pusher.send_errors; SIGTERM exits 0', async () => {
    let refused = 0;
    const srv = await startTcpLineServer((line) => {
      if (!BAD.test(line)) return null;
      refused++;
      return `put: illegal argument: Invalid value (rejected by test): ${body(line)}`;
    });
    const statusPort = await freePort();
    try {
      const conf = fixtureConfig(dir, 'rest_api', {
        push_type: 'tsd', push_proto: 'tcp', push_host: '127.0.0.1', push_port: srv.port, push_wait: 1, state_file: '',
        status_listen: `127.0.0.1:${statusPort}`, stats_interval: 3600,
      }, 'daemon_rejects');
      const expected = (await dryRun(conf, ['--assume-now', ASSUME_NOW])).split('\n').filter(Boolean);
      const run = spawnCli(['-c', conf, '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
      try {
        const sendErrors = async () => {
          try {
            const text = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
            const m = /^logmetrics_collector_pusher_send_errors_total\{pusher_number="0"\} (\d+)$/m.exec(text);
            return m ? Number(m[1]) : -1;
          } catch { return -1; }
        };
        // The replay pushes keys as their interval passes; the rest wait for the quiet flush or SIGTERM.
        await until(async () => refused > 0 && (await sendErrors()) === refused, 30_000, 'send_errors to match the refusals', 100);
        const before = refused;
        run.child.kill('SIGTERM');
        const r = await run.result;
        expect(r.code, r.stderr.slice(-2000)).toBe(0);
        console.log('daemon rejections', JSON.stringify({ refusedBeforeSigterm: before, refusedTotal: refused, lines: srv.lines.length }));
        expect(logLines(r.stderr).some((l) => l.msg === 'point rejected by the server, dropped')).toBe(true);
        // SIGTERM flushed the keys still dirty: the server got every line the replay produces.
        await srv.waitForLines(expected.length, 10_000);
        expect([...srv.lines].sort()).toEqual([...expected].sort());
        expect(refused).toBe(expected.filter((l) => BAD.test(l)).length);
      } finally {
        if (!run.exited()) run.child.kill('SIGKILL');
      }
    } finally {
      await srv.close();
    }
  });
});
