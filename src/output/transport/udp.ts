// UDP datagrams (tcollector's listener, or OpenTSDB-compatible UDP inputs): lines packed into
// datagrams of at most 8192 bytes, never splitting a line. Best effort (spec section 7): a datagram
// counts as sent once the kernel took it. The socket is connected, so an ICMP "port unreachable"
// surfaces as an error on a later send and the pusher fails over instead of sending into the void.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { encodeLine, packDatagrams, UDP_MAX_DATAGRAM } from '../format/opentsdb.js';
import type { Point } from '../../core/types.js';
import {
  SocketTransport, errorText, retryOutcome,
  type Endpoint, type SendOutcome, type Transport, type TransportContext,
} from './transport.js';

/** 16 KB a millisecond (~16 MB/s, some 200k points a second). */
const UDP_BYTES_PER_MS = 16 * 1024;

export class UdpTransport extends SocketTransport<dgram.Socket> implements Transport {
  constructor(readonly endpoint: Endpoint, private ctx: TransportContext, private maxDatagram = UDP_MAX_DATAGRAM) { super(); }

  async send(points: Point[]): Promise<SendOutcome> {
    let sock: dgram.Socket;
    try {
      sock = await this.open();
    } catch (e) {
      return retryOutcome(0, 0, [], `udp socket for ${this.where()}: ${errorText(e)}`);
    }
    const grams = packDatagrams(points.map((p) => encodeLine(p, this.ctx.type)), this.maxDatagram);
    let done = 0;
    let bytes = 0;
    for (const g of grams) {
      const err = await new Promise<Error | null>((resolve) => sock.send(g.buf, (e) => resolve(e ?? null)));
      if (err) {
        this.drop(sock);
        return retryOutcome(done, bytes, [], `send to ${this.where()}: ${errorText(err)}`);
      }
      done += g.count;
      bytes += g.buf.length;
      await this.pace(g.buf.length);
    }
    return { done, bytes, rejected: [], retry: null };
  }

  /**
   * UDP has no flow control: a burst larger than the receiver's socket buffer (208 KB by default on
   * Linux) is dropped by the kernel before a local tcollector or TSD can read it. Sends are paced
   * to UDP_BYTES_PER_MS, far above a live collector's output, so only replay bursts are slowed.
   */
  private windowStart = 0;
  private windowBytes = 0;
  private async pace(n: number): Promise<void> {
    const now = performance.now();
    if (now - this.windowStart >= 1) { this.windowStart = now; this.windowBytes = 0; }
    this.windowBytes += n;
    if (this.windowBytes >= UDP_BYTES_PER_MS) {
      await new Promise((r) => setTimeout(r, 1));
      this.windowStart = performance.now();
      this.windowBytes = 0;
    }
  }

  close(): void {
    this.closed = true;
    if (this.sock) this.drop(this.sock);
  }

  private where(): string { return `${this.endpoint.host}:${this.endpoint.port}`; }

  private open(): Promise<dgram.Socket> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    if (this.sock) return Promise.resolve(this.sock);
    if (!this.opening) this.opening = this.create().finally(() => { this.opening = null; });
    return this.opening;
  }

  private async create(): Promise<dgram.Socket> {
    const addr = await lookup(this.endpoint.host);
    const s = dgram.createSocket(addr.family === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(this.endpoint.port, addr.address, () => { s.off('error', reject); resolve(); });
    });
    if (this.closed) { s.close(); throw new Error('transport closed'); }
    s.on('error', (e) => {
      this.ctx.log.debug('udp socket error', { host: this.where(), error: errorText(e) });
      this.drop(s);
    });
    this.nConnects++;
    this.sock = s;
    return s;
  }

  private drop(s: dgram.Socket): void {
    if (this.sock === s) this.sock = null;
    try { s.close(); } catch { /* already closed */ }
  }
}
