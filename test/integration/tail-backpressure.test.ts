// Issue 4, backpressure through the real CLI: a 1 GB log (5M lines) waits to be read while the
// daemon's output (--dry-run, stdout a pipe nobody reads) is blocked. The collector stops reading
// and its RSS stays under 200 MB; once the pipe is read, everything is processed and the final
// counts match. The 1 GB file is deleted afterwards.
// Also: SIGTERM while the output is blocked (stdout not read, a TSD that refuses connections or
// accepts and never reads) ends the daemon within its shutdown deadline with exit code 0 and a
// consistent state file, from which a restart finishes the job with exact counts.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { peekState } from '../../src/state/peek.js';
import {
  Daemon, finalCounts, isoAt, lastPoints, numLine, report, rmrf, rssMB, simpleGroup, sleep, tempDir, until, writeConfig,
} from './helpers/tail.js';

let dir = '';
let daemon: Daemon | undefined;
afterEach(() => { daemon?.dispose(); daemon = undefined; if (dir) rmrf(dir); dir = ''; });

/** `lines` lines of about 200 bytes, 2 lines per second of log time. Returns the size. */
function writeBigLog(file: string, lines: number): number {
  const fd = fs.openSync(file, 'w');
  const pad = 'p'.repeat(160);
  let size = 0;
  try {
    let chunk = '';
    let sec = -1;
    let iso = '';
    for (let i = 0; i < lines; i++) {
      const s = Math.floor(i / 2);
      if (s !== sec) { sec = s; iso = isoAt(s); }
      chunk += `${iso} file=big n=${i} ${pad}\n`;
      if (chunk.length >= 4 << 20) { size += fs.writeSync(fd, chunk); chunk = ''; }
    }
    size += fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
  return size;
}

describe('backpressure (CLI, daemon mode)', () => {
  it('a 1 GB log waiting behind a blocked stdout: reading stops, RSS stays under 200 MB, all of it is processed once unblocked', async () => {
    const LINES = 5_000_000;
    const t0 = Date.now();
    dir = tempDir('bp');
    const big = path.join(dir, 'big.log');
    const size = writeBigLog(big, LINES);
    expect(size).toBeGreaterThan(1e9);
    const tGen = Date.now();
    const conf = writeConfig(path.join(dir, 'bp.conf'), [
      simpleGroup({ name: 'bp', files: [big], interval: 1, live_poll: false, parse_from_start: true,
        metrics: '{ counter: [ { key_suffix: lines, reference: [ [0, ""] ] }, { key_suffix: seqsum, reference: [ [3, ""] ] } ] }' }),
    ]);
    // interval 1 and a line every half second of log time: a point per line, 250 MB of output in all
    // (without backpressure somewhere, the blocked output alone would hold more than 200 MB)
    const d = daemon = new Daemon(['-c', conf, '--dry-run'], { blockStdout: true, tailChars: 64 * 1024 });
    let peak = 0;
    let peakBlocked = 0;
    let blocked = true;
    const sampler = setInterval(() => {
      const r = rssMB(d.pid);
      if (!(r > 0)) return;
      peak = Math.max(peak, r);
      if (blocked) peakBlocked = Math.max(peakBlocked, r);
    }, 100);
    try {
      await d.started();
      // blocked: reading stops after a few pipe-fulls of output
      await sleep(1500);
      const r1 = (await d.linesRead()).get(big) ?? 0;
      await sleep(3000);
      const r2 = (await d.linesRead()).get(big) ?? 0;
      const st = await d.status();
      expect(d.stdoutBytes).toBe(0);
      expect(r2).toBe(r1); // not reading
      expect(r1).toBeGreaterThan(0);
      expect(r1).toBeLessThan(LINES / 20);
      expect(st.files[0]!.lagBytes).toBeGreaterThan(0.9e9); // the log waits
      const readWhileBlocked = r2;

      // unblocked: everything goes through
      blocked = false;
      const tUnblock = Date.now();
      d.resumeStdout();
      await until(async () => (await d.status()).files.some((f) => f.path === big && f.offset === size), 180_000, 'the 1 GB log to be read', 250);
      const tRead = Date.now();
      const exit = await d.stop();
      expect(exit.code, d.stderr().slice(-2000)).toBe(0);
      clearInterval(sampler);

      const last = lastPoints(d.stdout());
      expect(finalCounts(last, 'bp', 'lines').get('big')).toBe(LINES);
      expect(finalCounts(last, 'bp', 'seqsum').get('big')).toBe((LINES * (LINES - 1)) / 2);
      expect(d.stdoutBytes).toBeGreaterThan(200e6);
      report('backpressure', {
        file_GB: size / 1e9, gen_s: (tGen - t0) / 1000, lines_read_while_blocked: readWhileBlocked, rss_peak_blocked_MB: peakBlocked,
        rss_peak_MB: peak, process_after_unblock_s: (tRead - tUnblock) / 1000, out_MB: d.stdoutBytes / 1e6,
        total_s: (Date.now() - t0) / 1000,
      });
      expect(peakBlocked).toBeGreaterThan(0);
      expect(peakBlocked).toBeLessThan(200);
      expect(peak).toBeLessThan(200);
    } finally {
      clearInterval(sampler);
      d.dispose();
      rmrf(big);
    }
  }, 240_000);
});

describe('shutdown with the output blocked (CLI, daemon mode)', () => {
  it('SIGTERM while backpressured: exit 0 within the shutdown deadline, a consistent state file, a restart finishes the job', async () => {
    dir = tempDir('bpstop');
    const LINES = 200_000;
    let text = '';
    for (let i = 0; i < LINES; i++) text += numLine(Math.floor(i / 10), 'a', i);
    // a TSD that accepts connections and never reads, and a port nobody listens on
    const stuck: net.Socket[] = [];
    const server = net.createServer((sock) => { sock.pause(); stuck.push(sock); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const stuckPort = (server.address() as net.AddressInfo).port;
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const cases = [
      { name: 'dry-run -j1', dry: true, j: 1, settings: {} },
      { name: 'dry-run -j2', dry: true, j: 2, settings: {} },
      { name: 'tcp refused -j1', dry: false, j: 1, settings: { push_proto: 'tcp', push_host: '127.0.0.1', push_port: closedPort, queue_size: 1000, push_wait: 1 } },
      { name: 'tcp stuck -j2', dry: false, j: 2, settings: { push_proto: 'tcp', push_host: '127.0.0.1', push_port: stuckPort, queue_size: 1000, push_wait: 1 } },
    ];
    const daemons: Daemon[] = [];
    try {
      const results = await Promise.all(cases.map(async (c, k) => {
        const log = path.join(dir, `c${k}.log`);
        fs.writeFileSync(log, text);
        const state = path.join(dir, `c${k}.state.json`);
        const conf = writeConfig(path.join(dir, `c${k}.conf`), [simpleGroup({ name: 'g', files: [log], interval: 1 })], c.settings);
        const d = new Daemon(['-c', conf, '--state-file', state, '-j', String(c.j), ...(c.dry ? ['--dry-run'] : [])], { blockStdout: true });
        daemons.push(d);
        await d.started();
        await sleep(2000);
        // A stuck server's socket takes megabytes before the queue fills: on a busy host that takes
        // longer than 2 s, and SIGTERM before it would find an output that still drains.
        if (!c.dry) await until(async () => (await d.status()).queue.depth >= 1000, 60_000, `${c.name}: a full queue`);
        const t = Date.now();
        d.signal('SIGTERM');
        const exit = await Promise.race([d.exit, sleep(25_000).then(() => null)]);
        const took = Date.now() - t;
        expect(exit, `${c.name}: exit after SIGTERM; ${d.stderr().slice(-1500)}`).toEqual({ code: 0, signal: null });
        expect(d.findLog('Output not drained at shutdown; unsent points are kept in the state file'), c.name).toBeTruthy();
        const saved = peekState(state) as { files: Array<{ offset: number }>; pending: unknown[] };
        expect(saved.files[0]!.offset, c.name).toBeGreaterThan(0);
        expect(saved.files[0]!.offset, c.name).toBeLessThan(text.length); // reading was held back
        if (!c.dry) expect(saved.pending.length, c.name).toBeGreaterThan(0);

        // a restart with a working output (stdout, read) finishes the job: nothing lost, nothing twice
        const r = new Daemon(['-c', conf, '--state-file', state, '--dry-run']);
        daemons.push(r);
        await r.started();
        expect(r.findLog('State restored'), c.name).toMatchObject({ files: 1, pending_points: saved.pending.length });
        await until(async () => (await r.status()).files.some((f) => f.offset === text.length), 30_000, `${c.name}: the restart to read the log`);
        expect((await r.stop()).code).toBe(0);
        const pts = lastPoints(r.stdout());
        expect([finalCounts(pts, 'g').get('a'), finalCounts(pts, 'g', 'seqsum').get('a')], c.name).toEqual([LINES, (LINES * (LINES - 1)) / 2]);
        return `${c.name}:${took}ms/offset ${saved.files[0]!.offset}/pending ${saved.pending.length}`;
      }));
      report('shutdown-blocked', { exits: results.join(', ') });
    } finally {
      for (const d of daemons) d.dispose();
      for (const s of stuck) s.destroy();
      server.close();
    }
  }, 120_000);
});
