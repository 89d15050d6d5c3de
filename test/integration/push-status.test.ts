// Issue 5, point 6: the status endpoint of a running daemon (status_listen on a free loopback port),
// replaying a 500k-line log from its start (parse_from_start) over http to VictoriaMetrics:
// /metrics (Prometheus text), /status (files with offsets and lag, queue depth, pushers with their
// state, keys per shard) and /healthz answer as described while the replay runs, while the TSD is
// away (503, backing off, reading held back with a full queue) and once it is back; SIGTERM exits 0
// after flushing: VictoriaMetrics then holds exactly what a --dry-run of the part of the log read
// (up to the offset the daemon saved in its state file) prints.
import { statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startVictoria, type Victoria } from '../helpers/victoria.js';
import { peekState } from '../../src/state/peek.js';
import {
  ASSUME_NOW, compare, describeDiff, dryRun, exportedPoints, logLines, parsePoints, removeDir, seedConfig, seedLog,
  sleep, spawnCli, tempDir, until,
} from './helpers/collector.js';

const LINES = 500_000;
const PER_SECOND = 2780;
const QUEUE = 2000;

let vm: Victoria;
let dir: string;

beforeAll(async () => {
  dir = tempDir('status');
  vm = await startVictoria();
});

afterAll(async () => {
  await vm?.destroy();
  if (dir) removeDir(dir);
});

type Status = Record<string, any>;

/** `name{labels} value` of a Prometheus text body, labels as written. */
function promValue(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('daemon status endpoint during a replay', () => {
  it('serves /metrics, /status and /healthz; follows the TSD going away and back; SIGTERM flushes and exits 0', async () => {
    const log = await seedLog(LINES, PER_SECOND);
    const size = statSync(log).size;
    const statusPort = await freePort();
    const stateFile = path.join(dir, 'state.json');
    const conf = path.join(dir, 'status.conf');
    writeFileSync(conf, seedConfig([log], {
      push_type: 'tsd', push_proto: 'http', push_host: '127.0.0.1', push_port: vm.ports.tsdbHttp, push_wait: 1,
      queue_size: QUEUE, state_file: stateFile, status_listen: `127.0.0.1:${statusPort}`, stats_interval: 1,
    }));
    const base = `http://127.0.0.1:${statusPort}`;
    const get = async (p: string) => {
      const r = await fetch(base + p);
      return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
    };
    const status = async () => JSON.parse((await get('/status')).text) as Status;

    const run = spawnCli(['-c', conf, '--assume-now', ASSUME_NOW], { timeoutMs: 120_000 });
    try {
      // 1. While the replay runs: a snapshot from the middle of the file.
      const mid = await until(async () => {
        if (run.exited()) throw new Error(`daemon exited: ${run.stderr().slice(-2000)}`);
        try {
          const s = await status();
          const f = s.files?.[0];
          return f && f.offset > 0 && f.offset < size && s.pushers?.[0]?.keySent > 0 ? s : null;
        } catch { return null; }
      }, 30_000, 'a mid-replay /status', 50);
      expect(mid.healthy).toBe(true);
      expect(mid.files).toHaveLength(1);
      expect(mid.files[0]).toMatchObject({ group: 'rest.api', path: log, size, rotating: false });
      expect(mid.files[0].lagBytes).toBe(size - mid.files[0].offset);
      expect(mid.queue.depth).toBeGreaterThanOrEqual(0);
      expect(mid.shards).toEqual([{ log_group: 'rest.api', shard: 0, keys: expect.any(Number) }]);
      expect(mid.shards[0].keys).toBeGreaterThan(0);
      expect(mid.pushers).toHaveLength(1);
      expect(mid.pushers[0]).toMatchObject({ number: 0, proto: 'http', host: '127.0.0.1', port: vm.ports.tsdbHttp, canSend: true, lastError: null });
      expect(['idle', 'sending']).toContain(mid.pushers[0].state);

      const m = await get('/metrics');
      expect(m.status).toBe(200);
      expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
      const fileLabels = `filename="${log}",log_group="rest.api"`;
      const read1 = promValue(m.text, 'logmetrics_collector_tail_byte_read_total', fileLabels)!;
      expect(read1).toBeGreaterThan(0);
      expect(promValue(m.text, 'logmetrics_collector_tail_line_read_total', fileLabels)).toBeGreaterThan(0);
      expect(promValue(m.text, 'logmetrics_collector_pusher_key_sent_total', 'pusher_number="0"')).toBeGreaterThan(0);
      expect(m.text).toContain('# TYPE logmetrics_collector_queue_depth gauge\n');
      expect(m.text).toContain('# TYPE logmetrics_collector_tail_byte_read_total counter\n');
      expect(promValue(m.text, 'logmetrics_collector_data_pool_key_tracked', 'log_group="rest.api",log_group_number="0"')).toBeGreaterThan(0);
      const h = await get('/healthz');
      expect([h.status, h.text]).toEqual([200, 'ok\n']);

      // 2. The TSD goes away: /healthz 503, the pusher backs off, the queue fills, reading stops.
      await vm.stop();
      const down = await until(async () => {
        const s = await status();
        return (await get('/healthz')).status === 503 && s.pushers[0].state === 'backing_off' ? s : null;
      }, 15_000, '/healthz 503 and a backing-off pusher', 50);
      expect(down.healthy).toBe(false);
      expect(down.pushers[0].canSend).toBe(false);
      expect(down.pushers[0].consecutiveFailures).toBeGreaterThanOrEqual(1);
      expect(down.pushers[0].lastError).toMatch(/ECONNREFUSED/);
      expect(down.pushers[0].nextRetryAt).toEqual(expect.any(String));
      expect((await get('/healthz')).text).toBe('no pusher can send\n');
      const held = await until(async () => {
        const a = await status();
        await sleep(1_500);
        const b = await status();
        return a.files[0].offset === b.files[0].offset && b.queue.depth >= QUEUE ? b : null;
      }, 20_000, 'reading to stop with a full queue', 0);
      expect(held.files[0].offset).toBeLessThan(size);
      // The queue still grows by what each flush interval adds while reading is stopped, so the
      // gauge lies between the depth seen before it and the depth seen after it.
      const gauge = promValue((await get('/metrics')).text, 'logmetrics_collector_queue_depth');
      const after = await status();
      expect(gauge).toBeGreaterThanOrEqual(held.queue.depth);
      expect(gauge).toBeLessThanOrEqual(after.queue.depth);

      // 3. It comes back on the same ports: healthy again, reading resumes.
      vm = await vm.restart();
      await until(async () => (await get('/healthz')).status === 200, 30_000, '/healthz 200 after the TSD is back', 100);
      const back = await until(async () => {
        const s = await status();
        return s.files[0].offset > held.files[0].offset ? s : null;
      }, 15_000, 'reading to resume', 100);
      expect(back.pushers[0]).toMatchObject({ canSend: true, consecutiveFailures: 0 });

      // 4. SIGTERM: every dirty key is pushed and the queue drained before exit 0.
      run.child.kill('SIGTERM');
      const r = await run.result;
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      const logs = logLines(r.stderr);
      expect(logs.find((l) => l.msg === 'Stopping')?.reason).toBe('SIGTERM');
      expect(logs.filter((l) => l.level === 'error')).toEqual([]);
      expect(logs.some((l) => /^Output not drained/.test(l.msg))).toBe(false);

      const state = peekState(stateFile) as { files: Array<{ path: string; offset: number }>; pending: unknown[] };
      expect(state.pending).toEqual([]);
      const offset = state.files.find((f) => f.path === log)!.offset;
      expect(offset).toBeGreaterThan(held.files[0].offset);

      // What the daemon read (the log up to the saved offset, a line boundary), replayed with --dry-run.
      const prefix = path.join(dir, 'prefix.log');
      const buf = Buffer.alloc(offset);
      const fd = openSync(log, 'r');
      try { readSync(fd, buf, 0, offset, 0); } finally { closeSync(fd); }
      expect(offset === size || buf[offset - 1] === 0x0a).toBe(true);
      writeFileSync(prefix, buf);
      const prefixConf = path.join(dir, 'prefix.conf');
      writeFileSync(prefixConf, seedConfig([prefix], { push_type: 'tsd', state_file: '' }));
      const sent = parsePoints(await dryRun(prefixConf, ['--assume-now', ASSUME_NOW]));

      const stored = exportedPoints(await vm.waitForSamples(sent.length, '{__name__=~"rest\\\\.api\\\\..*"}', 30_000));
      const c = compare(sent, stored, 'atLeastOnce');
      console.log('status figures', JSON.stringify({
        fileMB: +(size / 2 ** 20).toFixed(1), midOffset: mid.files[0].offset, heldOffset: held.files[0].offset,
        heldQueueDepth: held.queue.depth, savedOffset: offset, complete: offset === size, sent: c.sentPoints, stored: c.storedPoints,
        failures: down.pushers[0].consecutiveFailures,
      }));
      expect(c.missing, describeDiff(c)).toEqual([]);
      expect(c.extra, describeDiff(c)).toEqual([]);

      // The internal stats went out too (stats_interval 1), tagged with the host.
      const self = await vm.export('{__name__=~"logmetrics_collector\\\\..*"}');
      const names = new Set(self.map((s) => s.metric.__name__));
      for (const n of ['logmetrics_collector.tail.byte_read', 'logmetrics_collector.pusher.key_sent', 'logmetrics_collector.queue.depth']) {
        expect(names).toContain(n);
      }
      expect(self.every((s) => typeof s.metric.host === 'string' && s.metric.host.length > 0)).toBe(true);
    } finally {
      if (!run.exited()) run.child.kill('SIGKILL');
    }
  }, 120_000);
});
