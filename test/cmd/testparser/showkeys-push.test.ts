// --test-parser --show-keys shows the keys in the names push_type sends (issue 22): remote_write maps
// the metric name and the label names, influx and otlp the metric name only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASSUME_NOW, FIXTURES, runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lmc-showkeys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GOOD = readFileSync(FIXTURES + 'rest_api.perf.log', 'utf8').split('\n')[0]!;

async function keys(type: string, tagName = 'call'): Promise<string[]> {
  const conf = path.join(dir, `${type}.conf`);
  const text = readFileSync(FIXTURES + 'rest_api.conf', 'utf8')
    .replace(/settings:\s*\{[^}]*\}/, `settings: { push_type: ${type}, state_file: "" }`)
    .replace(/\bcall: 5\b/, `${tagName}: 5`);
  writeFileSync(conf, text);
  const input = path.join(dir, 'one.log');
  writeFileSync(input, GOOD + '\n');
  const r = await runCli(['-c', conf, '--test-parser', 'rest.api', '--input', input, '--show-keys', '--assume-now', ASSUME_NOW]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => /^\s{4}rest/.test(l)).map((l) => l.trim());
}

describe('--show-keys in the configured names', () => {
  it('remote_write: mapped metric and label names', async () => {
    const k = await keys('remote_write', 'call.name');
    expect(k[0]).toBe('rest_api_executions (meter) 1770523200 1 call_name=getUser class=t host=rest1.mynetwork resource=local');
    expect(k[6]).toMatch(/^rest_api_execution_time_ms \(histogram\) 1770523200 15 call_name=getUser /);
  });

  it('influx and otlp: mapped metric names, tags as they are; tsd unchanged', async () => {
    expect((await keys('influx', 'call.name'))[0]).toBe('rest_api_executions (meter) 1770523200 1 call.name=getUser class=t host=rest1.mynetwork resource=local');
    expect((await keys('otlp'))[6]).toMatch(/^rest_api_execution_time_ms \(histogram\) /);
    expect((await keys('tsd'))[0]).toBe('rest.api.executions (meter) 1770523200 1 call=getUser class=t host=rest1.mynetwork resource=local');
  });
});
