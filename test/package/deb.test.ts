// The Debian package end to end: `npm run deb` builds it; its contents and control fields are
// checked; it is installed on this machine, run, upgraded in place and purged, and nothing of it
// may be left behind. Needs root and dpkg (CI runs as root).
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { has, isRoot, ok, pkg, repo, run } from './helpers.js';

const skipReason = !isRoot ? 'not root' : !has('dpkg') || !has('dpkg-deb') ? 'dpkg is missing' : '';
if (skipReason) console.warn(`test/package/deb.test.ts skipped: ${skipReason}`);

const name = 'logmetrics-collector';
const lib = `/usr/lib/${name}`;
const conf = '/etc/logmetrics_collector.conf';
const unit = `/lib/systemd/system/${name}.service`;
const wants = `/etc/systemd/system/multi-user.target.wants/${name}.service`;
const stateDir = `/var/lib/${name}`;

const installed = (): boolean =>
  run('dpkg-query', ['-W', '-f=${Status}', name]).stdout.trim() === 'install ok installed';
const known = (): boolean => run('dpkg-query', ['-W', name]).status === 0; // config-files included
const purge = (): void => void ok(run('dpkg', ['--purge', name]), 'dpkg --purge');

describe.skipIf(skipReason !== '')(`debian package${skipReason && ` (skipped: ${skipReason})`}`, () => {
  let deb = '';
  let entries: Array<{ mode: string; owner: string; path: string; link: string }> = [];
  const paths = (): string[] => entries.map((e) => e.path);

  beforeAll(() => {
    if (known()) purge(); // left over by an interrupted run
    const r = ok(run('npm', ['run', '--silent', 'deb'], { cwd: repo, timeout: 240_000 }), 'npm run deb');
    deb = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(deb).toMatch(/\.deb$/);
    expect(existsSync(deb)).toBe(true);
    // "-rw-r--r-- root/root 4041 2024-05-20 12:00 ./etc/x" or "... ./usr/bin/a -> b"
    entries = ok(run('dpkg-deb', ['-c', deb]), 'dpkg-deb -c')
      .stdout.trim()
      .split('\n')
      .map((line) => {
        const [mode = '', owner = '', , , , ...rest] = line.split(/\s+/);
        const [path = '', link = ''] = rest.join(' ').replace(/^\./, '').split(' -> ');
        return { mode, owner, path: path.replace(/\/$/, ''), link };
      });
  }, 300_000);

  afterAll(() => {
    if (known()) purge();
  }, 60_000);

  it('has the control fields the issue asks for', () => {
    const field = (f: string) => ok(run('dpkg-deb', ['-f', deb, f]), `dpkg-deb -f ${f}`).stdout.trim();
    expect(field('Package')).toBe(name);
    expect(field('Version')).toBe(pkg.version);
    const withRe2 = paths().includes(`${lib}/node_modules/re2/build/Release/re2.node`);
    const arch = ok(run('dpkg', ['--print-architecture']), 'dpkg --print-architecture').stdout.trim();
    expect(field('Architecture')).toBe(withRe2 ? arch : 'all');
    expect(field('Depends')).toMatch(/^nodejs \(>= \d+\)/);
    expect(field('Maintainer')).toMatch(/^.+ <.+@.+>$/);
    expect(field('Description')).not.toBe('');
    const conffiles = ok(run('dpkg-deb', ['--info', deb, 'conffiles']), 'conffiles').stdout;
    expect(conffiles.trim().split('\n')).toEqual([conf]);
  });

  it('holds the program, its production dependencies, the commands, the config and the unit', () => {
    const p = paths();
    for (const f of [
      `${lib}/package.json`,
      `${lib}/build/dist/cli.js`,
      ...Object.keys(pkg.dependencies).map((d) => `${lib}/node_modules/${d}/package.json`),
      '/usr/bin/logmetrics-collector',
      '/usr/bin/logmetrics_collector',
      conf,
      unit,
      `/usr/share/doc/${name}/copyright`,
    ]) {
      expect(p, f).toContain(f);
    }
    for (const dev of ['typescript', 'vitest', '@types/node']) {
      expect(p).not.toContain(`${lib}/node_modules/${dev}`);
    }
    expect(p.filter((f) => f.startsWith(`${lib}/src/`) || f.startsWith(`${lib}/test/`))).toEqual([]);
    expect(new Set(entries.map((e) => e.owner))).toEqual(new Set(['root/root']));
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('/usr/bin/logmetrics-collector')?.mode).toBe('-rwxr-xr-x');
    expect(byPath.get('/usr/bin/logmetrics_collector')?.link).toBe('logmetrics-collector');
    expect(byPath.get(conf)?.mode).toBe('-rw-r--r--');
    // The unit and config shipped are the ones in build/debian.
    const shipped = (f: string) =>
      run('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -xOf - ".$2"`, 'sh', deb, f]).stdout;
    expect(shipped(unit)).toBe(readFileSync(join(repo, 'build/debian', `${name}.service`), 'utf8'));
    expect(shipped(conf)).toBe(readFileSync(join(repo, 'build/debian/logmetrics_collector.conf'), 'utf8'));
  });

  it('has maintainer scripts that parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmc-control-'));
    try {
      ok(run('dpkg-deb', ['-e', deb, dir]), 'dpkg-deb -e');
      for (const s of ['postinst', 'prerm', 'postrm']) ok(run('sh', ['-n', join(dir, s)]), `sh -n ${s}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('installs: user in group adm, unit enabled not started, state directory', () => {
    const i = run('dpkg', ['-i', deb]);
    if (i.status !== 0) {
      // Missing dependencies leave the package unconfigured; let apt resolve them.
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      ok(run('apt-get', ['-f', 'install', '-y'], { timeout: 240_000, env }), 'apt-get -f install');
    }
    expect(installed(), `dpkg -i: ${i.stdout}${i.stderr}`).toBe(true);
    ok(run('dpkg', ['--verify', name]), 'dpkg --verify');
    expect(ok(run('id', ['-nG', 'logmetrics']), 'id').stdout.trim().split(' ')).toContain('adm');
    expect(run('readlink', [wants]).stdout.trim()).toBe(unit);
    expect(ok(run('stat', ['-c', '%U:%G %a', stateDir]), 'stat').stdout.trim()).toBe('logmetrics:logmetrics 750');
  }, 300_000);

  it('passes systemd-analyze verify once installed', { skip: !has('systemd-analyze') }, () => {
    const r = run('systemd-analyze', ['verify', unit]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes(name))).toEqual([]);
  });

  it('runs --version', () => {
    const r = ok(run('/usr/bin/logmetrics-collector', ['--version'], { timeout: 30_000 }), '--version');
    expect(r.stdout).toContain(pkg.version);
    const alias = ok(run('/usr/bin/logmetrics_collector', ['--version'], { timeout: 30_000 }), 'alias --version');
    expect(alias.stdout).toBe(r.stdout);
  });

  it('accepts its own config with --check', () => {
    ok(run('/usr/bin/logmetrics-collector', ['--check', '-c', conf], { timeout: 30_000 }), '--check');
  });

  it('reinstalls over itself (the upgrade path of the maintainer scripts)', () => {
    ok(run('dpkg', ['-i', deb]), 'dpkg -i (again)');
    expect(installed()).toBe(true);
    expect(run('readlink', [wants]).stdout.trim()).toBe(unit);
  }, 120_000);

  it('removes the program but keeps the config, then purges without leaving anything behind', () => {
    ok(run('dpkg', ['--remove', name]), 'dpkg --remove');
    expect(existsOrLink('/usr/bin/logmetrics-collector')).toBe(false);
    expect(existsSync(lib)).toBe(false);
    expect(existsSync(conf)).toBe(true);
    purge();
    expect(installed()).toBe(false);
    const left = [...paths(), wants, stateDir].filter((p) => p !== '' && isOwnPath(p) && existsOrLink(p));
    expect(left).toEqual([]);
    expect(run('sh', ['-c', `ls /var/lib/systemd/deb-systemd-helper-*/ -R 2>/dev/null | grep -F ${name}`]).stdout).toBe('');
  }, 120_000);
});

/** The package's own paths; shared directories (/usr, /etc, /lib/systemd ...) stay, of course. */
function isOwnPath(p: string): boolean {
  return /logmetrics/.test(p);
}

function existsOrLink(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
