// One pusher: takes batches from the shared queue and delivers them through a transport, with the
// retry policy of spec section 7: on a connect/send failure move to the next push_host; after a full
// round of failed hosts wait (push_wait doubling, capped, jittered). One warning per failed attempt,
// never one per point. Every failure is one event that both logs and counts (pusher.send_errors).
// A configuration problem (TLS certificate, credentials, path: transport/classify.ts) is no reason
// to drop points nor to retry quietly: it is logged as an error at every attempt, and a round of
// such failures waits the longest wait before the next.
import type { Logger } from '../../core/log.js';
import { Events, type EventKind, type EventSource } from '../../core/events.js';
import type { PushProto, PushType } from '../../config/types.js';
import type { Registry, Series } from '../../selfstats/registry.js';
import type { Point } from '../../core/types.js';
import { BACKOFF_CAP_SECONDS, backoffSeconds } from './backoff.js';
import { encodeLine, invalidReason } from '../format/opentsdb.js';
import type { Batch, PointQueue } from './queue.js';
import { errorText, type Endpoint, type Rejection, type SendOutcome, type Transport, type TransportFactory } from '../transport/transport.js';

export type PusherState = 'idle' | 'sending' | 'backing_off' | 'closed';

export interface PusherStatus {
  number: number;
  proto: PushProto;
  host: string;
  port: number;
  state: PusherState;
  connected: boolean;
  canSend: boolean;              // false while its last attempt failed (backing off or failing over)
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;    // ISO time
  nextRetryAt: string | null;    // ISO time, while backing off
  keySent: number;
  byteSent: number;
  sendErrors: number;
  reconnects: number;
}

export interface PusherConfig {
  number: number;
  endpoints: Endpoint[];
  proto: PushProto;
  type: PushType;
  pushWait: number;              // seconds
  backoffScale: number;          // multiplies every wait (tests)
  timeoutMs: number;
  batchSize: number;
  failbackMs: number;            // return to the first push_host after this long on another (0: never)
  random: () => number;
  now: () => number;
  factory: TransportFactory;
  log: Logger;
  registry: Registry;
  queue: PointQueue;
  onDone: (n: number) => void;   // points that left pending(): sent, rejected or invalid
  /** A point as logged with a rejection (the way the server sees it); default: the OpenTSDB line. */
  describe?: (p: Point) => string;
  /** The run's events (counted in `registry`); default: the pusher's own, logging to `log`. */
  events?: Events;
}

/** The pusher's events: every one counts pusher.send_errors. */
const PUSH_EVENTS = ['point_rejected', 'batch_rejected', 'point_invalid', 'push_failed', 'push_failover',
  'push_misconfigured', 'push_misconfigured_failover'] as const satisfies readonly EventKind[];
type PushEvent = typeof PUSH_EVENTS[number];

export class Pusher {
  private idx = 0;
  private transport: Transport | null = null;
  private connectsBefore = 0;    // connections opened by transports already disposed of
  private state: PusherState = 'idle';
  private failures = 0;
  private rounds = 0;
  private misconfiguredRound = false;   // a failure of the current round was a configuration problem
  private roundStart = 0;
  private leftPrimaryAt = 0;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private nextRetryAt: number | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private loop: Promise<void> | null = null;
  private readonly ev: Record<PushEvent, EventSource>;
  private keySent: Series;
  private byteSent: Series;
  private sendErrors: Series;
  private reconnects: Series;

  constructor(private c: PusherConfig) {
    const tags = { pusher_number: c.number };
    this.keySent = c.registry.counter('pusher.key_sent', tags);
    this.byteSent = c.registry.counter('pusher.byte_sent', tags);
    this.sendErrors = c.registry.counter('pusher.send_errors', tags);
    this.reconnects = c.registry.counter('pusher.reconnects', tags);
    const events = c.events ?? new Events(c.registry, c.log, c.now);
    this.ev = Object.fromEntries(PUSH_EVENTS.map((k) => [k, events.source(k, tags)])) as Record<PushEvent, EventSource>;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the current attempt; a batch not delivered stays in the queue's pending(). */
  async close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
    const closing = this.transport?.close();
    this.wake?.();
    await this.loop;
    await closing;
  }

  canSend(): boolean {
    return !this.closed && this.failures === 0;
  }

  status(): PusherStatus {
    const ep = this.endpoint();
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      number: this.c.number, proto: this.c.proto, host: ep.host, port: ep.port, state: this.state,
      connected: this.transport?.connected() ?? false, canSend: this.canSend(),
      consecutiveFailures: this.failures, lastError: this.lastError, lastErrorAt: iso(this.lastErrorAt),
      nextRetryAt: this.state === 'backing_off' ? iso(this.nextRetryAt) : null,
      keySent: this.keySent.value, byteSent: this.byteSent.value,
      sendErrors: this.sendErrors.value, reconnects: this.reconnects.value,
    };
  }

  private endpoint(): Endpoint { return this.c.endpoints[this.idx]!; }
  private where(): string { return `${this.endpoint().host}:${this.endpoint().port}`; }

  private async run(): Promise<void> {
    for (;;) {
      const b = await this.c.queue.take(this.c.batchSize);
      if (!b) return;
      if (await this.deliver(b)) this.c.queue.complete(b);
      if (this.closed) return;
    }
  }

  /** True once every point of the batch was sent or rejected; false when closed before that. */
  private async deliver(b: Batch): Promise<boolean> {
    let rest: Point[] = [];
    for (const p of b.points) {
      const why = invalidReason(p);
      if (why === null) rest.push(p);
      else this.reject({ point: p, error: why }, 'invalid');
    }
    b.remaining = rest;
    if (rest.length < b.points.length) this.c.onDone(b.points.length - rest.length);
    while (rest.length > 0) {
      if (this.closed) return false;
      this.maybeFailback();
      this.state = 'sending';
      const o = await this.attempt(rest);
      this.countConnects();
      this.keySent.value += o.done - o.rejected.reduce((n, r) => n + (r.count ?? 1), 0);
      this.byteSent.value += o.bytes;
      for (const r of o.rejected) this.reject(r, 'rejected');
      rest = rest.slice(o.done);
      b.remaining = rest;
      if (o.done > 0) this.c.onDone(o.done);
      if (o.retry === null) {
        this.recovered();
        continue;
      }
      if (this.closed) return false;
      await this.failed(o.retry, rest.length, o.misconfigured === true);
    }
    if (!this.closed) this.state = 'idle';
    return true;
  }

  /** One send; a transport that throws (it should return outcomes) counts as a failed attempt. */
  private async attempt(points: Point[]): Promise<SendOutcome> {
    try {
      return await this.current().send(points);
    } catch (e) {
      return { done: 0, bytes: 0, rejected: [], retry: `unexpected transport error: ${errorText(e)}` };
    }
  }

  private current(): Transport {
    if (!this.transport) {
      this.transport = this.c.factory(this.endpoint(), {
        type: this.c.type, log: this.c.log, timeoutMs: this.c.timeoutMs,
        onLateRejection: (r) => this.reject(r, 'rejected'),
      });
    }
    return this.transport;
  }

  private dispose(): void {
    if (!this.transport) return;
    this.countConnects();
    this.connectsBefore += this.transport.connects();
    void this.transport.close();
    this.transport = null;
  }

  private countConnects(): void {
    const total = this.connectsBefore + (this.transport?.connects() ?? 0);
    this.reconnects.value = Math.max(this.reconnects.value, total - 1);
  }

  /** A point the server (or the OpenTSDB limits) refused: dropped for good, logged and counted. */
  private reject(r: Rejection, kind: 'rejected' | 'invalid'): void {
    const count = r.count ?? 1;
    const fields: Record<string, unknown> = { pusher_number: this.c.number, error: r.error };
    if (r.point) fields.point = this.c.describe ? this.c.describe(r.point) : encodeLine(r.point, 'tsd').slice(4);
    if (count > 1) fields.points = count;
    this.ev[kind === 'invalid' ? 'point_invalid' : count > 1 ? 'batch_rejected' : 'point_rejected'].report(this.where(), fields, count);
  }

  private recovered(): void {
    if (this.failures > 0) {
      this.c.log.info('push recovered', {
        pusher_number: this.c.number, host: this.where(), failed_attempts: this.failures, last_error: this.lastError,
      });
    }
    this.failures = 0;
    this.rounds = 0;
    this.misconfiguredRound = false;
  }

  /** One failed attempt: one log line and one count, then fail over or back off. */
  private async failed(why: string, waiting: number, misconfigured: boolean): Promise<void> {
    if (this.failures === 0) this.roundStart = this.idx;
    this.failures++;
    this.lastError = why;
    this.lastErrorAt = this.c.now();
    const from = this.where();
    this.dispose();
    const n = this.c.endpoints.length;
    this.idx = (this.idx + 1) % n;
    if (this.idx !== 0 && this.leftPrimaryAt === 0) this.leftPrimaryAt = this.c.now();
    if (this.idx === 0) this.leftPrimaryAt = 0;
    const fields = {
      pusher_number: this.c.number, error: why, attempt: this.failures,
      points_waiting: waiting, queue_depth: this.c.queue.depth(),
    };
    if (misconfigured) this.misconfiguredRound = true;
    if (this.idx !== this.roundStart) {
      this.ev[misconfigured ? 'push_misconfigured_failover' : 'push_failover'].report(from, { ...fields, next_host: this.where() });
      return;
    }
    this.rounds++;
    const secs = (this.misconfiguredRound ? BACKOFF_CAP_SECONDS : backoffSeconds(this.rounds, this.c.pushWait, this.c.random)) * this.c.backoffScale;
    this.misconfiguredRound = false;
    this.ev[misconfigured ? 'push_misconfigured' : 'push_failed'].report(from, { ...fields, next_host: this.where(), retry_in_s: Number(secs.toFixed(3)) });
    this.state = 'backing_off';
    this.nextRetryAt = this.c.now() + secs * 1000;
    await this.sleep(secs * 1000);
  }

  private maybeFailback(): void {
    if (this.idx === 0 || this.failures > 0 || this.c.failbackMs <= 0) return;
    if (this.c.now() - this.leftPrimaryAt < this.c.failbackMs) return;
    this.c.log.info('returning to the first push_host', { pusher_number: this.c.number, from: this.where() });
    this.dispose();
    this.idx = 0;
    this.leftPrimaryAt = 0;
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() { clearTimeout(t); self.wake = null; resolve(); }
      this.wake = done;
    });
  }
}
