// TLS to an HTTPS server whose certificate a throwaway test CA signed (openssl): trusted through
// push_tls_ca, refused clearly without it (an error naming the certificate problem, points kept,
// retried at the longest wait), accepted without checks under push_tls_insecure; a plain-HTTP port is
// a clear handshake error. Basic auth and extra headers arrive.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PusherPool, type PoolSettings } from '../../../src/output/push/pool.js';
import { Registry } from '../../../src/selfstats/registry.js';
import { capturingLogger } from '../../helpers/lineserver.js';
import { makeTestPki, startHttpSink, type HttpSink, type TestPki } from '../../helpers/httpsink.js';
import { samplePoints } from '../../helpers/victoria.js';

let pki: TestPki;
let srv: HttpSink;
let pool: PusherPool | null = null;
beforeAll(async () => { pki = makeTestPki(); srv = await startHttpSink(() => ({ status: 204 }), pki); });
afterAll(async () => { await srv?.close(); pki?.remove(); });
afterEach(async () => { await pool?.close(); pool = null; });

const settings = (over: Partial<PoolSettings>): PoolSettings => ({
  push_host: ['127.0.0.1'], push_port: srv.port, push_proto: 'http', push_type: 'influx', push_path: '/write',
  push_number: 1, push_wait: 1, queue_size: 1000, push_tls: true, ...over,
});

function start(over: Partial<PoolSettings>) {
  const cap = capturingLogger();
  pool = new PusherPool({ settings: settings(over), registry: new Registry(), log: cap.log, backoffScale: 0.01 });
  return cap;
}

describe('push_tls', () => {
  it('connects with the CA file; basic auth and headers arrive', async () => {
    const before = srv.requests.length;
    start({ push_tls_ca: pki.caFile, push_basic_auth: { username: 'alice', password: 's3cret!' }, push_headers: { 'X-Scope-OrgID': 'team-a' } });
    pool!.write(samplePoints('tls.ok', 20));
    await pool!.flush();
    const got = srv.requests.slice(before);
    expect(got.length).toBe(1);
    expect(got[0]!.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cret!').toString('base64')}`);
    expect(got[0]!.headers['x-scope-orgid']).toBe('team-a');
    expect(got[0]!.body.toString().split('\n').filter(Boolean).length).toBe(20);
  });

  it('without the CA: a clear certificate error, the points kept, retried at the longest wait', async () => {
    const before = srv.requests.length;
    const cap = start({});
    pool!.write(samplePoints('tls.noca', 5));
    const until = Date.now() + 5000;
    while (cap.calls.filter((c) => c.level === 'error').length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const errs = cap.calls.filter((c) => c.level === 'error');
    expect(errs.length).toBeGreaterThanOrEqual(2);
    expect(errs[0]!.msg).toBe('push failed: configuration problem; points kept, retrying at the longest wait');
    expect(String(errs[0]!.fields!.error)).toMatch(/^POST https:\/\/127\.0\.0\.1:\d+\/write\?precision=s: TLS certificate not accepted: .*(self.signed|unable to (get|verify)).*push_tls_ca/i);
    expect(errs[0]!.fields!.retry_in_s).toBe(0.6);
    expect(pool!.pending().length).toBe(5);
    expect(srv.requests.length).toBe(before);
  });

  it('OpenTSDB over http takes the same settings: TLS, push_path, credentials', async () => {
    const before = srv.requests.length;
    start({ push_type: 'tsd', push_path: '/tsdb/api/put', push_tls_ca: pki.caFile, push_basic_auth: { username: 'bob', password: 'pw-9' } });
    pool!.write(samplePoints('tls.tsd', 60));
    await pool!.flush();
    const got = srv.requests.slice(before);
    expect(got.map((r) => r.path)).toEqual(['/tsdb/api/put?details', '/tsdb/api/put?details']);
    expect(got[0]!.headers.authorization).toBe(`Basic ${Buffer.from('bob:pw-9').toString('base64')}`);
    expect(JSON.parse(got[0]!.body.toString()).length).toBe(50);
  });

  it('push_tls_insecure skips the checks', async () => {
    start({ push_tls_insecure: true });
    pool!.write(samplePoints('tls.insecure', 3));
    await pool!.flush();
    expect(pool!.status()[0]!.keySent).toBe(3);
  });

  it('TLS to a plain HTTP port is a clear handshake error', async () => {
    const plain = await startHttpSink();
    try {
      const cap = start({ push_port: plain.port, push_tls_ca: pki.caFile });
      pool!.write(samplePoints('tls.plain', 1));
      const until = Date.now() + 5000;
      while (!cap.calls.some((c) => c.level === 'error') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(String(cap.calls.find((c) => c.level === 'error')!.fields!.error)).toMatch(/TLS handshake failed: .*check push_tls/);
    } finally {
      await pool?.close();
      pool = null;
      await plain.close();
    }
  });
});
