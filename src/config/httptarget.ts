// The settings of HTTP targets (spec sections 2 and 7): push_path, TLS, headers, basic auth, the
// secret file, and InfluxDB's database / org / bucket / token. Also what push_type decides for the
// other push settings: remote_write, influx and otlp are HTTP, and bring their own default port
// and path. Every key that cannot apply (TLS over udp, an InfluxDB bucket for otlp, ...) is an
// error, never silently ignored.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ctx, MapView, readBool, readString, type Entry, type YNode } from './node.js';
import { readBasicAuth, readHeaders, readSecretFile, secretString, type Secrets } from './secrets.js';
import { DEFAULT_PATHS, DEFAULT_PORTS, HTTP_PUSH_TYPES } from './schema.js';
import type { Settings } from './types.js';

const HTTP_KEYS = ['push_path', 'push_tls', 'push_tls_ca', 'push_tls_insecure', 'push_headers', 'push_basic_auth', 'push_secret_file'] as const;
const INFLUX_KEYS = ['push_influx_db', 'push_influx_org', 'push_influx_bucket', 'push_influx_token'] as const;

export function readHttpTarget(ctx: Ctx, v: MapView, s: Settings): void {
  const type = s.push_type;
  const proto = v.get('push_proto');
  if (HTTP_PUSH_TYPES.includes(type)) {
    if (proto && s.push_proto !== 'http') ctx.report(proto.value, proto.path, `push_type ${type} is sent over HTTP: push_proto must be http (or left out)`);
    s.push_proto = 'http';
  }
  if (!v.get('push_port')) s.push_port = DEFAULT_PORTS[type];
  if (s.push_proto !== 'http') {
    for (const k of HTTP_KEYS) {
      const e = v.get(k);
      if (e) ctx.report(e.key, e.path, `applies to HTTP targets only (push_proto http, or push_type remote_write, influx or otlp), not push_proto ${s.push_proto}`);
    }
    return;
  }
  if (type !== 'influx') {
    for (const k of INFLUX_KEYS) {
      const e = v.get(k);
      if (e) ctx.report(e.key, e.path, `applies to push_type influx only, not ${type}`);
    }
  }
  const dir = path.dirname(ctx.file);
  let e = v.get('push_path');
  if (e) {
    const p = readString(ctx, e.value, e.path, { nonEmpty: true });
    if (p !== undefined && !p.startsWith('/')) ctx.report(e.value, e.path, 'must start with "/"');
    else if (p !== undefined) s.push_path = p;
  }
  readTls(ctx, v, s, dir);
  if ((e = v.get('push_headers'))) s.push_headers = readHeaders(ctx, e.value, e.path) ?? {};
  if ((e = v.get('push_basic_auth'))) s.push_basic_auth = readBasicAuth(ctx, e.value, e.path) ?? null;
  for (const k of ['push_influx_db', 'push_influx_org', 'push_influx_bucket'] as const) {
    if ((e = v.get(k))) s[k] = readString(ctx, e.value, e.path, { nonEmpty: true }) ?? null;
  }
  if ((e = v.get('push_influx_token'))) s.push_influx_token = secretString(ctx, e.value, e.path) ?? null;
  if ((e = v.get('push_secret_file'))) {
    const file = readString(ctx, e.value, e.path, { nonEmpty: true });
    if (file !== undefined) {
      s.push_secret_file = path.resolve(dir, file);
      const secrets = readSecretFile(ctx, s.push_secret_file, e.value, e.path);
      if (secrets) merge(ctx, v, s, secrets);
    }
  }
  checkAuth(ctx, v, s);
  checkInflux(ctx, v, s);
  if (!s.push_path) s.push_path = type === 'influx' && s.push_influx_bucket ? '/api/v2/write' : DEFAULT_PATHS[type];
}

function readTls(ctx: Ctx, v: MapView, s: Settings, dir: string): void {
  let e = v.get('push_tls');
  if (e) s.push_tls = readBool(ctx, e.value, e.path) ?? false;
  const needsTls = (x: Entry) => ctx.report(x.key, x.path, 'needs push_tls: true');
  if ((e = v.get('push_tls_insecure'))) {
    s.push_tls_insecure = readBool(ctx, e.value, e.path) ?? false;
    if (!s.push_tls) needsTls(e);
  }
  if ((e = v.get('push_tls_ca'))) {
    const file = readString(ctx, e.value, e.path, { nonEmpty: true });
    if (!s.push_tls) needsTls(e);
    if (file !== undefined) {
      const abs = path.resolve(dir, file);
      let pem = '';
      try {
        pem = readFileSync(abs, 'utf8');
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) ctx.report(e.value, e.path, `${abs} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
      } catch (err) {
        ctx.report(e.value, e.path, `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      s.push_tls_ca = abs;
    }
  }
}

/**
 * The secret file's keys join the settings: push_headers header by header; any other key, or a header,
 * given in both places is an error.
 */
function merge(ctx: Ctx, v: MapView, s: Settings, secrets: Secrets): void {
  const clash = (node: YNode, what: string) => secrets.ctx.report(node, what, `is also given in ${ctx.file}; give it in one place`);
  for (const k of ['push_basic_auth', 'push_influx_token'] as const) {
    const node = secrets.nodes[k];
    if (node === undefined) continue;
    if (v.get(k)) clash(node, k);
    else if (k === 'push_basic_auth') s.push_basic_auth = secrets.push_basic_auth ?? null;
    else s.push_influx_token = secrets.push_influx_token ?? null;
  }
  const mine = new Set(Object.keys(s.push_headers).map((h) => h.toLowerCase()));
  for (const [name, value] of Object.entries(secrets.push_headers ?? {})) {
    if (mine.has(name.toLowerCase())) clash(secrets.nodes.push_headers, `push_headers.${name}`);
    else s.push_headers = { ...s.push_headers, [name]: value };
  }
  ctx.issues.push(...secrets.ctx.issues.splice(0));
}

/** One Authorization header at most: basic auth, the InfluxDB token, or one of push_headers. */
function checkAuth(ctx: Ctx, v: MapView, s: Settings): void {
  const sources = [
    s.push_basic_auth ? 'push_basic_auth' : null,
    s.push_influx_token ? 'push_influx_token' : null,
    Object.keys(s.push_headers).some((h) => h.toLowerCase() === 'authorization') ? 'an Authorization header in push_headers' : null,
  ].filter((x): x is string => x !== null);
  if (sources.length > 1) at(ctx, v, ['push_basic_auth', 'push_influx_token', 'push_headers', 'push_secret_file'], `${sources.join(' and ')} would both set the Authorization header; give one`);
}

function checkInflux(ctx: Ctx, v: MapView, s: Settings): void {
  if (s.push_type !== 'influx') return;
  if (!!s.push_influx_org !== !!s.push_influx_bucket) {
    at(ctx, v, ['push_influx_org', 'push_influx_bucket'], 'InfluxDB 2 needs both push_influx_org and push_influx_bucket');
  }
  if (s.push_influx_db && s.push_influx_bucket) {
    at(ctx, v, ['push_influx_db'], 'push_influx_db is for InfluxDB 1.x (/write); with push_influx_bucket the InfluxDB 2 API is used');
  }
}

/** Reports at the first of `keys` present in the settings mapping. */
function at(ctx: Ctx, v: MapView, keys: string[], message: string): void {
  const e = keys.map((k) => v.get(k)).find((x) => x !== undefined);
  ctx.report((e?.key ?? v.node) as YNode, e?.path ?? 'settings', message);
}
