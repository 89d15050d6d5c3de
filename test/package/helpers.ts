// Shared by the packaging tests: running commands, and a throwaway copy of the work tree so that
// `npm pack` (whose `prepare` rebuilds build/dist) never rewrites the repo's build/dist while other
// test files may be running it.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../..', import.meta.url));
export const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
};

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Fails with the command's output when it did not exit 0. */
export function ok(r: Ran, what: string): Ran {
  if (r.status !== 0) {
    throw new Error(`${what} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

export function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export const isRoot = process.getuid?.() === 0;

/**
 * The .deb under test: LMC_DEB when set (CI builds it once for all the test files), else a fresh
 * `npm run deb` (its first run compiles re2 for the packaged runtime: minutes).
 */
export function debFile(): string {
  if (process.env.LMC_DEB) return process.env.LMC_DEB;
  const r = ok(run('npm', ['run', '--silent', 'deb'], { cwd: repo, timeout: 1_200_000 }), 'npm run deb');
  return r.stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * Copies what git would see (tracked and untracked files, minus ignored ones: node_modules,
 * build/dist, build/out) into `dest`, and links the repo's node_modules there.
 */
export function copyWorkTree(dest: string): void {
  const ls = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo });
  if (ls.status === 0) {
    for (const f of ls.stdout.split('\0')) {
      const from = join(repo, f);
      if (!f || !existsSync(from) || lstatSync(from).isDirectory()) continue;
      mkdirSync(dirname(join(dest, f)), { recursive: true });
      cpSync(from, join(dest, f), { verbatimSymlinks: true });
    }
  } else {
    const skip = new Set(['node_modules', '.git', 'build/dist', 'build/out'].map((p) => join(repo, p)));
    cpSync(repo, dest, { recursive: true, filter: (p) => !skip.has(p.replace(/\/$/, '')) });
  }
  symlinkSync(join(repo, 'node_modules'), join(dest, 'node_modules'));
}
