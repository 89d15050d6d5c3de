// Issue 19 (the tail part), through the real CLI: nothing a glob meets is skipped in silence, and
// nothing it meets can take the collector down. Each test states its bound.
// - an unreadable directory and an unreadable file (the collector run as `nobody` by setpriv): one
//   warning each, with the path and the reason, counted; --check lists them; every other line counts;
// - a file name that is not UTF-8: tailed, shown escaped;
// - a FIFO and a directory matching the glob: skipped, never opened (a FIFO would block an open);
// - max_files: the group tails that many files and warns once;
// - out of file descriptors (prlimit --nofile=80, 300 files): warned at most once a minute, no spin
//   (CPU under 10% of a core), /healthz still answers;
// - a `/**` glob for 30 s: RSS under 300 MB, open descriptors under max_files + 100, under 2 MB of
//   log, /healthz answering within 2 s every time, /proc and /sys never read.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { Daemon, httpGet, numLines, promCounter, report, rmrf, rssMB, simpleGroup, sleep, tempDir, writeConfig, type LogLine } from './helpers/tail.js';

let dir = '';
const daemons: Daemon[] = [];
afterEach(() => { for (const d of daemons.splice(0)) d.dispose(); if (dir) rmrf(dir); dir = ''; });

const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
const jsonLog = (stderr: string): LogLine[] => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
const cpuTicks = (pid: number) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
const openFds = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

/** A directory tree `nobody` can walk, with an unreadable directory and an unreadable file in it. */
function permTree(): { conf: string; ok: string; secretDir: string; locked: string } {
  dir = tempDir('perm');
  fs.chmodSync(dir, 0o755);
  const ok = path.join(dir, 'logs', 'ok.log');
  const secretDir = path.join(dir, 'secret');
  const locked = path.join(dir, 'logs', 'locked.log');
  fs.mkdirSync(path.dirname(ok), { mode: 0o755 });
  fs.mkdirSync(secretDir, { mode: 0o700 });
  fs.writeFileSync(ok, numLines('ok', 0, 100), { mode: 0o644 });
  fs.writeFileSync(path.join(secretDir, 'hidden.log'), numLines('hidden', 0, 10), { mode: 0o644 });
  fs.writeFileSync(locked, numLines('locked', 0, 10), { mode: 0o600 });
  const conf = writeConfig(path.join(dir, 'c.conf'), [simpleGroup({ name: 'p', files: [path.join(dir, '*', '*.log')], interval: 60 })],
    { poll_interval: 1, status_listen: '127.0.0.1:0' });
  fs.chmodSync(conf, 0o644);
  return { conf, ok, secretDir, locked };
}

describe('nothing skipped in silence (CLI)', () => {
  it('an unreadable directory and file, as an unprivileged user: one warning each (path, reason), counted, listed by --check; the rest counts', async () => {
    const { conf, secretDir, locked } = permTree();
    const once = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const d = new Daemon(['-c', conf, '--once', '--dry-run'], { wrap: AS_NOBODY });
      daemons.push(d);
      void d.exit.then((e) => resolve({ code: e.code, stdout: d.stdout(), stderr: d.stderr() }));
    });
    expect(once.code, once.stderr).toBe(0);
    const warned = jsonLog(once.stderr).filter((l) => l.level === 'warn');
    // bound: exactly one warning per unreadable path, naming it and the reason
    expect(warned.map((l) => [l.path, String(l.error).split(':')[0], l.msg])).toEqual([
      [secretDir, 'EACCES', 'cannot read file or directory; skipped'],
      [locked, 'EACCES', 'cannot read file or directory; skipped'],
    ]);
    expect(jsonLog(once.stderr).find((l) => l.msg === 'Replay finished')).toMatchObject({ lines_read: 100, lines_matched: 100, files_skipped: 2 });

    // the daemon: still one warning each across three rescans, counted on /metrics
    const d = new Daemon(['-c', conf, '--dry-run'], { wrap: AS_NOBODY });
    daemons.push(d);
    await d.started();
    await sleep(3500);
    const skipped = promCounter(await d.get('/metrics'), 'logmetrics_collector_tail_file_skipped_total', 'reason');
    expect(skipped.get('unreadable')).toBe(2);
    expect((await d.stop()).code).toBe(0);
    expect(d.log().filter((l) => l.level === 'warn').length).toBe(2);

    // --check says what it cannot read
    const check = await new Promise<string>((resolve) => {
      const c = new Daemon(['-c', conf, '--check'], { wrap: AS_NOBODY });
      daemons.push(c);
      void c.exit.then(() => resolve(c.stdout()));
    });
    expect(check).toContain(`    cannot read:\n      ${secretDir}: EACCES: permission denied`);
    expect(check).toContain(`      ${locked}: EACCES: permission denied`);
  }, 60_000);

  it('a file name that is not UTF-8 is tailed and shown escaped; a FIFO and a directory in the glob are skipped without being opened', async () => {
    dir = tempDir('names');
    const odd = Buffer.concat([Buffer.from(dir + '/caf'), Buffer.from([0xe9]), Buffer.from('.log')]); // "café" in Latin-1
    fs.writeFileSync(odd, numLines('odd', 0, 50));
    fs.writeFileSync(path.join(dir, 'plain.log'), numLines('plain', 0, 20));
    execFileSync('mkfifo', [path.join(dir, 'pipe.log')]);
    fs.mkdirSync(path.join(dir, 'dir.log'));
    const conf = writeConfig(path.join(dir, 'c.conf'), [simpleGroup({ name: 'n', files: [path.join(dir, '*.log')], interval: 60 })]);
    const r = await runCli(['-c', conf, '--once', '--dry-run'], { timeoutMs: 30_000 }); // bound: no hang on the FIFO
    expect(r.code, r.stderr).toBe(0);
    const log = jsonLog(r.stderr);
    expect(log.find((l) => l.msg === 'tailing file from its start' && String(l.path).endsWith('caf\\xe9.log'))).toBeTruthy();
    expect(log.find((l) => l.msg === 'Replay finished')).toMatchObject({ lines_read: 70, lines_matched: 70, files_skipped: 1 });
    expect(log.filter((l) => l.level === 'warn').map((l) => [path.basename(String(l.path)), l.msg])).toEqual([['pipe.log', 'not a regular file; skipped']]);
    expect(r.stdout).toContain('file=odd');
  }, 60_000);

  it('max_files: the group tails that many files, warns once, counts the rest', async () => {
    dir = tempDir('max');
    for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(dir, `f${i}.log`), numLines(`f${i}`, 0, 5));
    const conf = path.join(dir, 'c.conf');
    fs.writeFileSync(conf, fs.readFileSync(writeConfig(conf, [simpleGroup({ name: 'm', files: [path.join(dir, '*.log')], interval: 60 })]), 'utf8')
      .replace('parse_from_start: true', 'parse_from_start: true,\n    max_files: 5'));
    const r = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const log = jsonLog(r.stderr);
    expect(log.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'max_files reached: more files match the globs than the group may tail; the others are left alone',
    ]);
    expect(log.find((l) => l.msg === 'Replay finished')).toMatchObject({ lines_read: 25, files_skipped: 3 });
  }, 60_000);
});

describe('a glob cannot take the collector down (CLI)', () => {
  it('out of file descriptors (prlimit 80, 300 files): warned at most once a minute, no spin, /healthz answers', async () => {
    dir = tempDir('emfile');
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}.log`), numLines(`f${i}`, 0, 2));
    const conf = writeConfig(path.join(dir, 'c.conf'), [simpleGroup({ name: 'e', files: [path.join(dir, '*.log')], interval: 60, parse_from_start: false })],
      { poll_interval: 1, status_listen: '127.0.0.1:0' });
    const d = new Daemon(['-c', conf, '--dry-run'], { wrap: ['prlimit', '--nofile=80:80'] });
    daemons.push(d);
    await d.started();
    const t0 = cpuTicks(d.pid);
    let healthy = 0;
    for (let i = 0; i < 10; i++) {
      await sleep(1000);
      expect(await httpGet(d.statusPort, '/healthz', 2000)).toMatch(/ok/i);
      healthy++;
    }
    const cpu = (cpuTicks(d.pid) - t0) / 100 / 10;
    const fdWarnings = d.log().filter((l) => /out of file descriptors/.test(l.msg));
    report('emfile', { cpu_pct: cpu * 100, fd_warnings: fdWarnings.length, healthz_ok: healthy, open_fds: openFds(d.pid) });
    expect(fdWarnings.length).toBe(1);     // bound: at most one a minute
    expect(cpu).toBeLessThan(0.1);         // bound: no spinning
    expect((await d.stop()).code).toBe(0);
  }, 60_000);

  it('a /** glob for 30 s: RSS, open descriptors and log volume bounded, /healthz answering, /proc and /sys never read', async () => {
    dir = tempDir('all');
    const conf = writeConfig(path.join(dir, 'c.conf'), [simpleGroup({ name: 'all', files: ['/**'], interval: 60, parse_from_start: false })],
      { poll_interval: 5, status_listen: '127.0.0.1:0' });
    const d = new Daemon(['-c', conf, '--dry-run'], { tailChars: 1 << 20 });
    daemons.push(d);
    await d.started(60_000);
    let maxRss = 0, maxFds = 0, worstHealthMs = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) {
      const h0 = Date.now();
      expect(await httpGet(d.statusPort, '/healthz', 2000)).toMatch(/ok/i); // bound: answers within 2 s
      worstHealthMs = Math.max(worstHealthMs, Date.now() - h0);
      maxRss = Math.max(maxRss, rssMB(d.pid));
      maxFds = Math.max(maxFds, openFds(d.pid));
      await sleep(1000);
    }
    const st = await d.status();
    const logBytes = Buffer.byteLength(d.stderr());
    report('glob-all', { max_rss_MB: maxRss, max_fds: maxFds, log_KB: logBytes / 1024, files: st.files.length, worst_healthz_ms: worstHealthMs });
    expect(st.files.length).toBeGreaterThan(100);
    expect(st.files.length).toBeLessThanOrEqual(1000);             // bound: max_files
    expect(st.files.some((f) => f.path.startsWith('/proc/') || f.path.startsWith('/sys/'))).toBe(false);
    expect(maxRss).toBeLessThan(300);                              // bound: RSS
    expect(maxFds).toBeLessThan(1100);                             // bound: max_files + 100
    expect(logBytes).toBeLessThan(2 * 1024 * 1024);                // bound: log volume
    expect((await d.stop()).code).toBe(0);
  }, 120_000);
});
