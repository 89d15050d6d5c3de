// The status endpoint (settings.status_listen, spec section 9): `/metrics` serves the registry in
// the Prometheus text format, `/status` a JSON snapshot the daemon assembles through callbacks,
// `/healthz` answers 200 while at least one pusher can send and 503 otherwise. Read-only: GET/HEAD.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry, Series } from './registry.js';
import { metricHelp } from '../core/metrics.js';
import { SERVER_OPTIONS, guardConnections } from './connections.js';

export interface StatusSources {
  registry: Registry;
  files(): unknown[];
  shards(): unknown[];
  /** Per log group: its keys, its limits, and its tags with the most distinct values. */
  groups?(): unknown[];
  pushers(): unknown[];
  queueDepth(): number;
  /** Default: some entry of pushers() has `canSend: true`. */
  healthy?(): boolean;
  /** Told of connections closed to stay under the cap or for idling (connections.ts). */
  dropped?(n: number): void;
}

export interface StatusServer {
  port: number;
  close(): Promise<void>;
}

const PROM_PREFIX = 'logmetrics_collector_';

/** "host:port", "[v6]:port" or ":port"/"port" (all interfaces). */
export function parseListen(listen: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  if (!m) throw new Error(`status_listen "${listen}" is not host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`status_listen "${listen}": port out of range`);
  const host = m[1] ?? m[2];
  return { host: host ? host : undefined, port };
}

function promName(name: string): string {
  return PROM_PREFIX + name.replace(/[^a-zA-Z0-9_:]/g, '_');
}

function labelName(k: string): string {
  const n = k.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? '_' + n : n;
}

function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function promValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The registry in the Prometheus text exposition format (0.0.4). */
export function renderPrometheus(registry: Registry): string {
  const families = new Map<string, Series[]>();
  for (const s of registry.all()) {
    const name = promName(s.name) + (s.kind === 'counter' ? '_total' : '');
    const list = families.get(name);
    if (list) list.push(s); else families.set(name, [s]);
  }
  let out = '';
  for (const name of [...families.keys()].sort()) {
    const list = families.get(name)!;
    const kind = list[0]!.kind;
    const help = metricHelp(list[0]!.name);
    out += `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${kind}\n`;
    for (const s of list) {
      const labels = Object.entries(s.tags).map(([k, v]) => `${labelName(k)}="${labelValue(v)}"`).join(',');
      out += `${name}${labels ? `{${labels}}` : ''} ${promValue(s.value)}\n`;
    }
  }
  return out;
}

function healthy(src: StatusSources): boolean {
  if (src.healthy) return src.healthy();
  return src.pushers().some((p) => !!p && typeof p === 'object' && (p as { canSend?: unknown }).canSend === true);
}

function statusJson(src: StatusSources): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    healthy: healthy(src),
    queue: { depth: src.queueDepth() },
    files: src.files(),
    shards: src.shards(),
    groups: src.groups?.() ?? [],
    pushers: src.pushers(),
    memory: memory(),
  }, null, 2) + '\n';
}

/** The process's memory, in MB: what an operator checks when keys pile up. */
function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (v: number) => Math.round(v / 1048576 * 10) / 10;
  return { rss_mb: mb(m.rss), heap_used_mb: mb(m.heapUsed), heap_total_mb: mb(m.heapTotal), external_mb: mb(m.external) };
}

function answer(req: http.IncomingMessage, res: http.ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function handle(src: StatusSources, req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const known = path === '/metrics' || path === '/status' || path === '/healthz';
  if (!known) return answer(req, res, 404, 'text/plain; charset=utf-8', 'not found\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return answer(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  try {
    if (path === '/metrics') {
      return answer(req, res, 200, 'text/plain; version=0.0.4; charset=utf-8', renderPrometheus(src.registry));
    }
    if (path === '/status') return answer(req, res, 200, 'application/json; charset=utf-8', statusJson(src));
    const ok = healthy(src);
    return answer(req, res, ok ? 200 : 503, 'text/plain; charset=utf-8', ok ? 'ok\n' : 'no pusher can send\n');
  } catch (e) {
    return answer(req, res, 500, 'text/plain; charset=utf-8', `status error: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

export async function startStatusServer(listen: string, sources: StatusSources): Promise<StatusServer> {
  const { host, port } = parseListen(listen);
  const server = http.createServer(SERVER_OPTIONS, (req, res) => handle(sources, req, res));
  guardConnections(server, sources.dropped ?? (() => {}));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
