// Minbase Debian roots for the install tests: `debootstrap --variant=minbase SUITE` from Debian's
// archive only, cached as a tarball keyed by suite (so that a rerun takes seconds, and CI builds
// each once per run), and commands run inside them with chroot, in a private mount and PID
// namespace with its own /proc (nothing is left mounted on the host when the command ends).
// At build time apt's lists are fetched and the packages `predownload` names are downloaded into
// the root's apt cache (not installed): the tests then install offline.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../build/runtime.mjs';
import { ok, run, type Ran } from './helpers.js';

export const MIRROR = 'http://deb.debian.org/debian';

/** Runs `cmd` (through sh -c) inside the root `dir`, as root, with a fresh /proc. */
export function inRoot(dir: string, cmd: string, opts: { timeout?: number; env?: Record<string, string> } = {}): Ran {
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive', ...opts.env };
  return run('unshare', ['--mount', '--pid', '--fork', `--mount-proc=${join(dir, 'proc')}`,
    'chroot', dir, '/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), '/bin/sh', '-c', cmd],
  { timeout: opts.timeout ?? 120_000 });
}

/** The cached tarball of a minbase root of `suite` (bookworm, trixie), built when absent. */
export function rootTarball(suite: string, predownload: string[]): string {
  const dir = join(cacheRoot() as string, 'roots');
  const tarball = join(dir, `debian-${suite}-minbase+${predownload.join('+')}.tar.gz`);
  if (existsSync(tarball)) return tarball;
  mkdirSync(dir, { recursive: true });
  const build = mkdtempSync(join(dir, `.build-${suite}-`));
  try {
    const root = join(build, 'root');
    ok(run('debootstrap', ['--variant=minbase', suite, root, MIRROR], { timeout: 900_000 }), `debootstrap ${suite}`);
    ok(run('cp', ['/etc/resolv.conf', join(root, 'etc/resolv.conf')]), 'resolv.conf');
    // debootstrap's own .debs are dropped from the apt cache: only the predownloaded ones stay.
    ok(inRoot(root, `apt-get clean && apt-get update -qq && apt-get install -y -qq --download-only ${predownload.join(' ')}`,
      { timeout: 600_000 }), `apt-get --download-only in ${suite}`);
    ok(run('tar', ['-C', root, '-czf', join(build, 'root.tar.gz'), '.'], { timeout: 300_000 }), 'tar');
    renameSync(join(build, 'root.tar.gz'), tarball);
  } finally {
    // debootstrap in a container bind-mounts the host's /dev/null, /dev/zero, ... into the root and
    // unmounts them when it ends; killed half-way it leaves them, and removing the root would then
    // delete the host's device files. Unmount whatever is left first; never remove through a mount.
    const left = () => readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m === build || m.startsWith(build + '/'));
    for (const m of left().reverse()) run('umount', ['-l', m]);
    if (left().length === 0) rmSync(build, { recursive: true, force: true });
  }
  return tarball;
}

/** A fresh copy of the cached root in `parent`; the caller removes it. */
export function freshRoot(suite: string, predownload: string[], parent: string): string {
  const tarball = rootTarball(suite, predownload);
  const root = mkdtempSync(join(parent, `${suite}-`));
  ok(run('tar', ['-C', root, '-xzf', tarball], { timeout: 300_000 }), `untar ${tarball}`);
  return root;
}
