// The README's commands work as written: the set-up commands are the ones .ci/run runs, and the
// everyday commands that need no server run from the repository as they are printed.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from '../helpers/cli.js';

const readme = readFileSync(ROOT + 'README.md', 'utf8');
const ci = readFileSync(ROOT + '.ci/run', 'utf8');

/** Commands of the ```sh blocks in a README section, comments stripped. */
function commands(heading: string): string[] {
  const start = readme.indexOf(heading);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const out: string[] = [];
  for (const m of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of m[1]!.split('\n')) {
      const cmd = line.replace(/\s+#.*$/, '').trim();
      if (cmd) out.push(cmd);
    }
  }
  return out;
}

describe('README commands', () => {
  const setup = commands('## Set up a machine, test, run');

  it('set-up: the first screen gives npm ci and npm test, and .ci/run runs exactly those and the main job', () => {
    expect(setup.slice(0, 2)).toEqual(['npm ci', 'npm test']);
    const main = setup.find((c) => c.includes('--once --dry-run'));
    expect(main).toBe('npx --no-install logmetrics-collector -c conf/logmetrics_collector.conf --once --dry-run');
    const ciLines = ci.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ciLines).toContain('npm ci');
    expect(ciLines).toContain('npm test');
    expect(ciLines.some((l) => l.startsWith(main!))).toBe(true);
    // The Debian packages the README says the tests need are the ones .ci/run installs.
    const apt = /apt-get install -y ([a-z0-9 -]+)/.exec(readme)![1]!.trim().split(/\s+/);
    for (const p of apt) expect(ci).toContain(p);
  });

  it('the main job and --check run as written, with no server', () => {
    const run = (cmd: string) => spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, timeout: 60_000 });
    const main = run(setup.find((c) => c.includes('--once --dry-run'))!);
    expect(main.status, main.stderr).toBe(0);
    expect(main.stdout.split('\n').filter((l) => l.startsWith('put ')).length).toBeGreaterThan(500);
    const check = run('npx --no-install logmetrics-collector -c conf/logmetrics_collector.conf --check');
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('rest.api');
    expect(execFileSync('bash', ['-c', 'npx --no-install logmetrics_collector --version'], { cwd: ROOT, encoding: 'utf8' }).trim())
      .toBe(JSON.parse(readFileSync(ROOT + 'package.json', 'utf8')).version);
  });
});
