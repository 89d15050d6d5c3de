// The progress display: its text, its drawing on a terminal only, and the real --once and
// --test-parser runs under a pseudo-terminal (util-linux `script`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, FIXTURES, ROOT, runCli } from '../../helpers/cli.js';
import { progressText, startProgress } from '../../../src/cmd/progress.js';
import { formatBytes, formatDuration } from '../../../src/cmd/style.js';
import { seedConfig, seedLog } from '../../integration/helpers/collector.js';

const CLEAR = '\r\x1b[K';

describe('progress text', () => {
  it('shows bytes of total, percent, lines/s and ETA', () => {
    expect(progressText('once', 10 * 1048576, 5 * 1048576, 1048576, 200_000)).toBe('once: 5.00 MiB / 10.0 MiB   50%  200k lines/s  ETA 0:05');
    expect(progressText('once', 1000, 0, 0, 0)).toBe('once: 0 B / 1000 B    0%  0 lines/s  ETA --:--');
    // unknown total (a pipe): no percent, no ETA
    expect(progressText('test-parser g', null, 2048, 100, 1_500_000)).toBe('test-parser g: 2.00 KiB  1.50M lines/s');
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(300 * 1048576)).toBe('300 MiB');
    expect(formatDuration(59.2)).toBe('1:00');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Infinity)).toBe('--:--');
  });
});

function fakeStream(tty: boolean) {
  const chunks: string[] = [];
  const s = {
    isTTY: tty,
    columns: 60,
    fd: -1,
    write(c: string): boolean { chunks.push(String(c)); return true; },
  };
  return { s, chunks, stream: s as unknown as NodeJS.WriteStream };
}

describe('startProgress', () => {
  it('draws on a terminal at most every interval, erases before other output, and erases at the end', async () => {
    const { s, chunks, stream } = fakeStream(true);
    const original = s.write;
    let bytes = 0;
    const p = startProgress({ label: 'job', total: 1000, stream, intervalMs: 30, sample: () => ({ bytes: (bytes += 100), lines: bytes / 10 }) });
    await new Promise((r) => setTimeout(r, 100));
    const drawn = chunks.filter((c) => c.startsWith(CLEAR + 'job: '));
    expect(drawn.length).toBeGreaterThanOrEqual(2);
    expect(drawn.length).toBeLessThanOrEqual(4);
    expect(drawn[0]).toMatch(/^\r\x1b\[Kjob: \d+ B \/ 1000 B +\d+%  \d+ lines\/s  ETA /);
    expect(drawn.every((d) => d.length - CLEAR.length <= 59)).toBe(true); // fits the terminal width
    stream.write('a log line\n');
    expect(chunks.slice(-2)).toEqual([CLEAR, 'a log line\n']);
    stream.write('another\n'); // nothing shown any more: no second erase
    expect(chunks.slice(-2)).toEqual(['a log line\n', 'another\n']);
    await new Promise((r) => setTimeout(r, 50));
    p.stop();
    expect(chunks[chunks.length - 1]).toBe(CLEAR);
    expect(s.write).toBe(original);
    const n = chunks.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(chunks.length).toBe(n); // stopped: no more drawing
  });

  it('does nothing at all when the stream is not a terminal', async () => {
    const { s, chunks, stream } = fakeStream(false);
    const original = s.write;
    const p = startProgress({ label: 'job', total: 1000, stream, intervalMs: 10, sample: () => ({ bytes: 1, lines: 1 }) });
    expect(s.write).toBe(original);
    await new Promise((r) => setTimeout(r, 50));
    p.stop();
    expect(chunks).toEqual([]);
  });
});

// ---- real runs under a pseudo-terminal

const SCRIPT = '/usr/bin/script';
let dir: string;
let conf: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmc-progress-'));
  // The 1M-line seed log (about 200 MB; cached beside the integration tests' 500k one) with the seed
  // config: a --once run of over a second and a --test-parser run of about one here, several times
  // the 250 ms before the first draw. (1M short lines with one counter took under 250 ms: too fast.)
  conf = path.join(dir, 'seed.conf');
  writeFileSync(conf, seedConfig([await seedLog(1_000_000, 2780)], { state_file: '' }));
}, 120_000);
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a shell command under a pseudo-terminal; returns everything the terminal received. */
function underPty(cmd: string, env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qfec', cmd, '/dev/null'], {
      cwd: ROOT, env: { ...process.env, TZ: 'UTC', FORCE_COLOR: '', NO_COLOR: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out: Buffer.concat(out).toString('utf8') }); });
    child.stdin.end();
  });
}

/** The display was drawn (text, %, ETA) and erased at the end: nothing follows the last erase but the erase. */
function expectDrawnAndErased(out: string, label: string): void {
  const draws = out.split(CLEAR).filter((p) => p.startsWith(label + ': '));
  expect(draws.length, out.slice(0, 2000)).toBeGreaterThanOrEqual(1);
  expect(draws[0]).toMatch(new RegExp(`^${label}: [\\d.]+ (B|KiB|MiB) / [\\d.]+ MiB +\\d+%  [\\d.]+[kM]? lines/s  ETA (\\d+:\\d\\d|--:--)`));
  const lastDraw = out.lastIndexOf(CLEAR + label + ': ');
  expect(out.indexOf(CLEAR, lastDraw + 1)).toBeGreaterThan(lastDraw); // erased after the last draw
}

describe.skipIf(!existsSync(SCRIPT))('progress under a terminal', () => {
  it('--once shows the progress line on a terminal and erases it', async () => {
    const r = await underPty(`node ${q(CLI)} -c ${q(conf)} --once --dry-run > ${q(path.join(dir, 'once.out'))}`);
    expect(r.code).toBe(0);
    expectDrawnAndErased(r.out, 'once');
    expect(r.out).toMatch(/ETA (\d+:\d\d|--:--)  file 1\/1/); // which file of how many
    expect(readFileSync(path.join(dir, 'once.out'), 'utf8')).not.toContain('ETA'); // stdout is not touched
  });

  it('--once without a terminal writes no progress at all', async () => {
    const r = await runCli(['-c', conf, '--once', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('ETA');
    expect(r.stderr).not.toContain('\r');
    expect(r.stdout).not.toContain('\r');
  });

  it('--test-parser shows it too, and colours its report on a terminal unless NO_COLOR', async () => {
    const r = await underPty(`node ${q(CLI)} -c ${q(conf)} --test-parser rest.api`);
    expect(r.code).toBe(0);
    expectDrawnAndErased(r.out, 'test-parser rest.api');
    expect(r.out).toContain('summary: log group rest.api');
    expect(r.out).toMatch(/matched: {12}\x1b\[32m1000000\x1b\[39m/);
    const bad = path.join(dir, 'bad.log');
    writeFileSync(bad, 'nope\n');
    const c = await underPty(`node ${q(CLI)} -c ${q(FIXTURES + 'rest_api.conf')} --test-parser rest.api --input ${q(bad)}`);
    expect(c.code).toBe(1);
    expect(c.out).toContain('\x1b[31mno match\x1b[39m');
    const n = await underPty(`node ${q(CLI)} -c ${q(FIXTURES + 'rest_api.conf')} --test-parser rest.api --input ${q(bad)}`, { NO_COLOR: '1' });
    expect(n.code).toBe(1);
    expect(n.out).toContain('no match at column');
    expect(n.out).not.toMatch(/\x1b\[\d+m/);
  });
});
