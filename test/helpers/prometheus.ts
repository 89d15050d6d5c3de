// A real Prometheus (Debian's /usr/bin/prometheus) with its remote-write receiver, for push_type
// remote_write: started on a free loopback port with its own data dir and config, queried over its
// HTTP API, stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './victoria.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface PromSample { metric: Record<string, string>; values: Array<[number, string]> }

export interface Prometheus {
  pid: number;
  port: number;
  /** GET /api/v1/query; a range selector (`x[1h]`) gives every raw sample. */
  query(q: string, time?: number): Promise<PromSample[]>;
  /** A counter of its own /metrics (summed over the series matching `labels`). */
  ownMetric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export async function startPrometheus(opts: { config?: string } = {}): Promise<Prometheus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lmc-prom-'));
  await writeFile(path.join(dir, 'prometheus.yml'), opts.config ?? 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  const child: ChildProcess = spawn(PROMETHEUS_BIN, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => { running = false; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try { if ((await fetch(`${base}/-/ready`)).ok) break; } catch { /* not up yet */ }
    if (!running) throw new Error(`prometheus exited at start-up: ${stderr}`);
    if (Date.now() > deadline) { process.kill(child.pid!, 'SIGKILL'); throw new Error(`prometheus not ready: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    port,
    async query(q, time) {
      const params = new URLSearchParams({ query: q, ...(time !== undefined ? { time: String(time) } : {}) });
      const r = await fetch(`${base}/api/v1/query?${params}`);
      const j = await r.json() as { status: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; values?: Array<[number, string]>; value?: [number, string] }> }; error?: string };
      if (j.status !== 'success') throw new Error(`query ${q}: ${j.error}`);
      return j.data!.result.map((s) => ({ metric: s.metric, values: s.values ?? (s.value ? [s.value] : []) }));
    },
    async ownMetric(name, labels = {}) {
      const text = await (await fetch(`${base}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
        if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(' ').pop());
      }
      return sum;
    },
    async stop() {
      if (running) { process.kill(child.pid!, 'SIGTERM'); await exited; }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
