// Issue 5, point 3: an absent TSD. VictoriaMetrics goes away in the middle of a 500k-line http
// `--once` replay (OpenTSDB /api/put, and issue 22's remote_write and influx) and comes back 15 s later on the same ports and data dir. Afterwards no point is
// missing, and the outage was logged once per retry (a handful of warnings), never once per point.
//
// VictoriaMetrics is stopped with SIGTERM, not SIGKILL: it keeps the rows of the last second or so in
// memory after acknowledging them, and SIGKILL would lose those on its side (the collector had its
// 204 and rightly counted them sent). From the collector's side both look the same: the connection
// breaks and later connections are refused.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startVictoria, type Victoria } from '../helpers/victoria.js';
import {
  ASSUME_NOW, keySent, compare, describeDiff, dryRun, exportedPoints, logLines, rchar, removeDir, seedConfig, seedLog,
  sleep, spawnCli, tempDir, until,
} from './helpers/collector.js';
import { parseDryRun, seedMatch, type PushType } from './helpers/formats.js';

const LINES = 500_000;
const PER_SECOND = 2780;
const OUTAGE_MS = 15_000;

let vm: Victoria;
let dir: string;

beforeAll(async () => {
  dir = tempDir('outage');
  vm = await startVictoria({ flags: ['-influxSkipSingleField'] });
});

afterAll(async () => {
  await vm?.destroy();
  if (dir) removeDir(dir);
});

const MODES: Array<{ name: string; type: PushType; target: () => Record<string, unknown> }> = [
  { name: 'OpenTSDB http', type: 'tsd', target: () => ({ push_proto: 'http', push_port: vm.ports.tsdbHttp }) },
  { name: 'remote_write', type: 'remote_write', target: () => ({ push_port: vm.ports.http }) },
  { name: 'influx', type: 'influx', target: () => ({ push_port: vm.ports.http }) },
];

describe.each(MODES)('absent TSD (stopped mid-replay, back 15 s later on the same ports), $name', ({ type, target }) => {
  it('loses no point and logs the outage once per retry', async () => {
    const log = await seedLog(LINES, PER_SECOND);
    const size = statSync(log).size;
    const conf = path.join(dir, `outage-${type}.conf`);
    const statusPort = await freePort();
    writeFileSync(conf, seedConfig([log], {
      push_type: type, ...target(), push_host: '127.0.0.1',
      push_wait: 1, queue_size: 2000, state_file: '', status_listen: `127.0.0.1:${statusPort}`,
    }));
    const sent = parseDryRun(type, await dryRun(conf, ['--assume-now', ASSUME_NOW]));
    await vm.deleteSeries(seedMatch(type));   // remote_write and influx store the same names

    const run = spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 150_000 });
    try {
      await until(async () => run.exited() || await keySent(statusPort) > 0, 60_000, 'the first points to arrive', 10);
      expect(run.exited()).toBe(false);
      const before = await keySent(statusPort);
      await vm.stop();
      const downAt = Date.now();
      await sleep(OUTAGE_MS - 3_000);
      // Still running, held back mid-file: the queue is full and nothing can be sent.
      expect(run.exited()).toBe(false);
      const readDuring = rchar(run.pid);
      expect(readDuring).toBeLessThan(size);
      await sleep(Math.max(0, downAt + OUTAGE_MS - Date.now()));
      vm = await vm.restart();
      const upAt = Date.now();

      const r = await run.result;
      const doneAt = Date.now();
      expect(r.code, r.stderr.slice(-2000)).toBe(0);

      const stored = exportedPoints(await vm.waitForSamples(sent.length, seedMatch(type), 30_000));
      const c = compare(sent, stored, 'atLeastOnce');
      expect(c.missing, describeDiff(c)).toEqual([]);
      expect(c.extra, describeDiff(c)).toEqual([]);
      expect(c.storedSlots).toBe(c.sentSlots);

      const logs = logLines(r.stderr);
      const failures = logs.filter((l) => l.level === 'warn' && /^push failed/.test(l.msg));
      const recovered = logs.filter((l) => l.msg === 'push recovered');
      console.log(`outage figures (${type})`, JSON.stringify({
        pointsBeforeOutage: before, points: sent.length, stored: c.storedPoints, warnings: failures.length,
        retryIn: failures.map((f) => f.retry_in_s), recoveredAfterMs: doneAt - upAt,
        errors: [...new Set(failures.map((f) => String(f.error).replace(/:\d+/g, ':PORT')))],
      }));
      // push_wait 1 with backoff (about 1, 2, 4, 8 s, jittered) over a 15 s outage: a handful.
      expect(failures.length).toBeGreaterThanOrEqual(3);
      expect(failures.length).toBeLessThanOrEqual(10);
      expect(failures.every((f) => f.points_waiting !== undefined && typeof f.error === 'string')).toBe(true);
      expect(recovered.length).toBe(1);
      expect(recovered[0]!.failed_attempts).toBe(failures.length);
      expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      if (!run.exited()) run.child.kill('SIGKILL');
    }
  }, 150_000);
});
