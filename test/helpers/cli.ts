// Drives the real CLI (the compiled build/dist/cli.js, as installed by `npm ci`).
// LMC_TEST_NODE and LMC_TEST_CLI run another Node.js binary and another build instead: the Debian
// package's runtime and program (`npm run test:packaged` sets both).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = process.env.LMC_TEST_CLI || ROOT + 'build/dist/cli.js';
/** The Node.js binary that runs CLI. */
export const NODE = process.env.LMC_TEST_NODE || process.execPath;
export const FIXTURES = ROOT + 'fixtures/';
/** Wall clock pretended by golden runs, so year-less dates resolve the same every year. */
export const ASSUME_NOW = '2026-11-23T12:00:00Z';

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, TZ: 'UTC', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Lines of a dry-run output, sorted (shards and threads may interleave keys differently). */
export function sortedLines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '').sort();
}
