// The `settings` mapping (spec section 2). Every key is optional; a missing `settings` is all defaults.
import { isScalar, isSeq } from 'yaml';
import { Ctx, MapView, asMap, describe, isNull, items, readEnum, readNumber, readString, type YNode } from './node.js';
import { PUSH_TYPES, SETTINGS_DEFAULTS, SETTINGS_KEYS, SYSLOG_FACILITIES } from './schema.js';
import { readHttpTarget } from './httptarget.js';
import type { Settings } from './types.js';

export function readSettings(ctx: Ctx, key: YNode, node: YNode): Settings {
  const s: Settings = { ...SETTINGS_DEFAULTS, push_host: [...SETTINGS_DEFAULTS.push_host], push_headers: {} };
  if (isNull(node)) return s; // `settings:` with nothing after it
  const map = asMap(ctx, node, 'settings');
  if (!map) return s;
  const v = new MapView(ctx, map, 'settings', key, SETTINGS_KEYS);
  const num = (name: 'poll_interval' | 'push_wait' | 'stats_interval'): void => {
    const e = v.get(name);
    if (e) s[name] = readNumber(ctx, e.value, e.path, { positive: true }) ?? s[name];
  };
  const int = (name: 'push_number' | 'queue_size' | 'max_line_bytes', min: number): void => {
    const e = v.get(name);
    if (e) s[name] = readNumber(ctx, e.value, e.path, { integer: true, min }) ?? s[name];
  };
  num('poll_interval');
  num('push_wait');
  num('stats_interval');
  int('push_number', 1);
  int('queue_size', 1);
  int('max_line_bytes', 1);
  const skew = v.get('max_future_skew');
  if (skew) s.max_future_skew = readNumber(ctx, skew.value, skew.path, { min: 0 }) ?? s.max_future_skew;

  let e = v.get('log_facility');
  if (e) s.log_facility = readEnum(ctx, e.value, e.path, SYSLOG_FACILITIES) ?? s.log_facility;
  e = v.get('push_host');
  if (e) s.push_host = readHosts(ctx, e.value, e.path) ?? s.push_host;
  e = v.get('push_port');
  if (e) s.push_port = readNumber(ctx, e.value, e.path, { integer: true, min: 1, max: 65535 }) ?? s.push_port;
  e = v.get('push_proto');
  if (e) s.push_proto = readEnum(ctx, e.value, e.path, ['tcp', 'udp', 'http'] as const) ?? s.push_proto;
  e = v.get('push_type');
  if (e) s.push_type = readEnum(ctx, e.value, e.path, PUSH_TYPES) ?? s.push_type;
  e = v.get('state_file');
  if (e) s.state_file = readString(ctx, e.value, e.path) ?? s.state_file;
  e = v.get('status_listen');
  if (e && !isNull(e.value)) s.status_listen = readListen(ctx, e.value, e.path) ?? s.status_listen;
  readHttpTarget(ctx, v, s);
  return s;
}

/** `push_host: "a"` or `push_host: ["a", "b"]` (fail over in order). */
function readHosts(ctx: Ctx, node: YNode, path: string): string[] | undefined {
  if (isScalar(node)) {
    const h = readString(ctx, node, path, { nonEmpty: true });
    return h === undefined ? undefined : [h];
  }
  if (!isSeq(node)) {
    ctx.report(node, path, `must be a host name or a list of host names, got ${describe(node)}`);
    return undefined;
  }
  const hosts: string[] = [];
  items(ctx, node).forEach((n, i) => {
    const h = readString(ctx, n, `${path}[${i}]`, { nonEmpty: true });
    if (h !== undefined) hosts.push(h);
  });
  if (hosts.length === 0 && node.items.length === 0) {
    ctx.report(node, path, 'must name at least one host');
    return undefined;
  }
  return hosts;
}

/** `host:port`, `[v6]:port` or `:port`. */
function readListen(ctx: Ctx, node: YNode, path: string): string | undefined {
  const s = readString(ctx, node, path);
  if (s === undefined) return undefined;
  const m = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s:[\]]*):(\d{1,5})$/.exec(s);
  if (!m || Number(m[1]) > 65535) {
    ctx.report(node, path, `must be "host:port" (e.g. "127.0.0.1:9310"), got ${JSON.stringify(s)}`);
    return undefined;
  }
  return s;
}
