// Issue 22: a --once replay of the seed log through remote_write, and one through influx, into a real
// VictoriaMetrics (remote write on /api/v1/write; InfluxDB line protocol on /write, with
// -influxSkipSingleField so a one-field line is stored under its measurement's name, as README says).
// Read back with /api/v1/export: every point --dry-run prints is stored with the same value and
// timestamp under the mapped name, and nothing else is.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startVictoria, type Victoria } from '../helpers/victoria.js';
import { ASSUME_NOW, compare, describeDiff, dryRun, exportedPoints, logLines, removeDir, seedConfig, seedLog, spawnCli, tempDir } from './helpers/collector.js';
import { parseDryRun, type PushType } from './helpers/formats.js';

const LINES = 200_000;
const PER_SECOND = 278;

let dir: string;
let vm: Victoria | null = null;
beforeAll(() => { dir = tempDir('write'); });
afterAll(() => { if (dir) removeDir(dir); });
afterEach(async () => { await vm?.destroy(); vm = null; });

async function replay(type: PushType, settings: Record<string, unknown>) {
  const log = await seedLog(LINES, PER_SECOND);
  const conf = path.join(dir, `${type}.conf`);
  writeFileSync(conf, seedConfig([log], { push_type: type, push_host: '127.0.0.1', push_wait: 1, state_file: '', ...settings }));
  const sent = parseDryRun(type, await dryRun(conf, ['--assume-now', ASSUME_NOW]));
  const t0 = Date.now();
  const r = await spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 150_000 }).result;
  const ms = Date.now() - t0;
  expect(r.code, r.stderr.slice(-2000)).toBe(0);
  const logs = logLines(r.stderr);
  expect(logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  const done = logs.find((l) => l.msg === 'Replay finished')!;
  expect(done).toMatchObject({ points_sent: sent.length, send_errors: 0 });
  const stored = exportedPoints(await vm!.waitForSamples(sent.length, '{__name__!=""}', 30_000));
  const c = compare(sent, stored, 'exact');
  console.log(`${type} replay`, JSON.stringify({ lines: LINES, points: sent.length, stored: c.storedPoints, slots: c.sentSlots, ms }));
  return c;
}

const CASES: Array<{ type: PushType; flags: string[] }> = [
  { type: 'remote_write', flags: [] },
  { type: 'influx', flags: ['-influxSkipSingleField'] },
];

describe('--once replays into VictoriaMetrics', () => {
  it.each(CASES)('$type: every dry-run point stored under its mapped name, nothing else', async ({ type, flags }) => {
    vm = await startVictoria({ flags });
    const c = await replay(type, { push_port: vm.ports.http });
    expect(c.sentPoints).toBeGreaterThan(100_000);
    expect(c.missing, describeDiff(c)).toEqual([]);
    expect(c.extra, describeDiff(c)).toEqual([]);
    expect(c.storedPoints).toBe(c.sentPoints);
  }, 180_000);
});
