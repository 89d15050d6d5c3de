// What became of one HTTP request, decided from the reply (or the error) alone: sent, retry later,
// rejected for good, or a configuration problem. The pusher decides what to do about each
// (push/pusher.ts); the transports only classify.
//   2xx                               sent
//   5xx, 429, 408, timeouts, resets   retry later (push_wait, doubling)
//   other 4xx                         rejected: the batch is dropped, logged with one point, counted
//   401, 403, 404, 407, TLS failures  misconfigured: kept and retried at the longest wait, logged as
//                                     errors each time (a wrong password, path or CA would otherwise
//                                     drop every batch, or be retried quietly forever)
import { errorText } from './transport.js';

export type Verdict =
  | { kind: 'sent' }
  | { kind: 'retry'; why: string }
  | { kind: 'rejected'; why: string }
  | { kind: 'misconfigured'; why: string };

const CONFIG_STATUSES = new Set([401, 403, 404, 407]);
const RETRY_4XX = new Set([408, 429]);

/** `reason`: the server's own words (the body, or the field of it that explains). */
export function classifyStatus(status: number, reason: string): Verdict {
  if (status >= 200 && status < 300) return { kind: 'sent' };
  const why = `HTTP ${status}${reason ? `: ${reason}` : ''}`;
  if (CONFIG_STATUSES.has(status)) return { kind: 'misconfigured', why: `${why} (${hint(status)})` };
  if (status >= 400 && status < 500 && !RETRY_4XX.has(status)) return { kind: 'rejected', why };
  return { kind: 'retry', why };
}

function hint(status: number): string {
  if (status === 404) return 'check push_path, and that the server accepts this push_type';
  return 'check push_basic_auth, push_headers, push_influx_token or push_secret_file';
}

/** Node's codes for a certificate the client did not accept. */
const CERT_CODES = /CERT|SELF_SIGNED|ISSUER|UNABLE_TO_VERIFY|HOSTNAME|ALTNAME|INVALID_CA/;

/** A request that got no reply: a TLS failure is a configuration problem, anything else is retried. */
export function classifyError(e: unknown): Verdict {
  const code = String((e as NodeJS.ErrnoException | undefined)?.code ?? '');
  const text = errorText(e).replace(/\s+/g, ' ').trim();   // OpenSSL's messages end in a newline
  if (CERT_CODES.test(code)) {
    return { kind: 'misconfigured', why: `TLS certificate not accepted: ${text} (set push_tls_ca to the CA that signed the server's certificate, or fix the server's certificate)` };
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || /wrong version number|handshake/i.test(text)) {
    return { kind: 'misconfigured', why: `TLS handshake failed: ${text} (does the server speak TLS on this port? check push_tls)` };
  }
  return { kind: 'retry', why: text };
}

/** A reply body as one short line for a log (whitespace folded, cut at 300 characters). */
export function snippet(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? t.slice(0, 300) + '...' : t;
}
