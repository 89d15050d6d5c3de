// Issue 4, restarts through the real CLI: a 500k-line rest.api log is written progressively (about
// 40 s) while the daemon tails it (--dry-run, parse_from_start, --state-file in a temp dir); the
// daemon is killed with SIGKILL at 5 random points (each after it has written a checkpoint) and
// restarted with the same state file (runs alternate between -j 2 and -j 1: the checkpoint cut must
// hold with parse workers' batches in flight, and -j may change across a restart). The last point of
// every series in the concatenated outputs equals the last point of one uninterrupted --once
// --dry-run run over the finished file: nothing lost, nothing counted twice, metric state (meters,
// EWMA rates, histogram reservoirs) restored.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  cachedSeedLog, Daemon, Feeder, lastPoints, prng, report, restApiConfig, rmrf, sleep, tempDir, until, type Last,
} from './helpers/tail.js';

let dir = '';
let daemon: Daemon | undefined;
let feeder: Feeder | undefined;
afterEach(async () => {
  feeder?.stop();
  await feeder?.done.catch(() => undefined);
  feeder = undefined;
  daemon?.dispose();
  daemon = undefined;
  if (dir) rmrf(dir);
  dir = '';
});

function userSeries(points: Map<string, Last>): Map<string, Last> {
  return new Map([...points].filter(([k]) => !k.startsWith('logmetrics_collector.')));
}

describe('restarts (CLI, daemon mode)', () => {
  it('kill -9 at 5 random points and restart: the final value of every series equals an uninterrupted run', async () => {
    const seed = Number(process.env.TAIL_RESTART_SEED ?? Date.now() % 100_000);
    const rand = prng(seed);
    const t0 = Date.now();
    const src = await cachedSeedLog(500_000);
    dir = tempDir('restart');
    const log = path.join(dir, 'rest.log');
    const state = path.join(dir, 'state', 'state.json');
    const conf = restApiConfig(path.join(dir, 'rest.conf'), [log]);
    const args = ['-c', conf, '--dry-run', '--state-file', state];
    fs.writeFileSync(log, '');
    // parse workers or not: the cut must be consistent with batches in flight too (and -j may change across a restart)
    const threads = (run: number) => (run % 2 === 0 ? 2 : 1);

    const size = fs.statSync(src).size;
    feeder = new Feeder(src, log, size / 40, rand); // about 40 s
    const outputs: string[] = [];
    const kills: Array<{ at_s: number; fed_MB: number; restored_offset_MB: number | null }> = [];
    for (let i = 0; i < 5; i++) {
      const spawnedAt = Date.now();
      const d = daemon = new Daemon([...args, '-j', String(threads(i))]);
      await d.started();
      const resumed = d.findLog('tailing file from its checkpoint');
      if (i > 0) {
        expect(d.findLog('State restored'), d.stderr()).toMatchObject({ files: 1 });
        expect(resumed, d.stderr()).toMatchObject({ path: log });
      } else {
        expect(d.findLog('tailing file from its start'), d.stderr()).toMatchObject({ path: log, offset: 0 });
      }
      // at least one checkpoint written by this process
      await until(() => { try { return fs.statSync(state).mtimeMs >= spawnedAt; } catch { return false; } }, 20_000,
        `a checkpoint (run ${i}, seed ${seed})`);
      await sleep(rand(4500));
      kills.push({ at_s: (Date.now() - t0) / 1000, fed_MB: feeder.written / 1e6, restored_offset_MB: resumed ? Number(resumed.offset) / 1e6 : null });
      await d.kill9();
      outputs.push(d.stdout());
    }
    // the last run: until the log is complete and read to its end, then SIGTERM
    const d = daemon = new Daemon([...args, '-j', String(threads(5))]);
    await d.started();
    expect(d.findLog('State restored'), d.stderr()).toBeTruthy();
    await feeder.done;
    const fedAt = Date.now();
    await until(async () => (await d.status()).files.some((f) => f.path === log && f.offset === size), 60_000, `the last run to catch up (seed ${seed})`, 100);
    const exit = await d.stop();
    expect(exit.code, d.stderr().slice(-3000)).toBe(0);
    outputs.push(d.stdout());
    const tDaemon = Date.now();

    const once = await runCli(['-c', conf, '--once', '--dry-run'], { timeoutMs: 120_000 });
    expect(once.code, once.stderr.slice(-2000)).toBe(0);
    const want = userSeries(lastPoints(once.stdout));
    const got = new Map<string, Last>();
    for (const o of outputs) lastPoints(o, got);
    const have = userSeries(got);

    const missing = [...want.keys()].filter((k) => !have.has(k));
    const extra = [...have.keys()].filter((k) => !want.has(k));
    const differ = [...want].filter(([k, v]) => have.has(k) && (have.get(k)!.ts !== v.ts || have.get(k)!.value !== v.value))
      .map(([k, v]) => `${k}: want ${v.ts} ${v.value}, got ${have.get(k)!.ts} ${have.get(k)!.value}`);
    expect({ missing: missing.slice(0, 5), extra: extra.slice(0, 5), differ: differ.slice(0, 10), nDiffer: differ.length },
      `seed ${seed} (TAIL_RESTART_SEED), kills ${JSON.stringify(kills)}`).toEqual({ missing: [], extra: [], differ: [], nDiffer: 0 });
    expect(want.size).toBeGreaterThan(1000);
    // the kills landed while the log was being written, at different places
    expect(kills.filter((k) => k.fed_MB < size / 1e6).length).toBeGreaterThanOrEqual(3);
    const outLines = outputs.reduce((n, o) => n + o.split('\n').length - 1, 0);
    report('restart', {
      seed, series: want.size, once_points: once.stdout.split('\n').length - 1, daemon_points_all_runs: outLines,
      kills: kills.map((k) => `${k.at_s.toFixed(1)}s/${k.fed_MB.toFixed(1)}MB fed/resumed@${k.restored_offset_MB?.toFixed(1) ?? '-'}MB`).join(','),
      catch_up_after_feed_s: (tDaemon - fedAt) / 1000, total_s: (Date.now() - t0) / 1000,
    });
  }, 240_000);
});
