// Issue 18, cardinality bombs through the real CLI with the default limits (max_tag_values 10,000,
// max_keys 100,000):
// - under --once, every line a new id as a tag: the run completes and prints its output within the
//   memory bound, the overflow series (id=_other_) counts every line past the 10,000th value, and
//   the warning names the tag;
// - live, new ids at 20k lines/s with stale_removal off and the state file on: RSS stays bounded and
//   stops growing, /healthz keeps answering.
// Sizes are cut down for `npm test` (LMC_BOMB_LINES, LMC_LIVE_BOMB_SECONDS); `npm run bench` runs
// the full sizes (10M lines, 120 s) with the same code (test/bench/scale.mjs).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { report, rmrf, tempDir } from './helpers/tail.js';
// @ts-expect-error plain JS shared with the bench
import { bomb, bombConfig, bombLog, liveBomb } from '../bench/scale.mjs';

const LINES = Number(process.env.LMC_BOMB_LINES ?? 2_000_000);
const SECONDS = Number(process.env.LMC_LIVE_BOMB_SECONDS ?? 30);
const RSS_BOUND_MB = 400;

let dir = '';
afterEach(() => { if (dir) rmrf(dir); dir = ''; });

describe('limits and -j', () => {
  it('folds and frees tag values alike with -j 1 and -j 2 (stale removal making room mid-batch)', async () => {
    dir = tempDir('limits-j');
    const log = path.join(dir, 'ids.log');
    // blocks of 3000 lines bring 20 new ids each; 15 values fit; after 60 s of log time ids go stale
    await bombLog(log, 120_000, { perSecond: 100, idOf: (i: number) => `v${Math.floor(i / 3000) * 10 + (i % 20)}` });
    const conf = path.join(dir, 'ids.conf');
    fs.writeFileSync(conf, bombConfig([log], {}, { max_tag_values: 15, stale_removal: true, stale_threshold_min: 1, interval: 10 }));
    const [a, b] = await Promise.all(['1', '2'].map((j) => runCli(['-c', conf, '--once', '--dry-run', '-j', j], { timeoutMs: 120_000 })));
    expect(a!.code, a!.stderr.slice(-2000)).toBe(0);
    expect(b!.code, b!.stderr.slice(-2000)).toBe(0);
    expect(a!.stdout).toContain('id=_other_');
    expect(b!.stdout === a!.stdout).toBe(true);
    expect(a!.stderr).toMatch(/max_tag_values/);
  }, 180_000);
});

describe('cardinality bomb (CLI)', () => {
  it(`--once over ${LINES} lines, each a new id: completes, bounded, every line counted, the tag named`, async () => {
    dir = tempDir('bomb');
    const r = await bomb({ cli: CLI, dir, lines: LINES });
    expect(r.code, r.stderrTail).toBe(0);
    expect(r.peakRssMB).toBeLessThan(RSS_BOUND_MB);
    expect(r.series).toBe(10_001); // 10,000 ids, then _other_
    expect(r.overflow).toBe(LINES - 10_000);
    expect(r.total).toBe(LINES);
    expect(r.warning).toMatchObject({ level: 'warn', log_group: 'bomb', tag: 'id', max_tag_values: 10_000 });
    expect(String(r.warning.example)).toMatch(/^r/);
    report('bomb-once', { lines: LINES, wall_s: r.wall, lines_per_s: r.linesPerSec, peak_rss_mb: r.peakRssMB, overflow: r.overflow });
  }, 600_000);

  it(`live, 20k new ids a second for ${SECONDS} s, state file on: RSS bounded and flat, /healthz answers`, async () => {
    dir = tempDir('livebomb');
    const r = await liveBomb({ cli: CLI, dir: path.join(dir), seconds: SECONDS });
    expect(r.code, r.stderrTail).toBe(0);
    expect(r.rssMaxMB).toBeLessThan(RSS_BOUND_MB);
    // flat: the last third of the run holds no more than the middle third (+10%)
    expect(r.rssLastMaxMB).toBeLessThan(r.rssMiddleMaxMB * 1.1 + 10);
    expect(r.group).toMatchObject({ log_group: 'bomb', keys: 20_002, tags: [{ tag: 'id', values: 10_001 }] });
    expect(r.group.tags[0].folded).toBeGreaterThan(r.written / 2);
    expect(r.cuts).toBeGreaterThan(SECONDS / 10);
    expect(r.healthzP99).toBeLessThan(1000); // the 100 ms is measured by `npm run bench`, on a quiet host
    report('bomb-live', { seconds: SECONDS, written: r.written, rss_max_mb: r.rssMaxMB, rss_middle_max_mb: r.rssMiddleMaxMB,
      rss_last_max_mb: r.rssLastMaxMB, healthz_p50_ms: r.healthzP50, healthz_p99_ms: r.healthzP99, healthz_max_ms: r.healthzMax,
      cuts: r.cuts, cut_max_s: r.cutMaxSec, state_bytes: r.stateBytes });
  }, 600_000);
});
