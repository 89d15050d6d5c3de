// What a pusher asks of a transport (tcp, udp, http): send a batch and say, as a value, what became of
// it. Classification (sent / rejected / retry later) lives in the transports; the policy (backoff,
// failover, counting, logging) lives in pusher.ts.
import type { PushType } from '../../config/types.js';
import type { Logger } from '../../core/log.js';
import type { Point } from '../../core/types.js';

export interface Endpoint {
  host: string;
  port: number;
}

/** A point the server refused for good: it is dropped, logged and counted, never retried. */
export interface Rejection {
  point: Point | null;   // null when the server's reply could not be tied to a point
  error: string;
  count?: number;        // points this rejection stands for (a whole batch refused at once); default 1
}

/**
 * The outcome of one send() of `points`:
 * - the first `done` points are finished (sent, or rejected when listed in `rejected`);
 * - `retry` set: the rest (points[done..]) could not be sent and must be retried later.
 */
export interface SendOutcome {
  done: number;
  bytes: number;              // bytes handed to the kernel / posted for the finished points
  rejected: Rejection[];
  retry: string | null;       // why the rest must be retried (connect refused, 5xx, timeout ...)
  /** The retry is for a configuration problem (TLS certificate, credentials, path): see classify.ts. */
  misconfigured?: boolean;
}

export interface TransportContext {
  type: PushType;
  log: Logger;
  timeoutMs: number;          // connect, write and request timeout
  /** A rejection that arrives after its batch counted as sent (tcp error replies). */
  onLateRejection(r: Rejection): void;
}

export interface Transport {
  readonly endpoint: Endpoint;
  send(points: Point[]): Promise<SendOutcome>;
  /** True while a connection is open (udp: while the socket exists). */
  connected(): boolean;
  /** Connections opened so far (a pusher counts every one after the first as a reconnect). */
  connects(): number;
  /**
   * Drops the connection; an in-flight send() ends with a retry outcome (tcp: once the kernel sent
   * what it holds and the server's last replies were read, or after a short grace period).
   */
  close(): void | Promise<void>;
}

export type TransportFactory = (ep: Endpoint, ctx: TransportContext) => Transport;

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

export function retryOutcome(done: number, bytes: number, rejected: Rejection[], why: string, misconfigured = false): SendOutcome {
  return misconfigured ? { done, bytes, rejected, retry: why, misconfigured } : { done, bytes, rejected, retry: why };
}

/** What the socket transports (tcp, udp) share: one socket at a time, opened on demand, counted. */
export abstract class SocketTransport<S> {
  protected sock: S | null = null;
  protected opening: Promise<S> | null = null;
  protected nConnects = 0;
  protected closed = false;

  connected(): boolean { return this.sock !== null; }
  connects(): number { return this.nConnects; }
}
