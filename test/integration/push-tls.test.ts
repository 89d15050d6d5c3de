// Issue 22, TLS and credentials through the real CLI, against an in-process HTTPS server whose
// certificate a throwaway CA signed (openssl): with push_tls_ca the replay arrives whole, with basic
// auth from push_secret_file and an extra header; without the CA the collector says clearly that the
// certificate was not accepted and sends nothing; the secret file's content never appears in any log
// line, --check's report included, even when the server echoes the credentials back.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTestPki, startHttpSink, type HttpSink, type TestPki } from '../helpers/httpsink.js';
import { ASSUME_NOW, compare, describeDiff, dryRun, logLines, removeDir, seedConfig, seedLog, spawnCli, tempDir, until } from './helpers/collector.js';
import { parseDryRun } from './helpers/formats.js';

const PASSWORD = 'pw-7f3a9c2e41d8b6';
const TOKEN = 'hdr-5e8d1b7c90aa';
let dir: string;
let pki: TestPki;
let srv: HttpSink;
let mode: 'ok' | 'echo' = 'ok';
const stderrs: string[] = [];

beforeAll(async () => {
  dir = tempDir('tls');
  pki = makeTestPki();
  srv = await startHttpSink((r) => (mode === 'ok' ? { status: 204 }
    : { status: 400, body: `{"error":"rejected request with authorization ${r.headers.authorization} and key ${r.headers['x-api-key']}"}` }), pki);
  const secrets = path.join(dir, 'secrets.yaml');
  writeFileSync(secrets, `push_basic_auth: { username: "svc-logs", password: "${PASSWORD}" }\npush_headers: { X-Api-Key: "${TOKEN}" }\n`);
  chmodSync(secrets, 0o600);
});
afterAll(async () => {
  await srv?.close();
  pki?.remove();
  if (dir) removeDir(dir);
});

async function writeConf(name: string, log: string, extra: Record<string, unknown>): Promise<string> {
  const conf = path.join(dir, `${name}.conf`);
  writeFileSync(conf, seedConfig([log], {
    push_type: 'influx', push_host: '127.0.0.1', push_port: srv.port, push_wait: 1, state_file: '',
    push_tls: true, push_headers: { 'X-Scope-OrgID': 'tenant-7' }, push_secret_file: 'secrets.yaml', ...extra,
  }));
  return conf;
}

describe('TLS and credentials (CLI)', () => {
  it('with the CA file: every point arrives, with basic auth from the secret file and the headers', async () => {
    const log = await seedLog(20_000, 278);
    const conf = await writeConf('ok', log, { push_tls_ca: pki.caFile });
    const check = await runCli(['-c', conf, '--check']);
    expect(check.code, check.stdout).toBe(0);
    stderrs.push(check.stdout + check.stderr);
    const sent = parseDryRun('influx', await dryRun(conf, ['--assume-now', ASSUME_NOW]));
    mode = 'ok';
    const before = srv.requests.length;
    const r = await spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 }).result;
    stderrs.push(r.stderr);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const reqs = srv.requests.slice(before);
    expect(reqs.length).toBeGreaterThan(1);
    for (const q of reqs) {
      expect(q.headers.authorization).toBe(`Basic ${Buffer.from(`svc-logs:${PASSWORD}`).toString('base64')}`);
      expect(q.headers['x-api-key']).toBe(TOKEN);
      expect(q.headers['x-scope-orgid']).toBe('tenant-7');
    }
    const got = parseDryRun('influx', reqs.map((q) => q.body.toString()).join(''));
    const c = compare(sent, got, 'exact');
    expect(c.missing, describeDiff(c)).toEqual([]);
    expect(c.extra, describeDiff(c)).toEqual([]);
  }, 90_000);

  it('without the CA file: a clear certificate error at once, nothing sent', async () => {
    const log = await seedLog(20_000, 278);
    const conf = await writeConf('noca', log, {});
    const before = srv.requests.length;
    const run = spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 });
    try {
      const err = await until(() => logLines(run.stderr()).find((l) => l.level === 'error'), 20_000, 'the certificate error');
      expect(err.msg).toBe('push failed: configuration problem; points kept, retrying at the longest wait');
      expect(String(err.error)).toMatch(/TLS certificate not accepted: .*set push_tls_ca/);
      expect(Number(err.retry_in_s)).toBeGreaterThanOrEqual(60);
      expect(srv.requests.length).toBe(before);
    } finally {
      run.child.kill('SIGKILL');
      stderrs.push((await run.result).stderr);
    }
  }, 60_000);

  it('a server that echoes the credentials: rejected batches logged, the secrets never', async () => {
    const log = await seedLog(20_000, 278);
    const conf = await writeConf('echo', log, { push_tls_ca: pki.caFile });
    mode = 'echo';
    const r = await spawnCli(['-c', conf, '--once', '--assume-now', ASSUME_NOW], { timeoutMs: 60_000 }).result;
    stderrs.push(r.stderr);
    expect(r.code).toBe(0);
    const warned = logLines(r.stderr).filter((l) => l.msg === 'points rejected by the server, batch dropped');
    expect(warned.length).toBeGreaterThan(0);
    expect(String(warned[0]!.error)).toBe('HTTP 400: rejected request with authorization Basic *** and key ***');
  }, 60_000);

  it('no log line of any of these runs holds the secret file\'s content', () => {
    expect(stderrs.length).toBe(4);
    const all = stderrs.join('\n');
    for (const s of [PASSWORD, TOKEN, Buffer.from(`svc-logs:${PASSWORD}`).toString('base64')]) expect(all).not.toContain(s);
  });
});
