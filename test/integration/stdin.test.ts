// Standard input as a source through the real CLI: the seed log piped through stdin (files: ["-"],
// or --input -) replays byte-identically to the file, with -j 1 and -j 2; --once ends at the end of
// input; the daemon reading only stdin flushes and exits 0 at its end; a group may read stdin beside
// its files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSUME_NOW, FIXTURES, runCli } from '../helpers/cli.js';
import { generate } from '../bench/gen.mjs';
import { lastPoints, rmrf, tempDir } from './helpers/tail.js';

let dir: string;
let log: string;
let fileConf: string;
let stdinConf: string;
beforeAll(async () => {
  dir = tempDir('stdin');
  log = path.join(dir, 'seed.log');
  await generate(log, 20_000);
  const text = fs.readFileSync(FIXTURES + 'rest_api.conf', 'utf8');
  fileConf = path.join(dir, 'file.conf');
  fs.writeFileSync(fileConf, text.replace('./rest_api.perf.log', log));
  stdinConf = path.join(dir, 'stdin.conf');
  fs.writeFileSync(stdinConf, text.replace('"./rest_api.perf.log"', '"-"'));
});
afterAll(() => rmrf(dir));

/** A group "g" counting lines per word, its date a unix stamp, reading `files` (YAML list items). */
function smallConf(name: string, files: string, settings = ''): string {
  const c = path.join(dir, name);
  fs.writeFileSync(c, `
settings: { push_type: tsd, state_file: ""${settings} }
g:
  files: [${files}]
  re: [ '^(\\d+)\\s(\\w+)$' ]
  expected_matches: 2
  date: { position: 1, format: unix }
  key_prefix: s
  tags: { w: 2 }
  metrics: { counter: [ { key_suffix: n, reference: [ [0, ""] ] } ] }
`);
  return c;
}

const once = (conf: string, extra: string[] = [], input?: Buffer) =>
  runCli(['-c', conf, '--once', '--dry-run', '--assume-now', ASSUME_NOW, ...extra], { input, timeoutMs: 120_000 });

describe('standard input', () => {
  it('the seed log piped through stdin replays byte-identically to the file (files: ["-"] and --input -, -j 1 and -j 2)', async () => {
    const seed = fs.readFileSync(log);
    const file = await once(fileConf);
    expect(file.code, file.stderr).toBe(0);
    expect(file.stdout.length).toBeGreaterThan(100_000);
    const piped = await once(stdinConf, [], seed);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(file.stdout);
    expect(piped.stderr).toContain('"lines_read":20000');
    const input = await once(fileConf, ['--input', '-', '-j', '2'], seed);
    expect(input.code, input.stderr).toBe(0);
    expect(input.stdout).toBe(file.stdout);
  });

  it('a last line without its newline counts at the end of input; a line over max_line_bytes is counted and skipped', async () => {
    const c = smallConf('small.conf', '"-"', ', max_line_bytes: 64');
    const input = `1767225600 a\n1767225601 ${'x'.repeat(100)}\n1767225602 a\n1767225603 b`;
    const r = await once(c, [], Buffer.from(input));
    expect(r.code, r.stderr).toBe(0);
    const pts = lastPoints(r.stdout);
    expect(pts.get('s.n.count w=a')?.value).toBe(2);
    expect(pts.get('s.n.count w=b')?.raw).toBe('put s.n.count 1767225603 1 w=b');
    expect(r.stderr).toContain('"lines_too_long":1');
    expect(r.stderr).toContain('line longer than max_line_bytes skipped');
  });

  it('a group reads stdin beside its files: the files first, then stdin', async () => {
    const f = path.join(dir, 'first.log');
    fs.writeFileSync(f, '1767225600 a\n1767225601 a\n');
    smallConf('both.conf', `"${f}", "-"`);
    const r = await once(path.join(dir, 'both.conf'), [], Buffer.from('1767225700 a\n1767225701 b\n'));
    expect(r.code, r.stderr).toBe(0);
    const pts = lastPoints(r.stdout);
    expect(pts.get('s.n.count w=a')?.raw).toBe('put s.n.count 1767225700 3 w=a');
    expect(pts.get('s.n.count w=b')?.value).toBe(1);
  });

  it('the daemon reading only stdin flushes and exits 0 at the end of input, with the values of --once', async () => {
    const seed = fs.readFileSync(log);
    const daemon = await runCli(['-c', stdinConf, '--dry-run', '--assume-now', ASSUME_NOW], { input: seed, timeoutMs: 120_000 });
    expect(daemon.code, daemon.stderr.slice(-2000)).toBe(0);
    expect(daemon.stderr).toContain('"msg":"standard input ended"');
    expect(daemon.stderr).toContain('"reason":"input ended"');
    const user = (s: string) => new Map([...lastPoints(s)].filter(([k]) => !k.startsWith('logmetrics_collector.')).map(([k, v]) => [k, v.raw]));
    const file = await once(fileConf);
    expect(user(daemon.stdout)).toEqual(user(file.stdout));
  });
});
