// `npm pack` gives a tarball that a global install turns into working commands.
// Packed in a copy of the work tree: `prepare` rebuilds build/dist, which other tests may be running.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkTree, ok, pkg, run } from './helpers.js';

describe('npm package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmc-pack-'));
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
  }, 240_000);
});
