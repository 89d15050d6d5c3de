// OpenTSDB HTTP `/api/put?details` with keep-alive: JSON arrays of at most 50 points. At-least-once
// (spec section 7): a chunk counts as sent only on a 2xx reply. 400 carries the details
// `{errors: [{datapoint, error}], failed, success}`: the points it names are rejected for good, the
// rest of the chunk was stored. A 400 without readable details (servers other than OpenTSDB answer
// a bad body as a whole) is bisected until the bad points are alone. 5xx, other statuses, timeouts
// and refused connections are retried by the pusher.
import http from 'node:http';
import stringify from 'fast-json-stable-stringify';
import { encodeHttpBody, HTTP_MAX_POINTS, toJsonPoint } from '../format/opentsdb.js';
import type { Point } from '../../core/types.js';
import {
  errorText, retryOutcome,
  type Endpoint, type Rejection, type SendOutcome, type Transport, type TransportContext,
} from './transport.js';

const MAX_REPLY_BYTES = 1 << 20;

interface Reply { status: number; body: string }
type ChunkResult = { bytes: number; rejected: Rejection[]; retry: null } | { retry: string };

export class HttpTransport implements Transport {
  private agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private seen = new WeakSet<object>();
  private open = 0;
  private nConnects = 0;
  private closed = false;

  constructor(readonly endpoint: Endpoint, private ctx: TransportContext) {}

  connected(): boolean { return this.open > 0; }
  connects(): number { return this.nConnects; }

  async send(points: Point[]): Promise<SendOutcome> {
    let done = 0;
    let bytes = 0;
    const rejected: Rejection[] = [];
    for (let i = 0; i < points.length; i += HTTP_MAX_POINTS) {
      const chunk = points.slice(i, i + HTTP_MAX_POINTS);
      const r = await this.postChunk(chunk);
      if (r.retry !== null) return retryOutcome(done, bytes, rejected, r.retry);
      done += chunk.length;
      bytes += r.bytes;
      rejected.push(...r.rejected);
    }
    return { done, bytes, rejected, retry: null };
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  private where(): string { return `${this.endpoint.host}:${this.endpoint.port}`; }

  private async postChunk(chunk: Point[]): Promise<ChunkResult> {
    const body = encodeHttpBody(chunk);
    let reply: Reply;
    try {
      reply = await this.post(body);
    } catch (e) {
      return { retry: `POST http://${this.where()}/api/put: ${errorText(e)}` };
    }
    const bytes = Buffer.byteLength(body);
    if (reply.status >= 200 && reply.status < 300) return { bytes, rejected: [], retry: null };
    if (reply.status === 400) {
      const details = parseDetails(reply.body);
      if (details) return { bytes, rejected: matchRejections(chunk, details), retry: null };
    }
    if ((reply.status === 400 || reply.status === 413) && chunk.length > 1) return this.bisect(chunk);
    if (reply.status === 400) {
      return { bytes, rejected: [{ point: chunk[0]!, error: `HTTP 400: ${snippet(reply.body)}` }], retry: null };
    }
    return { retry: `POST http://${this.where()}/api/put: HTTP ${reply.status}: ${snippet(reply.body)}` };
  }

  private async bisect(chunk: Point[]): Promise<ChunkResult> {
    const mid = chunk.length >> 1;
    const a = await this.postChunk(chunk.slice(0, mid));
    if (a.retry !== null) return a;
    const b = await this.postChunk(chunk.slice(mid));
    if (b.retry !== null) return b;
    return { bytes: a.bytes + b.bytes, rejected: [...a.rejected, ...b.rejected], retry: null };
  }

  /** One POST; a request that failed on a reused keep-alive socket the server had closed is resent once. */
  private async post(body: string): Promise<Reply> {
    try {
      return await this.request(body);
    } catch (e) {
      if (this.closed || !(e as { reused?: boolean }).reused) throw e;
      return this.request(body);
    }
  }

  private request(body: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.endpoint.host, port: this.endpoint.port, method: 'POST', path: '/api/put?details',
        agent: this.agent, timeout: this.ctx.timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (b: Buffer) => { if (size < MAX_REPLY_BYTES) { parts.push(b); size += b.length; } });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('socket', (s) => {
        if (this.seen.has(s)) return;
        this.seen.add(s);
        this.nConnects++;
        this.open++;
        s.once('close', () => { this.open--; });
      });
      req.on('timeout', () => req.destroy(new Error(`request timeout after ${this.ctx.timeoutMs} ms`)));
      req.on('error', (e) => {
        if (req.reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET') Object.assign(e, { reused: true });
        reject(e);
      });
      req.end(body);
    });
  }
}

interface Details {
  failed: number;
  errors: Array<{ datapoint: unknown; error: string }>;
}

function parseDetails(text: string): Details | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;   // not OpenTSDB's details: the caller bisects
  }
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.errors) && typeof o.failed !== 'number') return null;
  const errors = Array.isArray(o.errors) ? o.errors.map((e) => {
    const r = (e && typeof e === 'object' ? e : {}) as Record<string, unknown>;
    return { datapoint: r.datapoint, error: typeof r.error === 'string' ? r.error : JSON.stringify(r.error ?? 'rejected') };
  }) : [];
  return { failed: typeof o.failed === 'number' ? o.failed : errors.length, errors };
}

function identity(metric: unknown, ts: unknown, tags: unknown): string {
  return `${String(metric)}\0${Number(ts)}\0${stringify(tags ?? {})}`;
}

/** Ties each reported error to the chunk's point it names (same metric, timestamp, tags; value if it can). */
function matchRejections(chunk: Point[], d: Details): Rejection[] {
  const json = chunk.map(toJsonPoint);
  const keys = json.map((j) => identity(j.metric, j.timestamp, j.tags));
  const used = new Set<number>();
  const out: Rejection[] = [];
  for (const e of d.errors) {
    const dp = (e.datapoint && typeof e.datapoint === 'object' ? e.datapoint : {}) as Record<string, unknown>;
    const key = identity(dp.metric, dp.timestamp, dp.tags);
    let idx = -1;
    for (let i = 0; i < json.length; i++) {
      if (used.has(i) || keys[i] !== key) continue;
      if (Number(dp.value) === json[i]!.value) { idx = i; break; }
      if (idx < 0) idx = i;
    }
    if (idx >= 0) used.add(idx);
    out.push({ point: idx >= 0 ? chunk[idx]! : null, error: idx >= 0 ? e.error : `${e.error} (datapoint ${JSON.stringify(e.datapoint)})` });
  }
  const unnamed = Math.min(d.failed, chunk.length) - d.errors.length;
  for (let i = 0; i < unnamed; i++) out.push({ point: null, error: 'server reported a failed point without naming it' });
  return out;
}

function snippet(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? t.slice(0, 300) + '...' : t;
}
