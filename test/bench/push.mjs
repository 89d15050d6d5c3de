// `npm run bench` case for issue 22: a --once replay of the seed log pushed for real to a local
// VictoriaMetrics, through remote_write and through tsd over tcp, in alternate runs (the host's
// speed drifts), whole process. The requirement: remote_write at >= 0.8x the lines/s of tsd/tcp.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedConfig } from './gen.mjs';

const VICTORIA = process.env.VICTORIA_BIN ?? '/usr/bin/victoria-metrics';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function startVictoria() {
  const dataDir = mkdtempSync(join(tmpdir(), 'lmc-bench-vm-'));
  const http = await freePort();
  const tsdb = await freePort();
  const child = spawn(VICTORIA, [`-storageDataPath=${dataDir}`, '-retentionPeriod=100y', `-httpListenAddr=127.0.0.1:${http}`,
    `-opentsdbListenAddr=127.0.0.1:${tsdb}`, '-loggerLevel=ERROR'], { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`http://127.0.0.1:${http}/health`)).ok) break; } catch { /* not up yet */ }
    await sleep(50);
  }
  const stop = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { http, tsdb, stop };
}

/** Rows VictoriaMetrics inserted so far (its own counter), to check that each run really delivered. */
async function rowsInserted(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^vm_rows_inserted_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
}

export async function remoteWrite({ dir, cli, benchPair, timed, seedLog, lines }) {
  const vm = await startVictoria();
  try {
    const conf = (name, settings) => {
      const f = join(dir, `push-${name}.conf`);
      writeFileSync(f, seedConfig([seedLog], { state_file: '', push_host: '127.0.0.1', push_wait: 1, ...settings }));
      return f;
    };
    const tcp = conf('tcp', { push_type: 'tsd', push_proto: 'tcp', push_port: vm.tsdb });
    const rw = conf('rw', { push_type: 'remote_write', push_port: vm.http });
    const delivered = [];
    const run = (f) => () => {
      const r = timed('node', [cli, '-c', f, '--once'], { stdio: ['ignore', 'ignore', 'pipe'] });
      const sent = /"points_sent":(\d+)/.exec(r.stderr ?? '')?.[1];
      delivered.push(Number(sent ?? NaN));
      return r;
    };
    const before = await rowsInserted(vm.http);
    const { a, b, ratio } = benchPair(
      { name: 'seed replay pushed to VictoriaMetrics, tsd over tcp', lines, run: run(tcp) },
      { name: 'seed replay pushed to VictoriaMetrics, remote_write', lines, run: run(rw) },
    );
    await sleep(1500);   // VictoriaMetrics' counters trail by up to a second
    const rows = (await rowsInserted(vm.http)) - before;
    return { tcp: a, rw: b, ratio, pointsPerRun: delivered[0], runs: delivered.length, rowsPerRun: rows / delivered.length };
  } finally {
    await vm.stop();
  }
}
