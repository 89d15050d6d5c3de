// The HTTP(S) side shared by every HTTP push (OpenTSDB /api/put, remote write, InfluxDB, OTLP): one
// keep-alive connection per pusher and endpoint, optional TLS with the configured CA (or none of the
// checks, with push_tls_insecure), the configured headers and credentials on every request, replies
// read up to 1 MiB. Secrets (passwords, tokens, header values) are taken out of every text this
// module hands back for a log line: a server that echoes a request's headers cannot put them there.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Settings } from '../../config/types.js';
import type { Endpoint } from './transport.js';

const MAX_REPLY_BYTES = 1 << 20;
const MIN_SECRET = 4;   // shorter values are not searched for (they would mangle ordinary words)

export type HttpSettings = Pick<Settings, 'push_tls' | 'push_tls_ca' | 'push_tls_insecure' | 'push_headers' |
  'push_basic_auth' | 'push_influx_token'>;

/** What every request of a run carries, resolved once from the settings. */
export interface HttpTarget {
  tls: boolean;
  ca: string | null;      // PEM text
  insecure: boolean;
  headers: Record<string, string>;
  secrets: string[];
}

export function httpTarget(s: Partial<HttpSettings>): HttpTarget {
  const headers: Record<string, string> = { ...s.push_headers };
  const secrets = Object.values(headers);
  if (s.push_basic_auth) {
    const { username, password } = s.push_basic_auth;
    const b64 = Buffer.from(`${username}:${password}`).toString('base64');
    headers.Authorization = `Basic ${b64}`;
    secrets.push(password, b64);
  }
  if (s.push_influx_token) {
    headers.Authorization = `Token ${s.push_influx_token}`;
    secrets.push(s.push_influx_token);
  }
  return {
    tls: s.push_tls ?? false,
    ca: s.push_tls && s.push_tls_ca ? readFileSync(s.push_tls_ca, 'utf8') : null,
    insecure: s.push_tls_insecure ?? false,
    headers,
    secrets: secrets.filter((x) => x.length >= MIN_SECRET).sort((a, b) => b.length - a.length),
  };
}

export interface Reply {
  status: number;
  body: Buffer;
  type: string;           // content-type, lower case
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly seen = new WeakSet<object>();
  private open = 0;
  private nConnects = 0;
  private closed = false;

  constructor(readonly endpoint: Endpoint, private readonly target: HttpTarget, private readonly timeoutMs: number) {
    this.agent = target.tls
      ? new https.Agent({ keepAlive: true, maxSockets: 1, ca: target.ca ?? undefined, rejectUnauthorized: !target.insecure })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  connected(): boolean { return this.open > 0; }
  connects(): number { return this.nConnects; }

  /** `https://host:port/path`, for messages. */
  url(path: string): string {
    const host = this.endpoint.host.includes(':') ? `[${this.endpoint.host}]` : this.endpoint.host;
    return `${this.target.tls ? 'https' : 'http'}://${host}:${this.endpoint.port}${path}`;
  }

  /** `text` with every secret replaced by `***`. */
  redact(text: string): string {
    let t = text;
    for (const s of this.target.secrets) if (t.includes(s)) t = t.split(s).join('***');
    return t;
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  /** One POST; a request that failed on a reused keep-alive socket the server had closed is resent once. */
  async post(path: string, body: Buffer, headers: Record<string, string>): Promise<Reply> {
    try {
      return await this.request(path, body, headers);
    } catch (e) {
      if (this.closed || !(e as { reused?: boolean }).reused) throw e;
      return this.request(path, body, headers);
    }
  }

  private request(path: string, body: Buffer, headers: Record<string, string>): Promise<Reply> {
    const mod = this.target.tls ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request({
        host: this.endpoint.host, port: this.endpoint.port, method: 'POST', path, agent: this.agent, timeout: this.timeoutMs,
        headers: { ...this.target.headers, ...headers, 'content-length': body.length },
      }, (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (b: Buffer) => { if (size < MAX_REPLY_BYTES) { parts.push(b); size += b.length; } });
        res.on('end', () => resolve({
          status: res.statusCode ?? 0, body: Buffer.concat(parts), type: String(res.headers['content-type'] ?? '').toLowerCase(),
        }));
        res.on('error', reject);
      });
      req.on('socket', (s) => {
        if (this.seen.has(s)) return;
        this.seen.add(s);
        this.nConnects++;
        this.open++;
        s.once('close', () => { this.open--; });
      });
      req.on('timeout', () => req.destroy(new Error(`request timeout after ${this.timeoutMs} ms`)));
      req.on('error', (e) => {
        if (req.reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET') Object.assign(e, { reused: true });
        reject(e);
      });
      req.end(body);
    });
  }
}
