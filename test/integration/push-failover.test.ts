// Issue 5, point 4: fail-over. push_host lists a host that refuses connections first and
// VictoriaMetrics second; every point lands on the second, exactly as --dry-run prints them, and
// the collector says once per pusher that it failed over (no backoff: the next host answered).
// Both spellings work: `host:port` entries (each overriding push_port), and plain hosts sharing
// push_port (127.0.0.2 refuses: VictoriaMetrics listens on 127.0.0.1 only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { refusedPort } from '../helpers/lineserver.js';
import { startVictoria, type Victoria } from '../helpers/victoria.js';
import {
  ASSUME_NOW, compare, describeDiff, dryRun, exportedPoints, fixtureConfig, logLines, parsePoints, removeDir, tempDir,
} from './helpers/collector.js';

let vm: Victoria;
let dir: string;

beforeAll(async () => {
  dir = tempDir('failover');
  vm = await startVictoria();
});

afterAll(async () => {
  await vm?.destroy();
  if (dir) removeDir(dir);
});

async function replay(tag: string, settings: Record<string, unknown>, refusing: string, working: string, pushers: number) {
  const conf = fixtureConfig(dir, 'rest_api', { push_type: 'tsd', push_wait: 1, state_file: '', push_number: pushers, ...settings }, tag);
  const sent = parsePoints(await dryRun(conf, ['--assume-now', ASSUME_NOW]));
  const r = await runCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
  expect(r.code, r.stderr.slice(-2000)).toBe(0);

  const stored = exportedPoints(await vm.waitForSamples(sent.length, `{run="${tag}"}`, 20_000));
  const c = compare(sent, stored, 'exact');
  expect(c.missing, describeDiff(c)).toEqual([]);
  expect(c.extra, describeDiff(c)).toEqual([]);

  const logs = logLines(r.stderr);
  const over = logs.filter((l) => l.msg === 'push failed, failing over to the next push_host');
  expect(over.length).toBeGreaterThanOrEqual(1);
  expect(over.length).toBeLessThanOrEqual(pushers);
  for (const w of over) {
    expect(w.host).toBe(refusing);
    expect(w.next_host).toBe(working);
    expect(String(w.error)).toMatch(/ECONNREFUSED/);
  }
  expect(logs.filter((l) => l.msg === 'push failed, retrying')).toEqual([]);
  expect(logs.find((l) => l.msg === 'Replay finished')).toMatchObject({ points_sent: sent.length, send_errors: over.length });
}

describe('fail-over to the next push_host', () => {
  it('tcp, `host:port` entries: a refusing port first, VictoriaMetrics second', async () => {
    const bad = await refusedPort();
    await replay('failover_hostport', {
      push_proto: 'tcp', push_port: bad, push_host: [`127.0.0.1:${bad}`, `127.0.0.1:${vm.ports.tsdb}`],
    }, `127.0.0.1:${bad}`, `127.0.0.1:${vm.ports.tsdb}`, 1);
  });

  it('http, plain hosts on push_port, two pushers: 127.0.0.2 refuses, 127.0.0.1 answers', async () => {
    await replay('failover_hosts', {
      push_proto: 'http', push_port: vm.ports.tsdbHttp, push_host: ['127.0.0.2', '127.0.0.1'],
    }, `127.0.0.2:${vm.ports.tsdbHttp}`, `127.0.0.1:${vm.ports.tsdbHttp}`, 2);
  });
});
