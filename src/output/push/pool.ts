// The pusher pool (spec section 7): push_number pushers sharing one bounded queue of queue_size
// points. It is the daemon's PointSink: write() says when to wait, pending() feeds the checkpoint's
// consistent cut (section 8), flush() is how shutdown and --once wait for delivery, and onSent tells
// the daemon how many points left pending() so it can advance checkpoints.
import type { Settings } from '../../config/types.js';
import type { Logger } from '../../core/log.js';
import type { Registry, Series } from '../../selfstats/registry.js';
import type { Point, PointBatch, PointSink } from '../../core/types.js';
import { PointList } from '../pointlist.js';
import { HttpTransport } from '../transport/http.js';
import { Pusher, type PusherStatus } from './pusher.js';
import { PointQueue } from './queue.js';
import { TcpTransport } from '../transport/tcp.js';
import type { Endpoint, TransportFactory } from '../transport/transport.js';
import { UdpTransport } from '../transport/udp.js';

export type PoolSettings = Pick<Settings,
  'push_host' | 'push_port' | 'push_proto' | 'push_type' | 'push_number' | 'push_wait' | 'queue_size'>;

export interface PusherPoolOptions {
  settings: PoolSettings;
  registry: Registry;
  log: Logger;
  /** Called with the number of points that left pending() (sent, or rejected for good). */
  onSent?: (n: number) => void;
  /** Multiplies every backoff wait (tests use e.g. 0.01); default 1. */
  backoffScale?: number;
  /** Connect, write and HTTP request timeout in ms; default 30000. */
  timeoutMs?: number;
  /** Points a pusher takes per send; default 50 for http, 500 for tcp and udp. */
  batchSize?: number;
  /** Seconds on a later push_host before trying the first one again; default 300, 0 never. */
  failbackSeconds?: number;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Wall clock in ms (status times, failback, warning rate limits); default Date.now. */
  now?: () => number;
  /** Replaces the transport chosen by push_proto (tests). */
  transportFactory?: TransportFactory;
}

/** A push_host entry: "host", or "host:port" / "[v6]:port" overriding push_port for that host. */
export function parseEndpoint(entry: string, defaultPort: number): Endpoint {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry);
  if (!m) return { host: entry, port: defaultPort };
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort };
}

export function defaultFactory(proto: Settings['push_proto']): TransportFactory {
  switch (proto) {
    case 'tcp': return (ep, ctx) => new TcpTransport(ep, ctx);
    case 'udp': return (ep, ctx) => new UdpTransport(ep, ctx);
    case 'http': return (ep, ctx) => new HttpTransport(ep, ctx);
  }
}

export class PusherPool implements PointSink {
  private queue: PointQueue;
  private pushers: Pusher[] = [];
  private depthGauge: Series;
  private closing: Promise<void> | null = null;

  constructor(opts: PusherPoolOptions) {
    const s = opts.settings;
    if (s.push_host.length === 0) throw new Error('push_host is empty');
    this.depthGauge = opts.registry.gauge('queue.depth');
    this.queue = new PointQueue(Math.max(1, s.queue_size), (d) => { this.depthGauge.value = d; });
    const endpoints: Endpoint[] = s.push_host.map((h) => parseEndpoint(h, s.push_port));
    const onSent = opts.onSent ?? (() => {});
    for (let i = 0; i < Math.max(1, s.push_number); i++) {
      this.pushers.push(new Pusher({
        number: i, endpoints, proto: s.push_proto, type: s.push_type, pushWait: s.push_wait,
        backoffScale: opts.backoffScale ?? 1, timeoutMs: opts.timeoutMs ?? 30_000,
        batchSize: opts.batchSize ?? (s.push_proto === 'http' ? 50 : 500),
        failbackMs: (opts.failbackSeconds ?? 300) * 1000, random: opts.random ?? Math.random,
        now: opts.now ?? Date.now, factory: opts.transportFactory ?? defaultFactory(s.push_proto),
        log: opts.log, registry: opts.registry, queue: this.queue, onDone: onSent,
      }));
    }
    for (const p of this.pushers) p.start();
  }

  write(points: Point[]): boolean {
    return this.queue.push(points);
  }

  newBatch(): PointBatch {
    return new PointList();
  }

  writeBatch(batch: PointBatch): boolean {
    return this.write(batch.points());
  }

  waitDrain(): Promise<void> {
    return this.queue.waitDrain();
  }

  pending(): Point[] {
    return this.queue.pending();
  }

  /** Resolves once every point written so far is sent or rejected, or the pool is closed. */
  flush(): Promise<void> {
    return this.queue.waitFlushed();
  }

  /** Stops the pushers; points not yet delivered stay in pending(). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopping = this.pushers.map((p) => p.close());
      this.queue.close();
      await Promise.all(stopping);
    })();
    return this.closing;
  }

  /** Points waiting in the queue (not those a pusher holds). */
  depth(): number {
    return this.queue.depth();
  }

  status(): PusherStatus[] {
    return this.pushers.map((p) => p.status());
  }

  /** At least one pusher's last attempt succeeded (or it has not failed yet). */
  canSend(): boolean {
    return this.pushers.some((p) => p.canSend());
  }
}
