// Persistent TCP connection: `put` lines (tsd) or bare lines (tcollector), newline-terminated. A batch
// counts as sent when the kernel took it (the socket write callback, spec section 7). The server's
// replies (OpenTSDB answers a bad `put` with a `put: illegal argument: ...` line naming the offending
// content) are read, tied back to the point they name when possible, and reported as late rejections.
import net from 'node:net';
import { encodeLine, lineBody } from '../format/opentsdb.js';
import type { Point } from '../../core/types.js';
import {
  SocketTransport, errorText, retryOutcome,
  type Endpoint, type SendOutcome, type Transport, type TransportContext,
} from './transport.js';

const RECENT_LINES = 4096;      // sent lines remembered to identify the point an error reply names
const MAX_REPLY_LINE = 64 * 1024;
const CLOSE_GRACE_MS = 2_000;   // close(): how long the server's last replies are waited for

/** Ring of recently sent line bodies, newest last. */
class RecentLines {
  private bodies: string[] = [];
  private points: Point[] = [];
  private next = 0;

  add(body: string, p: Point): void {
    if (this.bodies.length < RECENT_LINES) { this.bodies.push(body); this.points.push(p); return; }
    this.bodies[this.next] = body;
    this.points[this.next] = p;
    this.next = (this.next + 1) % RECENT_LINES;
  }

  /** The newest point whose whole line, else whose `metric ts`, appears in the reply. */
  find(reply: string): Point | null {
    const n = this.bodies.length;
    for (let k = 1; k <= n; k++) {
      const i = (this.next - k + n) % n;
      if (reply.includes(this.bodies[i]!)) return this.points[i]!;
    }
    for (let k = 1; k <= n; k++) {
      const i = (this.next - k + n) % n;
      const p = this.points[i]!;
      if (reply.includes(p.metric) && reply.includes(String(p.ts))) return p;
    }
    return null;
  }
}

export class TcpTransport extends SocketTransport<net.Socket> implements Transport {
  private recent = new RecentLines();

  constructor(readonly endpoint: Endpoint, private ctx: TransportContext) { super(); }

  async send(points: Point[]): Promise<SendOutcome> {
    let sock: net.Socket;
    try {
      sock = await this.connect();
    } catch (e) {
      return retryOutcome(0, 0, [], `connect to ${this.where()}: ${errorText(e)}`);
    }
    const lines = points.map((p) => encodeLine(p, this.ctx.type));
    const buf = Buffer.from(lines.join('\n') + '\n');
    const err = await this.write(sock, buf);
    if (err !== null) {
      this.drop(sock);
      return retryOutcome(0, 0, [], `send to ${this.where()}: ${err}`);
    }
    for (const p of points) this.recent.add(lineBody(p), p);
    return { done: points.length, bytes: buf.length, rejected: [], retry: null };
  }

  /**
   * Half-closes: the kernel sends what it holds, then FIN, and the server's last replies are still
   * read and reported. Destroying a socket with unread replies would reset the connection, and the
   * server would lose the lines it had not read yet (every `put` after the last reply read, at each
   * end of --once and each shutdown). Destroyed after a grace period if the server keeps its side open.
   */
  close(): Promise<void> {
    this.closed = true;
    const s = this.sock;
    if (!s) return Promise.resolve();
    this.sock = null;
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); s.destroy(); resolve(); };
      const timer = setTimeout(done, Math.min(CLOSE_GRACE_MS, this.ctx.timeoutMs));
      s.once('close', done);
      s.end();
    });
  }

  private where(): string { return `${this.endpoint.host}:${this.endpoint.port}`; }

  private connect(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    if (this.sock) return Promise.resolve(this.sock);
    if (!this.opening) {
      this.opening = this.open().finally(() => { this.opening = null; });
    }
    return this.opening;
  }

  private open(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.endpoint.host, port: this.endpoint.port });
      const timer = setTimeout(() => s.destroy(new Error(`connect timeout after ${this.ctx.timeoutMs} ms`)),
        this.ctx.timeoutMs);
      const onError = (e: Error) => { clearTimeout(timer); s.destroy(); reject(e); };
      s.once('error', onError);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', onError);
        if (this.closed) { s.destroy(); reject(new Error('transport closed')); return; }
        s.setNoDelay(true);
        s.setKeepAlive(true, 30_000);
        this.attach(s);
        this.nConnects++;
        this.sock = s;
        resolve(s);
      });
    });
  }

  private attach(s: net.Socket): void {
    let pending = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.reply(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      if (pending.length > MAX_REPLY_LINE) { this.reply(pending); pending = ''; }
    });
    s.on('error', (e) => this.ctx.log.debug('push connection error', { host: this.where(), error: errorText(e) }));
    s.on('end', () => s.destroy());           // the server closed its side: reconnect on next send
    s.on('close', () => { if (this.sock === s) this.sock = null; });
  }

  private reply(line: string): void {
    const text = line.replace(/\r$/, '').trim();
    if (!text) return;
    this.ctx.onLateRejection({ point: this.recent.find(text), error: text });
  }

  /** Resolves with null once the kernel took buf, or with why it did not. */
  private write(s: net.Socket, buf: Buffer): Promise<string | null> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (why: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        s.off('close', onClose);
        resolve(why);
      };
      const onClose = () => finish('connection closed');
      const timer = setTimeout(() => finish(`write timeout after ${this.ctx.timeoutMs} ms`), this.ctx.timeoutMs);
      s.once('close', onClose);
      s.write(buf, (err) => finish(err ? errorText(err) : null));
    });
  }

  private drop(s: net.Socket): void {
    if (this.sock === s) this.sock = null;
    s.destroy();
  }
}
