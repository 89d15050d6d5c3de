// A real VictoriaMetrics (Debian's /usr/bin/victoria-metrics) as the TSD for push tests: OpenTSDB
// telnet `put` lines over TCP and UDP on `tsdb`, OpenTSDB HTTP /api/put on `tsdbHttp`, queries and
// export on `http`. Each test file starts its own on free loopback ports with its own data dir; a
// restart on the same ports and data dir is how "the TSD came back" is tested.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const VICTORIA_BIN = process.env.VICTORIA_BIN ?? '/usr/bin/victoria-metrics';

export interface VictoriaPorts { http: number; tsdb: number; tsdbHttp: number }

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];   // ms
}

export interface Victoria {
  pid: number;
  ports: VictoriaPorts;
  dataDir: string;
  /** Series matching `match` after a forced flush (GET /internal/force_flush, then /api/v1/export). */
  export(match?: string): Promise<ExportedSeries[]>;
  /** Deletes the series matching `match` (so a later run's export starts empty). */
  deleteSeries(match: string): Promise<void>;
  /** Polls export() until it holds at least `samples` samples (or the timeout), then returns it. */
  waitForSamples(samples: number, match?: string, timeoutMs?: number): Promise<ExportedSeries[]>;
  /** SIGTERM (VM flushes what it acknowledged) and waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and waits for the exit. */
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Starts a new VictoriaMetrics on the same ports and data dir (after stop()). */
  restart(): Promise<Victoria>;
  /** stop() if running, then deletes the data dir if this helper created it. */
  destroy(): Promise<void>;
}

export interface StartVictoriaOptions {
  dataDir?: string;
  port?: VictoriaPorts;
  /** Extra command-line flags. */
  flags?: string[];
  /** destroy() deletes the data dir (default: when this call created it). */
  ownDataDir?: boolean;
}

function listenTcp(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

function bindUdp(port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => { s.close(); resolve(null); });
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/** A loopback port free for TCP (and for UDP too when `udp`), found by binding port 0 and closing. */
export async function freePort(udp = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const s = await listenTcp(0);
    const port = (s.address() as net.AddressInfo).port;
    const u = udp ? await bindUdp(port) : null;
    await new Promise<void>((r) => s.close(() => r()));
    if (u) u.close();
    if (!udp || u) return port;
  }
  throw new Error('no free port');
}

async function healthy(port: number): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/health`);
    return r.ok;
  } catch {
    return false;
  }
}

/**
 * Starts VictoriaMetrics. With ports of our choosing, a port taken between freePort() closing it and
 * VictoriaMetrics binding it (test files run in parallel) is a race, not a failure: retry on fresh ports.
 */
export async function startVictoria(opts: StartVictoriaOptions = {}): Promise<Victoria> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startVictoriaOnce(opts);
    } catch (e) {
      if (opts.port || attempt >= 5 || !/address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startVictoriaOnce(opts: StartVictoriaOptions): Promise<Victoria> {
  const ownDir = opts.ownDataDir ?? !opts.dataDir;
  const dataDir = opts.dataDir ?? await mkdtemp(path.join(os.tmpdir(), 'lmc-vm-'));
  const ports = opts.port ?? { http: await freePort(), tsdb: await freePort(true), tsdbHttp: await freePort() };
  const args = [
    `-storageDataPath=${dataDir}`, '-retentionPeriod=100y',
    `-httpListenAddr=127.0.0.1:${ports.http}`,
    `-opentsdbListenAddr=127.0.0.1:${ports.tsdb}`,
    `-opentsdbHTTPListenAddr=127.0.0.1:${ports.tsdbHttp}`,
    '-search.disableCache', '-loggerLevel=ERROR', ...(opts.flags ?? []),
  ];
  const child: ChildProcess = spawn(VICTORIA_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => { running = false; });

  const deadline = Date.now() + 15_000;
  while (!(await healthy(ports.http))) {
    if (!running) throw new Error(`victoria-metrics exited at start-up: ${stderr}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`victoria-metrics not healthy: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 50));
  }

  const signal = async (sig: NodeJS.Signals) => {
    if (!running) return;
    child.kill(sig);
    await exited;
  };

  const vm: Victoria = {
    pid: child.pid!,
    ports,
    dataDir,
    async export(match = '{__name__!=""}') {
      await fetch(`http://127.0.0.1:${ports.http}/internal/force_flush`);
      const r = await fetch(`http://127.0.0.1:${ports.http}/api/v1/export`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'match[]': match }).toString(),
      });
      if (!r.ok) throw new Error(`export: HTTP ${r.status}: ${await r.text()}`);
      return (await r.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ExportedSeries);
    },
    async deleteSeries(match) {
      const r = await fetch(`http://127.0.0.1:${ports.http}/api/v1/admin/tsdb/delete_series?${new URLSearchParams({ 'match[]': match })}`, { method: 'POST' });
      if (!r.ok) throw new Error(`delete_series: HTTP ${r.status}: ${await r.text()}`);
    },
    async waitForSamples(samples, match, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const got = await vm.export(match);
        const n = got.reduce((a, s) => a + s.values.length, 0);
        if (n >= samples || Date.now() > end) return got;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => { process.kill(child.pid!, 'SIGSTOP'); },
    resume: () => { process.kill(child.pid!, 'SIGCONT'); },
    async restart() {
      await signal('SIGTERM');
      return startVictoria({ dataDir, port: ports, flags: opts.flags, ownDataDir: ownDir });
    },
    async destroy() {
      if (running) { try { process.kill(child.pid!, 'SIGCONT'); } catch { /* gone */ } }
      await signal('SIGTERM');
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return vm;
}

/** Export rows flattened to comparable "metric{k=v,...} ts_ms value" strings, sorted. */
export function flatten(series: ExportedSeries[]): string[] {
  const out: string[] = [];
  for (const s of series) {
    const { __name__: name, ...tags } = s.metric;
    const t = Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join(' ');
    s.values.forEach((v, i) => out.push(`${name} ${s.timestamps[i]} ${v} ${t}`));
  }
  return out.sort();
}

/** What flatten() gives for points once VictoriaMetrics stored them (seconds become ms). */
export function expectedFlat(points: Array<{ metric: string; ts: number; value: string; tags: string }>): string[] {
  return points.map((p) => {
    const t = p.tags.split(' ').filter(Boolean).sort().join(' ');
    return `${p.metric} ${p.ts * 1000} ${Number(p.value)} ${t}`;
  }).sort();
}

/**
 * n distinct points under `prefix`: old timestamps (February 2026), integer and float values, 1 to 4
 * tags including '/', '.', '-' and a Unicode letter, metric names with '-' and '_'.
 */
export function samplePoints(prefix: string, n: number, startTs = 1_770_000_000) {
  const metrics = ['count', 'rate._1min', 'std-dev', 'p99', 'sample_size'];
  const out: Array<{ metric: string; ts: number; value: string; tags: string }> = [];
  for (let i = 0; i < n; i++) {
    const tags = [`host=h${i % 3}`, `path=/api/v${i % 2}/users`, `zone=eu-west.${i % 4}`, 'lang=café']
      .slice(0, 1 + (i % 4)).sort().join(' ');
    const value = i % 3 === 0 ? String(i * 7) : i % 3 === 1 ? (i / 8).toFixed(6) : String(i * 1.5 + 0.25);
    out.push({ metric: `${prefix}.${metrics[i % metrics.length]}`, ts: startTs + i * 10, value, tags });
  }
  return out;
}
