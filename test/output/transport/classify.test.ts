// Reply classification, apart from what the pusher does about it.
import { describe, expect, it } from 'vitest';
import { classifyError, classifyStatus } from '../../../src/output/transport/classify.js';

const kind = (status: number) => classifyStatus(status, 'why').kind;

describe('classifyStatus', () => {
  it('2xx sent; 5xx, 429 and 408 retried; 401, 403, 404, 407 misconfigured; other 4xx rejected', () => {
    expect([200, 204, 299].map(kind)).toEqual(['sent', 'sent', 'sent']);
    expect([500, 502, 503, 504, 429, 408].map(kind)).toEqual(Array(6).fill('retry'));
    expect([401, 403, 404, 407].map(kind)).toEqual(Array(4).fill('misconfigured'));
    expect([400, 409, 413, 415, 422].map(kind)).toEqual(Array(5).fill('rejected'));
    expect([301, 302, 100].map(kind)).toEqual(['retry', 'retry', 'retry']);
  });

  it('keeps the server reason, with a hint for configuration problems', () => {
    expect(classifyStatus(400, 'out of bounds')).toEqual({ kind: 'rejected', why: 'HTTP 400: out of bounds' });
    expect(classifyStatus(404, '')).toEqual({ kind: 'misconfigured', why: 'HTTP 404 (check push_path, and that the server accepts this push_type)' });
    expect(classifyStatus(401, 'no')).toMatchObject({ why: expect.stringContaining('push_basic_auth') });
  });
});

describe('classifyError', () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  it('certificate and handshake failures are configuration problems, the rest is retried', () => {
    for (const c of ['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) {
      const v = classifyError(err(c));
      expect(v.kind, c).toBe('misconfigured');
      expect((v as { why: string }).why).toMatch(/^TLS certificate not accepted: .*push_tls_ca/);
    }
    expect(classifyError(err('EPROTO', 'wrong version number')).kind).toBe('misconfigured');
    for (const c of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']) expect(classifyError(err(c)).kind, c).toBe('retry');
    expect(classifyError(new Error('request timeout after 30000 ms'))).toEqual({ kind: 'retry', why: 'request timeout after 30000 ms' });
  });
});
