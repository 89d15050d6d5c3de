// Tiny in-process servers for what VictoriaMetrics cannot show: the exact bytes of tcollector lines,
// datagram boundaries, OpenTSDB's `put: ...` error replies and /api/put 400 details.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface TcpLineServer {
  port: number;
  lines: string[];          // every complete line received, in order, without its newline
  raw: () => string;        // everything received, concatenated
  connections: number;
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
  /** Closes every accepted connection, keeps listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Collects newline-terminated lines; `reply(line)` may answer a line (OpenTSDB-style error text). */
export async function startTcpLineServer(reply?: (line: string) => string | null): Promise<TcpLineServer> {
  const lines: string[] = [];
  const chunks: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    srv.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let pending = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      chunks.push(d);
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        lines.push(line);
        const r = reply?.(line);
        if (r) s.write(r + '\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const srv: TcpLineServer = {
    port: (server.address() as net.AddressInfo).port,
    lines,
    raw: () => chunks.join(''),
    connections: 0,
    async waitForLines(n, timeoutMs = 10_000) {
      await until(() => lines.length >= n, timeoutMs, `${n} lines (have ${lines.length})`);
      return lines;
    },
    dropConnections() { for (const s of sockets) s.end(); },
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
  return srv;
}

export interface UdpLineServer {
  port: number;
  datagrams: Buffer[];
  lines(): string[];
  waitForLines(n: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startUdpLineServer(): Promise<UdpLineServer> {
  const datagrams: Buffer[] = [];
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m) => datagrams.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  // The sender runs in this process too: a burst must fit in the receive buffer until we read it.
  try { sock.setRecvBufferSize(4 << 20); } catch { /* capped by net.core.rmem_max */ }
  const lines = () => datagrams.flatMap((d) => d.toString('utf8').split('\n').slice(0, -1));
  return {
    port: sock.address().port,
    datagrams,
    lines,
    async waitForLines(n, timeoutMs = 10_000) {
      await until(() => lines().length >= n, timeoutMs, `${n} udp lines (have ${lines().length})`);
      return lines();
    },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

export interface HttpPutRequest { path: string; body: unknown }

export interface HttpPutServer {
  port: number;
  requests: HttpPutRequest[];
  close(): Promise<void>;
}

/** An /api/put server whose `answer` decides the status and body of each request. */
export async function startHttpPutServer(
  answer: (points: Array<Record<string, unknown>>, req: HttpPutRequest) => { status: number; body?: unknown },
): Promise<HttpPutServer> {
  const requests: HttpPutRequest[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* kept as text */ }
      const r: HttpPutRequest = { path: req.url ?? '', body };
      requests.push(r);
      const a = answer(Array.isArray(body) ? body as Array<Record<string, unknown>> : [], r);
      const out = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** A loopback port nothing listens on (connections are refused). */
export async function refusedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A Logger that records every call, for counting warnings. */
export interface LogCall { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }
export function capturingLogger(): { calls: LogCall[]; log: import('../../src/core/log.js').Logger } {
  const calls: LogCall[] = [];
  const rec = (level: LogCall['level']) => (msg: string, fields?: Record<string, unknown>) => { calls.push({ level, msg, fields }); };
  return { calls, log: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') } };
}
