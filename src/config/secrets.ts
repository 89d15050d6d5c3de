// push_secret_file (spec section 2): a YAML mapping kept apart from the config so the config can stay
// world-readable. It may hold push_basic_auth, push_headers and push_influx_token; whatever it holds is
// merged into the settings. Nothing it contains is ever printed: its problems are reported by file,
// line, column and key, without the value (a YAML syntax error too, whose message could quote it).
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { Ctx, MapView, join, type YNode } from './node.js';
import { SECRET_KEYS } from './schema.js';
import type { BasicAuth } from './types.js';

/** Where each setting came from, for the errors of cross-checks. */
export interface Secrets {
  push_basic_auth?: BasicAuth;
  push_headers?: Record<string, string>;
  push_influx_token?: string;
  /** Positions of the keys present, in the secret file. */
  nodes: Partial<Record<(typeof SECRET_KEYS)[number], YNode>>;
  ctx: Ctx;
}

/** Reads the secret file; its issues go to `main` (the config's context). Null when unreadable. */
export function readSecretFile(main: Ctx, file: string, at: YNode, atPath: string): Secrets | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    main.report(at, atPath, `cannot read ${file}: ${e.code ?? e.message}`);
    return null;
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const ctx = new Ctx(file, text, lc, doc);
  const out: Secrets = { nodes: {}, ctx };
  const flush = () => { main.issues.push(...ctx.issues); ctx.issues.length = 0; };
  if (doc.errors.length > 0) {
    for (const err of doc.errors) ctx.reportAt(err.pos[0], '', 'YAML syntax error (the text is not shown: it may hold a secret)');
    flush();
    return null;
  }
  if (!isMap(doc.contents)) {
    ctx.report(doc.contents, '', `must be a mapping of ${SECRET_KEYS.join(', ')}`);
    flush();
    return null;
  }
  const v = new MapView(ctx, doc.contents, '', doc.contents, SECRET_KEYS);
  let e = v.get('push_basic_auth');
  if (e) { out.nodes.push_basic_auth = e.key; out.push_basic_auth = readBasicAuth(ctx, e.value, e.path); }
  e = v.get('push_headers');
  if (e) { out.nodes.push_headers = e.key; out.push_headers = readHeaders(ctx, e.value, e.path); }
  e = v.get('push_influx_token');
  if (e) { out.nodes.push_influx_token = e.key; out.push_influx_token = secretString(ctx, e.value, e.path); }
  flush();
  return out;
}

/** A string that may be a secret: a problem is reported without showing the value. */
export function secretString(ctx: Ctx, node: YNode, path: string): string | undefined {
  if (isScalar(node) && typeof node.value === 'string' && node.value !== '') return node.value;
  ctx.report(node, path, isScalar(node) && node.value === '' ? 'must not be empty' : 'must be a non-empty string (quote it)');
  return undefined;
}

/** `{ username: u, password: p }`. */
export function readBasicAuth(ctx: Ctx, node: YNode, path: string): BasicAuth | undefined {
  if (!isMap(node)) {
    ctx.report(node, path, 'must be a mapping { username: ..., password: ... }');
    return undefined;
  }
  const v = new MapView(ctx, node, path, node, ['username', 'password']);
  const u = v.required('username');
  const p = v.required('password');
  const username = u ? secretString(ctx, u.value, u.path) : undefined;
  const password = p ? secretString(ctx, p.value, p.path) : undefined;
  if (username?.includes(':')) ctx.report(u!.value, u!.path, 'must not contain ":" (basic auth joins user and password with it)');
  return username !== undefined && password !== undefined && !username.includes(':') ? { username, password } : undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the collector sets itself: a second value would break the request. */
const RESERVED = ['host', 'content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'connection',
  'x-prometheus-remote-write-version'];

/** `{ Name: value, ... }`: HTTP header names, string values without line breaks. */
export function readHeaders(ctx: Ctx, node: YNode, path: string): Record<string, string> | undefined {
  if (!isMap(node)) {
    ctx.report(node, path, 'must be a mapping of header names to values');
    return undefined;
  }
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const pair of node.items) {
    const key = ctx.deref(pair.key);
    const name = isScalar(key) && typeof key.value === 'string' ? key.value : '';
    const at = join(path, name || '?');
    if (!TOKEN.test(name)) { ctx.report(key, at, 'is not a valid HTTP header name'); continue; }
    if (RESERVED.includes(name.toLowerCase())) { ctx.report(key, at, `${name} is set by the collector`); continue; }
    if (seen.has(name.toLowerCase())) { ctx.report(key, at, `header ${name} is given twice`); continue; }
    seen.add(name.toLowerCase());
    const value = secretString(ctx, ctx.deref(pair.value), at);
    if (value === undefined) continue;
    if (/[\r\n\0]/.test(value)) { ctx.report(ctx.deref(pair.value), at, 'must not contain a line break'); continue; }
    out[name] = value;
  }
  return out;
}
