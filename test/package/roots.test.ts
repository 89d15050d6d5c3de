// The built .deb on stock Debian: installed with apt into fresh minbase roots of Debian 12 and 13
// (debootstrap, Debian's archive only; test/package/roots.ts caches them), where it must run
// --version, accept its own /etc config with --check, and replay the golden fixtures (one with -j 2,
// one through re2) byte-identically to the development build on this host. On Debian 12 the
// program is then run by Debian's own nodejs (18), which must fail in one line with exit 2.
// Needs root, debootstrap and unshare; the first run downloads the roots (a few minutes).
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSUME_NOW, FIXTURES, runCli } from '../helpers/cli.js';
import { debFile, has, isRoot, ok, pkg } from './helpers.js';
import { freshRoot, inRoot } from './roots.js';

const skipReason = !isRoot ? 'not root' : ['debootstrap', 'unshare', 'chroot', 'dpkg-deb'].find((c) => !has(c)) ?? '';
if (skipReason) console.warn(`test/package/roots.test.ts skipped: ${skipReason}${isRoot ? ' is missing' : ''}`);

/** Each suite's root gets these .debs in its apt cache when built: procps (a Depends of ours), nodejs. */
const SUITES = [
  { suite: 'bookworm', version: '12', predownload: ['procps', 'nodejs'] },
  { suite: 'trixie', version: '13', predownload: ['procps'] },
];
/** Golden fixtures replayed in the roots, with the CLI arguments of each replay. */
const REPLAYS = [
  { conf: 'rest_api.conf', args: [] as string[] },
  { conf: 'rest_api.conf', args: ['-j', '2'] },
  { conf: 'apache_transform.conf', args: [] },
  { conf: 'syslog_newyear.conf', args: [] },
  { conf: 'live_misc.conf', args: [] },
  { conf: 'rest_api.re2.conf', args: [] },
];
const replayArgs = (dir: string, r: (typeof REPLAYS)[number]) =>
  ['-c', join(dir, r.conf), '--once', '--dry-run', '--assume-now', ASSUME_NOW, ...r.args];

describe.skipIf(skipReason !== '')(`the .deb on minbase Debian${skipReason && ` (skipped: ${skipReason})`}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'lmc-roots-'));
  const fixtures = join(work, 'fixtures'); // the fixtures, plus the re2 variant of rest_api.conf
  let deb = '';
  const expected = new Map<string, string>(); // replay -> the development build's output

  beforeAll(async () => {
    deb = debFile();
    cpSync(FIXTURES, fixtures, { recursive: true });
    const conf = readFileSync(join(fixtures, 'rest_api.conf'), 'utf8');
    const re2 = conf.replace(/^(\s*)re:/m, '$1regex_engine: re2,\n$1re:');
    expect(re2).not.toBe(conf);
    writeFileSync(join(fixtures, 'rest_api.re2.conf'), re2);
    for (const r of REPLAYS) {
      const res = await runCli(replayArgs(fixtures, r));
      expect(res.code, res.stderr).toBe(0);
      expected.set(`${r.conf} ${r.args.join(' ')}`, res.stdout);
    }
  }, 900_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const { suite, version, predownload } of SUITES) {
    describe(`Debian ${version} (${suite})`, () => {
      let root = '';
      const sh = (cmd: string, timeout?: number) => inRoot(root, cmd, { timeout, env: { TZ: 'UTC' } });

      beforeAll(() => {
        root = freshRoot(suite, predownload, work);
        copyFileSync(deb, join(root, 'tmp', basename(deb)));
        cpSync(fixtures, join(root, 'tmp/fixtures'), { recursive: true });
      }, 1_200_000);

      afterAll(() => { if (root) rmSync(root, { recursive: true, force: true }); });

      it('installs with apt from Debian\'s archive alone: no nodejs, /bin/kill for the reload', () => {
        expect(sh('command -v node nodejs').stdout).toBe('');
        const r = ok(sh(`apt-get install -y /tmp/${basename(deb)}`, 300_000), 'apt-get install');
        expect(r.stdout).toMatch(/Setting up logmetrics-collector/);
        expect(ok(sh("dpkg-query -W -f='${Status}' logmetrics-collector"), 'dpkg-query').stdout).toBe('install ok installed');
        ok(sh('test -x /bin/kill'), '/bin/kill');
        expect(sh('command -v node nodejs').stdout).toBe('');
        ok(sh('dpkg --verify logmetrics-collector'), 'dpkg --verify');
      }, 300_000);

      it('runs --version', () => {
        const r = ok(sh('logmetrics-collector --version && logmetrics_collector --version'), '--version');
        expect(r.stdout).toBe(`${pkg.version}\n${pkg.version}\n`);
      });

      it('accepts the shipped config with --check, reading /var/log/dpkg.log', () => {
        const r = ok(sh('logmetrics-collector --check -c /etc/logmetrics_collector.conf'), '--check');
        expect(r.stdout).toContain('/var/log/dpkg.log');
        // ... and reads it: dpkg wrote our own install there.
        const t = ok(sh('logmetrics-collector -c /etc/logmetrics_collector.conf --test-parser dpkg --input /var/log/dpkg.log'), '--test-parser');
        const count = (what: string) => Number(new RegExp(`^\\s*${what}:\\s+(\\d+)$`, 'm').exec(t.stdout)?.[1]);
        expect(count('lines read')).toBeGreaterThan(10);
        expect(count('matched')).toBe(count('lines read'));
      });

      it('replays the golden fixtures byte-identically to the development build', () => {
        for (const r of REPLAYS) {
          const args = replayArgs('/tmp/fixtures', r).map((a) => `'${a}'`).join(' ');
          const res = sh(`cd /tmp/fixtures && logmetrics-collector ${args}`, 120_000);
          expect(res.status, `${r.conf} ${r.args.join(' ')}: ${res.stderr}`).toBe(0);
          const want = expected.get(`${r.conf} ${r.args.join(' ')}`)!;
          expect(want).not.toBe('');
          expect(res.stdout === want, `${r.conf} ${r.args.join(' ')}: output differs`).toBe(true);
        }
      }, 600_000);

      it.runIf(predownload.includes('nodejs'))('run by Debian\'s own nodejs (18), fails in one line with exit 2', () => {
        ok(sh('apt-get install -y nodejs', 300_000), 'apt-get install nodejs');
        const r = sh('node /usr/lib/logmetrics-collector/build/dist/cli.js -c /etc/logmetrics_collector.conf --check');
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/^logmetrics-collector: needs Node\.js 20 or later, this is Node\.js 18\.[\d.]+ \(\/usr\/bin\/node\)\n$/);
      }, 300_000);
    });
  }
});
