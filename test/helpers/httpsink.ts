// An in-process HTTP or HTTPS server that records every request (path, headers, raw body) and answers
// what the test says, for what no packaged server here can show: an OTLP receiver, TLS with a test CA,
// the headers a server sees, chosen error replies. Also a throwaway CA and server certificate made
// with Debian's openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface SinkRequest { path: string; headers: http.IncomingHttpHeaders; body: Buffer }
export interface Answer { status: number; body?: string | Uint8Array; type?: string }

export interface HttpSink {
  port: number;
  requests: SinkRequest[];
  close(): Promise<void>;
}

export async function startHttpSink(answer: (r: SinkRequest) => Answer = () => ({ status: 204 }),
  tls?: { key: string; cert: string }): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const r: SinkRequest = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) };
      requests.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': a.type ?? 'text/plain; charset=utf-8' });
      res.end(a.body === undefined ? '' : a.body);
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

export interface TestPki {
  dir: string;
  caFile: string;       // the CA's certificate (PEM): what push_tls_ca names
  key: string;          // the server's key and certificate (for 127.0.0.1 and localhost), PEM text
  cert: string;
  remove(): void;
}

/** A CA and a server certificate it signed, valid for a day, in a temp dir (openssl). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lmc-pki-'));
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=logmetrics test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  return {
    dir, caFile: f('ca.pem'), key: readFileSync(f('server.key'), 'utf8'), cert: readFileSync(f('server.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
