// -P writes V8 CPU profiles that show where the time went: the main thread's, and with -j N one per
// parse worker (the regex and extraction run there, invisible in the main thread's profile).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSUME_NOW, FIXTURES, runCli } from '../helpers/cli.js';
import { generate } from '../bench/gen.mjs';
import { workerProfileFile } from '../../src/core/profile.js';

interface CpuProfile { nodes: Array<{ id: number; callFrame: { functionName: string } }>; samples: number[]; startTime: number; endTime: number }

/** Function names of the nodes the profile's samples landed in. */
function sampled(file: string): Set<string> {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  expect(p.endTime).toBeGreaterThan(p.startTime);
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame.functionName]));
  return new Set(p.samples.map((id) => byId.get(id)!));
}

describe('-P, --profile', () => {
  it('names a worker\'s profile after the main one', () => {
    expect(workerProfileFile('/tmp/run.cpuprofile', 1)).toBe('/tmp/run.worker-1.cpuprofile');
    expect(workerProfileFile('run', 2)).toBe('run.worker-2');
    expect(workerProfileFile('a.b/run.prof', 3)).toBe('a.b/run.prof.worker-3');
  });

  it('writes the main thread profile, and one per worker with -j 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmc-profile-'));
    const log = join(dir, 'seed.log');
    await generate(log, 40_000);
    const conf = join(dir, 'seed.conf');
    writeFileSync(conf, readFileSync(FIXTURES + 'rest_api.conf', 'utf8').replace('./rest_api.perf.log', log));

    const one = join(dir, 'one.cpuprofile');
    const r1 = await runCli(['-c', conf, '--once', '--dry-run', '--assume-now', ASSUME_NOW, '-P', one]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(sampled(one).has('extract')).toBe(true); // one thread: the extraction runs on it
    expect(existsSync(join(dir, 'one.worker-1.cpuprofile'))).toBe(false);

    const two = join(dir, 'two.cpuprofile');
    const r2 = await runCli(['-c', conf, '--once', '--dry-run', '--assume-now', ASSUME_NOW, '-j', '2', '-P', two]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toBe(r1.stdout);
    const main = sampled(two);
    expect(main.has('extract')).toBe(false); // -j 2: not on the main thread...
    expect(main.has('recordSet')).toBe(true); // ...which keeps the statistics
    // ...but in the workers' profiles (one file per worker, both of them working: two files would be
    // needed to give each a file, so one of them may only have started up).
    const workers = [1, 2].map((i) => join(dir, `two.worker-${i}.cpuprofile`));
    for (const w of workers) expect(existsSync(w), w).toBe(true);
    expect(workers.some((w) => sampled(w).has('extract'))).toBe(true);
  });
});
