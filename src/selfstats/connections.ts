// Keeps the status endpoint answering whatever its clients do (issue 19: 1,100 half-open connections
// took every file descriptor a systemd service has, 1,024, and /healthz was refused).
// - At most MAX_CONNECTIONS sockets: a new one beyond that closes the oldest idle one (a socket with
//   no request in progress: half-open, or a keep-alive between requests). A client that connects
//   and sends its request at once is never the oldest idle one for long, so /healthz gets through.
// - Idle sockets are closed by Node's own timers, checked every CHECK_MS (its default, 30 s, lets
//   them pile up): no complete request HEADERS_MS after the connection (or the previous request),
//   a request not done in REQUEST_MS, keep-alive for KEEP_ALIVE_MS.
import type http from 'node:http';
import type { Socket } from 'node:net';

export const MAX_CONNECTIONS = 64;
export const HEADERS_MS = 5_000;
export const REQUEST_MS = 10_000;
export const KEEP_ALIVE_MS = 5_000;
export const CHECK_MS = 1_000;

/** Server options for http.createServer(). */
export const SERVER_OPTIONS: http.ServerOptions = {
  headersTimeout: HEADERS_MS, requestTimeout: REQUEST_MS, keepAliveTimeout: KEEP_ALIVE_MS, connectionsCheckingInterval: CHECK_MS,
};

/** Caps the server's sockets; `dropped(n)` is told of every socket closed to make room. */
export function guardConnections(server: http.Server, dropped: (n: number) => void, max = MAX_CONNECTIONS): void {
  // Insertion order is age: the first entry is the oldest idle socket.
  const idle = new Set<Socket>();
  let open = 0;
  server.on('connection', (s: Socket) => {
    open++;
    idle.add(s);
    s.once('close', () => { open--; idle.delete(s); });
    if (open <= max) return;
    const oldest = idle.values().next().value!; // the new socket itself when every other one is busy
    idle.delete(oldest);
    oldest.destroy();
    dropped(1);
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const s = req.socket;
    idle.delete(s);
    // Back to idle once answered, as the newest: a keep-alive client is not the first to go.
    res.once('finish', () => { if (!s.destroyed) idle.add(s); });
  });
}
