// Issue 5, point 1: the real CLI replays a fixture with `--once` (no --dry-run) to a real
// VictoriaMetrics over tcp (`put` lines), http (/api/put) and udp, and to a tcollector-style line
// server (bare lines); what arrives is exactly what `--dry-run` printed for the same input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startTcpLineServer } from '../helpers/lineserver.js';
import { startVictoria, type Victoria } from '../helpers/victoria.js';
import {
  ASSUME_NOW, compare, describeDiff, dryRun, exportedPoints, fixtureConfig, logLines, parsePoints, removeDir, tempDir,
} from './helpers/collector.js';

let vm: Victoria;
let dir: string;

beforeAll(async () => {
  dir = tempDir('protocols');
  vm = await startVictoria();
});

afterAll(async () => {
  await vm?.destroy();
  if (dir) removeDir(dir);
});

const FIXTURES = ['rest_api', 'live_misc'] as const;
const PROTOS = [
  { proto: 'tcp', port: () => vm.ports.tsdb },
  { proto: 'http', port: () => vm.ports.tsdbHttp },
  { proto: 'udp', port: () => vm.ports.tsdb },
] as const;

describe('--once replays land in VictoriaMetrics exactly as --dry-run prints them', () => {
  for (const fx of FIXTURES) {
    for (const p of PROTOS) {
      it(`${fx} over ${p.proto} (tsd)`, async () => {
        const tag = `${p.proto}_${fx}`;
        const conf = fixtureConfig(dir, fx, {
          push_type: 'tsd', push_proto: p.proto, push_host: '127.0.0.1', push_port: p.port(), push_wait: 1, state_file: '',
        }, tag);
        const expected = await dryRun(conf, ['--assume-now', ASSUME_NOW]);
        const sent = parsePoints(expected);
        expect(sent.length).toBeGreaterThan(500);

        const r = await runCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
        expect(r.code, r.stderr.slice(-2000)).toBe(0);
        expect(logLines(r.stderr).filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);

        const match = `{run="${tag}"}`;
        const stored = exportedPoints(await vm.waitForSamples(sent.length, match, 20_000));
        const c = compare(sent, stored, 'exact');
        expect(c.missing, describeDiff(c)).toEqual([]);
        expect(c.extra, describeDiff(c)).toEqual([]);
        expect(c.storedPoints).toBe(c.sentPoints);
        expect(c.storedSlots).toBe(c.sentSlots);
        if (fx === 'live_misc') {
          // send_duplicates and out-of-order lines: some (series, ts) are sent twice with two values;
          // VictoriaMetrics (no -dedup.minScrapeInterval) keeps both, so the exact comparison covers them.
          expect(c.slotsSentTwiceDiffering).toBeGreaterThan(0);
          // Floats and a Unicode tag value made it through unchanged.
          expect(stored.some((x) => x.value === 2.833333)).toBe(true);
          expect(stored.some((x) => x.series.includes('user=zo\u00eb'))).toBe(true);
        }
      });
    }
  }

  it('rest_api and live_misc over tcp as tcollector bare lines (line server): byte for byte', async () => {
    const srv = await startTcpLineServer();
    try {
      let all: string[] = [];
      for (const fx of FIXTURES) {
        const conf = fixtureConfig(dir, fx, {
          push_type: 'tcollector', push_proto: 'tcp', push_host: '127.0.0.1', push_port: srv.port, push_wait: 1, state_file: '',
        }, `tcollector_${fx}`);
        const expected = (await dryRun(conf, ['--assume-now', ASSUME_NOW])).split('\n').filter(Boolean);
        expect(expected.every((l) => !l.startsWith('put '))).toBe(true);
        all = [...all, ...expected];
        const r = await runCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
        expect(r.code, r.stderr.slice(-2000)).toBe(0);
        await srv.waitForLines(all.length, 15_000);
      }
      expect(srv.raw().endsWith('\n')).toBe(true);
      expect([...srv.lines].sort()).toEqual(all.sort());
    } finally {
      await srv.close();
    }
  });
});
