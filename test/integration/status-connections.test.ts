// Issue 19: 1,100 half-open connections to status_listen must not cut /healthz off. Run as a systemd
// service runs it: file descriptors limited to 1,024 (prlimit), so without a cap the idle sockets
// take every descriptor and the kernel-accepted /healthz connection is reset.
// Bound checked: with the 1,100 connections held open, every /healthz answers 200 within 3 s; the
// collector keeps at most 64 status sockets (counted in /proc/<pid>/fd), and a log file created
// meanwhile is still opened and read.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, NODE, ROOT } from '../helpers/cli.js';
import { httpGet, numLines, promCounter, report, rmrf, simpleGroup, sleep, tempDir, until, writeConfig } from './helpers/tail.js';

const HALF_OPEN = 1100;
const HEALTHZ_BOUND_MS = 3000;
const MAX_STATUS_SOCKETS = 64;

let dir = '';
const cleanup: Array<() => void> = [];
afterEach(() => { for (const c of cleanup.splice(0)) c(); if (dir) rmrf(dir); dir = ''; });

/** Sockets of `pid` connected to local port `port` (its own side of the status connections). */
function statusSockets(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch { /* closed meanwhile */ }
  }
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // local address :port, state 01 (established), inode
    if (f[1]?.endsWith(':' + hex) && f[3] === '01' && inodes.has(f[9]!)) n++;
  }
  return n;
}

async function timedGet(port: number, p: string): Promise<{ ms: number; body: string }> {
  const t = performance.now();
  const body = await httpGet(port, p, HEALTHZ_BOUND_MS);
  return { ms: performance.now() - t, body };
}

describe('status endpoint under 1,100 half-open connections (CLI, 1,024 file descriptors)', () => {
  it('/healthz keeps answering; the collector holds at most 64 status sockets; new files are still read', async () => {
    dir = tempDir('status-conns');
    const a = path.join(dir, 'a.log');
    fs.writeFileSync(a, numLines('a', 0, 3));
    const conf = writeConfig(path.join(dir, 'c.conf'), [simpleGroup({ name: 'g', files: [path.join(dir, '*.log')] })]);
    const child = spawn('prlimit', ['--nofile=1024:1024', NODE, CLI, '-c', conf, '--dry-run'],
      { cwd: ROOT, env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'ignore', 'pipe'] });
    cleanup.push(() => child.kill('SIGKILL'));
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => { err += s; });
    const port = await until(() => err.includes('Collector started') && Number(/"port":(\d+)/.exec(err)?.[1]), 60_000, () => `start-up: ${err.slice(-1000)}`);
    expect((await timedGet(port, '/healthz')).body).toBe('ok\n');

    const socks: net.Socket[] = [];
    cleanup.push(() => { for (const s of socks) s.destroy(); });
    for (let i = 0; i < HALF_OPEN; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      socks.push(s);
    }
    await sleep(2000);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await timedGet(port, '/healthz');
      expect(r.body).toBe('ok\n');
      answers.push(r.ms);
      await sleep(200);
    }
    const held = statusSockets(child.pid!, port);
    // a file that appears now is opened and read (descriptors are left for it)
    fs.writeFileSync(path.join(dir, 'b.log'), numLines('b', 0, 4));
    const read = await until(async () => (await promCounter(await httpGet(port, '/metrics'), 'logmetrics_collector_tail_line_read_total', 'filename')).get(path.join(dir, 'b.log')),
      20_000, 'b.log to be read');
    const dropped = Number(/^logmetrics_collector_status_connection_dropped_total (\d+)$/m.exec(await httpGet(port, '/metrics'))?.[1]);
    report('status-half-open', { connections: HALF_OPEN, healthz_ms: answers.map((m) => Math.round(m)).join('/'), status_sockets: held, dropped });
    expect(Math.max(...answers)).toBeLessThan(HEALTHZ_BOUND_MS);
    expect(held).toBeLessThanOrEqual(MAX_STATUS_SOCKETS);
    expect(read).toBe(4);
    expect(dropped).toBeGreaterThanOrEqual(HALF_OPEN - MAX_STATUS_SOCKETS);
    expect(err).toMatch(/"msg":"Status endpoint at its connection cap: oldest idle connections closed"/);
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
  }, 120_000);
});
