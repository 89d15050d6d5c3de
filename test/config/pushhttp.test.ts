// Settings of HTTP targets (spec sections 2 and 7): what push_type implies for push_proto, push_port
// and push_path; TLS, headers, basic auth, InfluxDB's keys; push_secret_file merged into the settings
// and never echoed in an error; every key that cannot apply is an error naming file, line and key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { ConfigIssue, Settings } from '../../src/config/types.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lmc-pushhttp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = path.join(dir, 'test.conf');
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
writeFileSync(path.join(dir, 'ca.pem'), PEM);

const text = (settings: string): string => [
  '{',
  '  g: { files: [ "a.log" ], re: [ \'^(\\d+)\' ], expected_matches: 1, date: { position: 1, format: "unix" },',
  '       key_prefix: "k", metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] } },',
  `  settings: { ${settings} }`,
  '}',
].join('\n');

function parse(settings: string): { s?: Settings; issues: ConfigIssue[] } {
  const r = parseConfigText(text(settings), FILE);
  return { s: r.config?.settings, issues: r.issues };
}
function ok(settings: string): Settings {
  const r = parse(settings);
  expect(r.issues).toEqual([]);
  return r.s!;
}
const problems = (settings: string) => parse(settings).issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);

describe('push_type decides proto, port and path', () => {
  it('defaults per type', () => {
    expect(pick(ok('push_type: remote_write'))).toEqual(['http', 9090, '/api/v1/write']);
    expect(pick(ok('push_type: influx'))).toEqual(['http', 8086, '/write']);
    expect(pick(ok('push_type: influx, push_influx_org: o, push_influx_bucket: b'))).toEqual(['http', 8086, '/api/v2/write']);
    expect(pick(ok('push_type: otlp'))).toEqual(['http', 4318, '/v1/metrics']);
    expect(pick(ok('push_type: tsd, push_proto: http'))).toEqual(['http', 4242, '/api/put']);
    expect(pick(ok('push_type: tsd, push_proto: tcp'))).toEqual(['tcp', 4242, '']);
    expect(pick(ok('push_type: otlp, push_port: 14318, push_path: "/otlp/v1/metrics", push_proto: http'))).toEqual(['http', 14318, '/otlp/v1/metrics']);
  });

  it('a write protocol over tcp or udp, and HTTP keys over tcp or udp, are errors', () => {
    expect(problems('push_type: remote_write, push_proto: tcp')).toEqual([
      '4:52 settings.push_proto: push_type remote_write is sent over HTTP: push_proto must be http (or left out)']);
    expect(problems('push_type: tsd, push_proto: udp, push_tls: true, push_path: "/x"')).toEqual([
      '4:48 settings.push_tls: applies to HTTP targets only (push_proto http, or push_type remote_write, influx or otlp), not push_proto udp',
      '4:64 settings.push_path: applies to HTTP targets only (push_proto http, or push_type remote_write, influx or otlp), not push_proto udp',
    ]);
    expect(problems('push_type: otlp, push_influx_bucket: b, push_path: "v1"')).toEqual([
      '4:32 settings.push_influx_bucket: applies to push_type influx only, not otlp',
      '4:66 settings.push_path: must start with "/"',
    ]);
  });
});

describe('TLS, headers and credentials', () => {
  it('reads them, resolving the CA file against the config directory', () => {
    const s = ok('push_type: remote_write, push_tls: true, push_tls_ca: "ca.pem", push_headers: { X-Scope-OrgID: "tenant-1" }, ' +
      'push_basic_auth: { username: "u", password: "p" }');
    expect([s.push_tls, s.push_tls_ca, s.push_tls_insecure, s.push_headers, s.push_basic_auth])
      .toEqual([true, path.join(dir, 'ca.pem'), false, { 'X-Scope-OrgID': 'tenant-1' }, { username: 'u', password: 'p' }]);
  });

  it('refuses what cannot work', () => {
    expect(problems('push_type: otlp, push_tls_ca: "missing.pem", push_tls_insecure: true')).toEqual([
      '4:32 settings.push_tls_ca: needs push_tls: true',
      `4:45 settings.push_tls_ca: cannot read ${path.join(dir, 'missing.pem')}: ENOENT`,
      '4:60 settings.push_tls_insecure: needs push_tls: true',
    ]);
    expect(problems('push_type: otlp, push_headers: { "bad name": x, Content-Type: "text/plain", ok: 3 }')).toEqual([
      '4:48 settings.push_headers.bad name: is not a valid HTTP header name',
      '4:63 settings.push_headers.Content-Type: Content-Type is set by the collector',
      '4:95 settings.push_headers.ok: must be a non-empty string (quote it)',
    ]);
    expect(problems('push_type: influx, push_basic_auth: { username: "a:b", password: "p" }, push_influx_token: "t"')).toEqual([
      '4:63 settings.push_basic_auth.username: must not contain ":" (basic auth joins user and password with it)',
    ]);
    expect(problems('push_type: influx, push_basic_auth: { username: "a", password: "p" }, push_influx_token: "t"')).toEqual([
      '4:34 settings.push_basic_auth: push_basic_auth and push_influx_token would both set the Authorization header; give one',
    ]);
    expect(problems('push_type: influx, push_influx_org: o, push_influx_db: d')).toEqual([
      '4:34 settings.push_influx_org: InfluxDB 2 needs both push_influx_org and push_influx_bucket',
    ]);
  });
});

describe('push_secret_file', () => {
  it('merges its keys into the settings', () => {
    writeFileSync(path.join(dir, 'secrets.yaml'), 'push_basic_auth: { username: "12345", password: "glc_s3cr3t" }\npush_headers: { X-Api-Key: "k-9f8e7d" }\n');
    const s = ok('push_type: remote_write, push_headers: { X-Scope-OrgID: "t1" }, push_secret_file: "secrets.yaml"');
    expect(s.push_secret_file).toBe(path.join(dir, 'secrets.yaml'));
    expect(s.push_basic_auth).toEqual({ username: '12345', password: 'glc_s3cr3t' });
    expect(s.push_headers).toEqual({ 'X-Scope-OrgID': 't1', 'X-Api-Key': 'k-9f8e7d' });
    expect(problems('push_type: remote_write, push_headers: { x-api-key: "k" }, push_secret_file: "secrets.yaml"')).toEqual([
      `2:1 push_headers.X-Api-Key: is also given in ${FILE}; give it in one place`,
    ]);
    writeFileSync(path.join(dir, 'token.yaml'), 'push_influx_token: "tok-abcdef"\n');
    expect(ok('push_type: influx, push_influx_org: o, push_influx_bucket: b, push_secret_file: token.yaml').push_influx_token).toBe('tok-abcdef');
  });

  it('reports its problems by file, line and key, never with a value', () => {
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, 'push_basic_auth: { username: "u", password: 123456789 }\npush_influx_token: "tok-0000"\npush_tls: true\npush_headers: "hunter2-secret"\n');
    const issues = parse('push_type: remote_write, push_influx_token: "x", push_secret_file: "bad.yaml"').issues;
    const shown = issues.map((i) => `${path.basename(i.file)}:${i.line}:${i.column} ${i.path}: ${i.message}`);
    expect(shown).toEqual([
      'bad.yaml:1:45 push_basic_auth.password: must be a non-empty string (quote it)',
      'bad.yaml:2:1 push_influx_token: is also given in ' + FILE + '; give it in one place',
      'bad.yaml:3:1 push_tls: unknown key "push_tls"',
      'bad.yaml:4:15 push_headers: must be a mapping of header names to values',
      'test.conf:4:40 settings.push_influx_token: applies to push_type influx only, not remote_write',
    ].sort((a, b) => (a.startsWith('test') ? 1 : 0) - (b.startsWith('test') ? 1 : 0)));
    const all = JSON.stringify(issues);
    for (const secret of ['123456789', 'tok-0000', 'hunter2']) expect(all).not.toContain(secret);
  });

  it('a YAML error is located without quoting the text; an unreadable file is named', () => {
    writeFileSync(path.join(dir, 'broken.yaml'), 'push_headers: { Authorization: "Bearer abc123def\n');
    const issues = parse('push_type: otlp, push_secret_file: "broken.yaml"').issues;
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.file).toBe(path.join(dir, 'broken.yaml'));
    expect(JSON.stringify(issues)).not.toContain('abc123def');
    expect(problems('push_type: otlp, push_secret_file: "nope.yaml"')).toEqual([
      `4:50 settings.push_secret_file: cannot read ${path.join(dir, 'nope.yaml')}: ENOENT`,
    ]);
  });
});

function pick(s: Settings): [string, number, string] {
  return [s.push_proto, s.push_port, s.push_path];
}
