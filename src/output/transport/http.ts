// OpenTSDB HTTP `/api/put?details` (push_path, TLS and credentials: httpclient.ts) with keep-alive:
// JSON arrays of at most 50 points. At-least-once (spec section 7): a chunk counts as sent only on a
// 2xx reply. 400 carries the details `{errors: [{datapoint, error}], failed, success}`: the points it
// names are rejected for good, the rest of the chunk was stored. A 400 without readable details
// (servers other than OpenTSDB answer a bad body as a whole) is bisected until the bad points are
// alone. Other replies are classified as for every HTTP push (classify.ts).
import stringify from 'fast-json-stable-stringify';
import { encodeHttpBody, HTTP_MAX_POINTS, toJsonPoint } from '../format/opentsdb.js';
import type { Point } from '../../core/types.js';
import { classifyError, classifyStatus, snippet } from './classify.js';
import { HttpClient, type HttpTarget, type Reply } from './httpclient.js';
import {
  retryOutcome,
  type Endpoint, type Rejection, type SendOutcome, type Transport, type TransportContext,
} from './transport.js';

type ChunkResult = { bytes: number; rejected: Rejection[]; retry: null } | { retry: string; misconfigured: boolean };

export class HttpTransport implements Transport {
  private readonly client: HttpClient;
  private readonly path: string;

  /** `path`: push_path (default /api/put); `?details` is added. */
  constructor(readonly endpoint: Endpoint, ctx: TransportContext, target: HttpTarget = NO_TLS, path = '/api/put') {
    this.client = new HttpClient(endpoint, target, ctx.timeoutMs);
    this.path = path + (path.includes('?') ? '&' : '?') + 'details';
  }

  connected(): boolean { return this.client.connected(); }
  connects(): number { return this.client.connects(); }

  async send(points: Point[]): Promise<SendOutcome> {
    let done = 0;
    let bytes = 0;
    const rejected: Rejection[] = [];
    for (let i = 0; i < points.length; i += HTTP_MAX_POINTS) {
      const chunk = points.slice(i, i + HTTP_MAX_POINTS);
      const r = await this.postChunk(chunk);
      if (r.retry !== null) return retryOutcome(done, bytes, rejected, r.retry, r.misconfigured);
      done += chunk.length;
      bytes += r.bytes;
      rejected.push(...r.rejected);
    }
    return { done, bytes, rejected, retry: null };
  }

  close(): void {
    this.client.close();
  }

  private async postChunk(chunk: Point[]): Promise<ChunkResult> {
    const body = Buffer.from(encodeHttpBody(chunk));
    const c = this.client;
    let reply: Reply;
    try {
      reply = await c.post(this.path, body, { 'content-type': 'application/json' });
    } catch (e) {
      const v = classifyError(e);
      return { retry: c.redact(`POST ${c.url(this.path)}: ${'why' in v ? v.why : ''}`), misconfigured: v.kind === 'misconfigured' };
    }
    const bytes = body.length;
    const text = c.redact(reply.body.toString('utf8'));
    if (reply.status === 400) {
      const details = parseDetails(text);
      if (details) return { bytes, rejected: matchRejections(chunk, details), retry: null };
    }
    if ((reply.status === 400 || reply.status === 413) && chunk.length > 1) return this.bisect(chunk);
    const v = classifyStatus(reply.status, snippet(text));
    if (v.kind === 'sent') return { bytes, rejected: [], retry: null };
    if (v.kind === 'rejected') return { bytes, rejected: [{ point: chunk[0]!, error: v.why, count: chunk.length }], retry: null };
    return { retry: `POST ${c.url(this.path)}: ${v.why}`, misconfigured: v.kind === 'misconfigured' };
  }

  private async bisect(chunk: Point[]): Promise<ChunkResult> {
    const mid = chunk.length >> 1;
    const a = await this.postChunk(chunk.slice(0, mid));
    if (a.retry !== null) return a;
    const b = await this.postChunk(chunk.slice(mid));
    if (b.retry !== null) return b;
    return { bytes: a.bytes + b.bytes, rejected: [...a.rejected, ...b.rejected], retry: null };
  }
}

const NO_TLS: HttpTarget = { tls: false, ca: null, insecure: false, headers: {}, secrets: [] };

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
