// The HTTP pushes of push_type remote_write, influx and otlp: each batch is one POST of the type's
// encoding, and the reply is classified (classify.ts) into sent, rejected (the batch is dropped and
// reported with one of its points), retry later, or misconfigured. Same pool, queue, failover and
// backoff as every transport: this file only encodes, posts and classifies.
import type { Point } from '../../core/types.js';
import { classifyError, classifyStatus, snippet } from './classify.js';
import { HttpClient, type HttpTarget, type Reply } from './httpclient.js';
import { retryOutcome, type Endpoint, type Rejection, type SendOutcome, type Transport, type TransportContext } from './transport.js';

/** What differs between the HTTP write protocols. */
export interface HttpFormat {
  /** Path and query of every POST. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  body(points: readonly Point[]): Buffer;
  /** The server's reason in a reply body (plain text unless the protocol wraps it). */
  reason(reply: Reply): string;
  /** Points a 2xx reply says were refused (OTLP's partial success). */
  refused?(reply: Reply): { count: number; reason: string };
}

export class HttpWriteTransport implements Transport {
  private readonly client: HttpClient;

  constructor(readonly endpoint: Endpoint, ctx: TransportContext, target: HttpTarget, private readonly format: HttpFormat) {
    this.client = new HttpClient(endpoint, target, ctx.timeoutMs);
  }

  connected(): boolean { return this.client.connected(); }
  connects(): number { return this.client.connects(); }

  close(): void {
    this.client.close();
  }

  /** One POST for the whole batch (the pool sizes batches for these types). */
  async send(points: Point[]): Promise<SendOutcome> {
    const c = this.client;
    const f = this.format;
    const body = f.body(points);
    let reply: Reply;
    try {
      reply = await c.post(f.path, body, f.headers as Record<string, string>);
    } catch (e) {
      const v = classifyError(e);
      return retryOutcome(0, 0, [], c.redact(`POST ${c.url(f.path)}: ${'why' in v ? v.why : ''}`), v.kind === 'misconfigured');
    }
    const v = classifyStatus(reply.status, c.redact(snippet(f.reason(reply))));
    switch (v.kind) {
      case 'sent': {
        const r = f.refused?.(reply);
        const rejected: Rejection[] = r && r.count > 0
          ? [{ point: null, error: c.redact(`the server refused ${r.count} of ${points.length} points: ${snippet(r.reason)}`), count: Math.min(r.count, points.length) }]
          : [];
        return { done: points.length, bytes: body.length, rejected, retry: null };
      }
      case 'rejected':
        return { done: points.length, bytes: body.length, rejected: [{ point: points[0]!, error: v.why, count: points.length }], retry: null };
      case 'retry':
      case 'misconfigured':
        return retryOutcome(0, 0, [], `POST ${c.url(f.path)}: ${v.why}`, v.kind === 'misconfigured');
    }
  }
}
