// `npm pack` gives a tarball that a global install turns into working commands, with an example
// config that works where it is installed, and that says in one line when re2 did not build.
// Packed in a copy of the work tree: `prepare` rebuilds build/dist, which other tests may be running.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkTree, ok, pkg, repo, run } from './helpers.js';

/** This environment without npm's own variables (`npm test` exports its config, ~/.npmrc's nodedir included). */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  ...extra,
});

describe('npm package', () => {
  // Not under /tmp: Node resolves re2 in every ancestor's node_modules, and /tmp/node_modules (left
  // by anyone on this shared machine) would stand in for the one this test needs absent.
  const dir = mkdtempSync('/var/tmp/lmc-pack-');
  const src = join(dir, 'src');
  const prefix = join(dir, 'prefix');
  let tarball = '';

  beforeAll(() => {
    copyWorkTree(src);
    ok(run('npm', ['pack', '--pack-destination', dir, '--loglevel=warn'], { cwd: src, timeout: 120_000 }), 'npm pack');
    const tgz = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    expect(tgz).toEqual([`${pkg.name}-${pkg.version}.tgz`]);
    tarball = join(dir, tgz[0]!);
  }, 180_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the compiled program and not the sources', () => {
    const files = ok(run('tar', ['-tzf', tarball]), 'tar -t').stdout.trim().split('\n');
    expect(files).toContain('package/package.json');
    expect(files).toContain('package/build/dist/cli.js');
    expect(files.filter((f) => /^package\/(src|test|node_modules)\//.test(f))).toEqual([]);
    // Example configs only where they work: the host one (reads /var/log/dpkg.log), not the repo's
    // conf/logmetrics_collector.conf (it reads ../fixtures/, which is not packed).
    expect(files.filter((f) => f.endsWith('.conf'))).toEqual(['package/build/debian/logmetrics_collector.conf']);
    expect(files.filter((f) => /readme/i.test(f))).toEqual(['package/README.md']);
  });

  it('installs globally and runs --version under both command names', () => {
    // --ignore-scripts: re2's install script would try a download that is unreachable here, then
    // compile for minutes (npm 11 ignores --omit=optional for global installs); the repo's own
    // `npm ci` proves that build. re2 is then present but unbuilt, so the commands must start
    // without it, as an optional dependency should allow.
    const args = ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--prefer-offline'];
    ok(run('npm', [...args, '--no-audit', '--no-fund', tarball], { cwd: dir, timeout: 180_000 }), 'npm install -g');
    for (const bin of ['logmetrics-collector', 'logmetrics_collector']) {
      const r = ok(run(join(prefix, 'bin', bin), ['--version'], { timeout: 30_000 }), `${bin} --version`);
      expect(r.stdout).toContain(pkg.version);
    }
    const example = join(prefix, 'lib/node_modules', pkg.name, 'build/debian/logmetrics_collector.conf');
    const check = ok(run(join(prefix, 'bin/logmetrics-collector'), ['--check', '-c', example], { timeout: 30_000 }), '--check');
    expect(check.stdout).toMatch(/\/var\/log\/dpkg\.log: 1 file now/);
  }, 240_000);

  it('says in one line on the terminal when re2 did not build, and the command it gives builds it', () => {
    // A host without internet access: re2's prebuilt download and node-gyp's header download go to
    // a closed port; no ~/.npmrc (this machine's sets nodedir, which would let the build succeed).
    const empty = join(dir, 'empty.npmrc');
    writeFileSync(empty, '');
    const offline = cleanEnv({ npm_config_userconfig: empty, NODEJS_ORG_MIRROR: 'http://127.0.0.1:9', RE2_DOWNLOAD_MIRROR: 'http://127.0.0.1:9' });
    const prefix2 = join(dir, 'prefix-re2');
    const cmd = `npm install -g --prefix '${prefix2}' --prefer-offline --no-audit --no-fund '${tarball}'`;
    // Under a pseudo-terminal, as a user types it (npm hides install scripts' output otherwise).
    const r = ok(run('script', ['-qec', cmd, '/dev/null'], { cwd: dir, env: offline, timeout: 300_000 }), 'npm install -g');
    // What the terminal shows: each line as left by its last carriage return, without escapes.
    const shown = r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').map((l) => l.replace(/\r$/, '').split('\r').at(-1)!);
    const lines = shown.filter((l) => /re2 engine/.test(l));
    expect(lines, r.stdout).toHaveLength(1);
    const installed = join(prefix2, 'lib/node_modules', pkg.name);
    const m = /^logmetrics-collector: the optional re2 engine did not build \(regex_engine: re2 will not start; js works\); to build it: (npm install .*)$/.exec(lines[0]!);
    // --nodedir: the headers that came with the node that ran npm (here Debian's /usr/include/node).
    const nodePrefix = dirname(dirname(run('sh', ['-c', 'command -v node'], { env: offline }).stdout.trim()));
    const nodedir = existsSync(join(nodePrefix, 'include/node/node_version.h')) ? ` --nodedir=${nodePrefix}` : '';
    expect(m?.[1]).toBe(`npm install --prefix ${installed} --no-save${nodedir} re2@${pkg.optionalDependencies.re2}`);

    expect(existsSync(join(installed, 'node_modules/re2')), 'npm dropped the re2 it could not build').toBe(false);
    // A config asking for re2 is refused until then, with its reason.
    const conf = join(dir, 're2.conf');
    writeFileSync(conf, readFileSync(join(repo, 'fixtures/rest_api.conf'), 'utf8').replace(/^(\s*)re:/m, '$1regex_engine: re2,\n$1re:'));
    const bin = join(prefix2, 'bin/logmetrics-collector');
    const refused = run(bin, ['--check', '-c', conf], { timeout: 30_000 });
    expect(refused.status).toBe(2);
    expect(refused.stdout + refused.stderr).toMatch(/regex_engine re2 needs the optional "re2" package/);

    // The command, as printed (it compiles re2: minutes).
    ok(run('sh', ['-c', m![1]!], { cwd: dir, env: cleanEnv({ npm_config_userconfig: empty }), timeout: 1_500_000 }), m![1]!);
    ok(run(bin, ['--check', '-c', conf], { timeout: 30_000 }), '--check with re2');
  }, 1_800_000);
});
