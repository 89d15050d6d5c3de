// Issue 5, point 2: a slow TSD. A 500k-line `--once` replay pushes over http (OpenTSDB /api/put, and
// issue 22's remote_write) to a VictoriaMetrics that is SIGSTOPped for 20 s mid-replay. While it is stopped the collector's memory stays bounded
// and it stops reading its log (backpressure from the bounded queue reaches the tailer); after
// SIGCONT every point arrives, none twice with another value, exactly the points --dry-run prints.
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startVictoria, type Victoria } from '../helpers/victoria.js';
import {
  ASSUME_NOW, compare, describeDiff, dryRun, exportedPoints, keySent, logLines, rchar, removeDir, rssMB, seedConfig,
  seedLog, sleep, spawnCli, tempDir, until,
} from './helpers/collector.js';
import { parseDryRun, seedMatch, type PushType } from './helpers/formats.js';

const LINES = 500_000;
const PER_SECOND = 2780;       // 3 minutes of log time: about 53k points
const PAUSE_MS = 20_000;
const RSS_LIMIT_MB = 250;
const QUEUE = 2000;

let vm: Victoria;
let dir: string;

beforeAll(async () => {
  dir = tempDir('slow');
  vm = await startVictoria();
});

afterAll(async () => {
  await vm?.destroy();
  if (dir) removeDir(dir);
});

const MODES: Array<{ name: string; type: PushType; target: () => Record<string, unknown> }> = [
  { name: 'OpenTSDB http', type: 'tsd', target: () => ({ push_proto: 'http', push_port: vm.ports.tsdbHttp }) },
  { name: 'remote_write', type: 'remote_write', target: () => ({ push_port: vm.ports.http }) },
];

describe.each(MODES)('slow TSD (SIGSTOPped for 20 s), $name', ({ type, target }) => {
  it('keeps memory bounded, stops reading, and delivers every point after SIGCONT', async () => {
    const log = await seedLog(LINES, PER_SECOND);
    const size = statSync(log).size;
    const conf = path.join(dir, `slow-${type}.conf`);
    const statusPort = await freePort();
    writeFileSync(conf, seedConfig([log], {
      push_type: type, ...target(), push_host: '127.0.0.1',
      push_wait: 1, queue_size: QUEUE, state_file: '', status_listen: `127.0.0.1:${statusPort}`,
    }));
    const sent = parseDryRun(type, await dryRun(conf, ['--assume-now', ASSUME_NOW]));
    await vm.deleteSeries(seedMatch(type));   // remote_write and influx store the same names
    expect(sent.length).toBeGreaterThan(40_000);

    const t0 = Date.now();
    const run = spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 150_000 });
    const rss: number[] = [];
    const sampler = setInterval(() => { const v = rssMB(run.pid); if (!Number.isNaN(v)) rss.push(v); }, 200);
    try {
      // Mid-replay: the TSD stops once it has acknowledged some of the collector's points.
      await until(async () => run.exited() || await keySent(statusPort) > 0, 60_000, 'the first points to arrive', 10);
      expect(run.exited()).toBe(false);
      vm.pause();
      const pausedAt = Date.now();
      const readAtPause = rchar(run.pid);

      // Reading stops: rchar (every read()/pread(), the log's included) stays put for 1 s.
      let last = rchar(run.pid);
      let stillSince = Date.now();
      await until(() => {
        const now = rchar(run.pid);
        if (now !== last) { last = now; stillSince = Date.now(); }
        return Date.now() - stillSince >= 1000;
      }, 10_000, 'the collector to stop reading', 100);
      const stalledAt = Date.now();
      const readAtStall = rchar(run.pid);
      const rssAtStall = rssMB(run.pid);
      await sleep(Math.max(0, pausedAt + PAUSE_MS - Date.now()));
      const readAtResume = rchar(run.pid);
      const rssAtResume = rssMB(run.pid);
      expect(run.exited()).toBe(false);
      vm.resume();

      const r = await run.result;
      const total = Date.now() - t0;
      clearInterval(sampler);
      expect(r.code, r.stderr.slice(-2000)).toBe(0);

      const figures = {
        fileMB: +(size / 2 ** 20).toFixed(1), readAtPauseMB: +(readAtPause / 2 ** 20).toFixed(1),
        readAtStallMB: +(readAtStall / 2 ** 20).toFixed(1), stallAfterMs: stalledAt - pausedAt,
        readWhileStalledBytes: readAtResume - readAtStall, rssAtStallMB: +rssAtStall.toFixed(1),
        rssAtResumeMB: +rssAtResume.toFixed(1), rssPeakMB: +Math.max(...rss).toFixed(1), totalMs: total, points: sent.length,
      };
      console.log(`slow TSD figures (${type})`, JSON.stringify(figures));
      // It stopped well before the end of the log, a bounded amount after the TSD stopped (what fills
      // the queue: one 15 s flush of about 4,400 points is about 8 MB of log here), and read (next
      // to) nothing while the TSD was stopped.
      expect(readAtStall - readAtPause).toBeLessThan(24 * 2 ** 20);
      expect(readAtStall).toBeLessThan(size / 2);
      expect(readAtResume - readAtStall).toBeLessThan(256 * 1024);
      expect(pausedAt + PAUSE_MS - stalledAt).toBeGreaterThan(8_000);
      // Memory stayed bounded the whole run.
      expect(rss.length).toBeGreaterThan(50);
      expect(Math.max(...rss)).toBeLessThan(RSS_LIMIT_MB);
      expect(rssAtResume - rssAtStall).toBeLessThan(30);
      // A 20 s stall is under the 30 s request timeout: nothing failed, nothing to warn about.
      expect(logLines(r.stderr).filter((l) => l.level === 'error')).toEqual([]);

      const stored = exportedPoints(await vm.waitForSamples(sent.length, seedMatch(type), 30_000));
      const c = compare(sent, stored, 'atLeastOnce');
      expect(c.missing, describeDiff(c)).toEqual([]);
      expect(c.extra, describeDiff(c)).toEqual([]);
      expect(c.storedSlots).toBe(c.sentSlots);
      // No (series, ts) holds a value the collector did not send for it (checked by `extra`), and
      // nothing was stored more often than sent unless a retry resent the very same point.
      console.log(`slow TSD points (${type})`, JSON.stringify({ sent: c.sentPoints, stored: c.storedPoints, slots: c.sentSlots }));
    } finally {
      clearInterval(sampler);
      vm.resume();
      if (!run.exited()) run.child.kill('SIGKILL');
    }
  }, 150_000);
});
