// Generates the seed log: the original README's rest.api format, varied calls, hosts and numbers,
// deterministic (a fixed PRNG seed), about 278 lines per second of log time.
import { createWriteStream } from 'node:fs';

const CALLS = ['getUser', 'session.addItem', 'session.removeItem', 'cart.checkout', 'search.query', 'search.suggest',
  'catalog.list', 'catalog.item', 'auth.login', 'auth.logout', 'order.status', 'order.history'];
const HOSTS = ['rest1.mynetwork', 'rest2.mynetwork', 'api3.mynetwork', 'api4.mynetwork'];
const TYPES = ['sales', 'users', 'search'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n) => String(n).padStart(2, '0');

/**
 * The seed config (the original README's rest.api group: 16-group regex, 6 meters + 7 histograms a
 * line) over `files`, with `settings` and group keys overriding the replay defaults. `distinct`:
 * plus one distinct reference on the request id (`[r:...]`, captured as group 6; the later groups
 * move up by one), issue 24's bench.
 */
export function seedConfig(files, settings = { push_type: 'tsd', state_file: '' }, group = {}, { distinct = false } = {}) {
  const call = distinct
    ? String.raw`\[c:(\S+)\]\s+\[s:\S+\]\s+\[r:(\d+)\].*                 # call 5, request id 6 \n`
    : String.raw`\[c:(\S+)\].*                                         # call 5 \n`;
  const re = String.raw`'([A-z]{3}\s+\d+\s+\d+:\d+:\d+)\s+                     # Date 1 \n
       (([a-z])+\d+\.\S+)\s+                                 # server 2, class 3,\n
       rest_([a-z]+)\.api:.*                                 # rest type 4 \n
       ` + call + String.raw`
       \(([0-9]+)\)\s+                                       # call time 6 \n
       \[bnt:([0-9]+)/([0-9]+)\]\s+                          # bnt calls 7, bnt time 8 \n
       \[sql:([0-9]+)/([0-9]+)\]\s+                          # sql calls 9, sql time 10 \n
       \[membase:([0-9]+)/([0-9]+)\]\s+                      # membase calls 11, membase time 12 \n
       \[memcache:([0-9]+)/([0-9]+)\]\s+                     # memcache calls 13, memcache time 14 \n
       \[other:([0-9]+)/([0-9]+)\].*                         # other calls 15, other time 16 \n'`;
  const extra = Object.entries({ interval: 15, live_poll: false, parse_from_start: true, ...group })
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  // Groups after the call (5) move up by one when the request id is captured.
  const p = (n) => (distinct && n > 5 ? n + 1 : n);
  return `{
  rest.api: {
    files: ${JSON.stringify(files)},
    re: [ ${re} ],
    expected_matches: ${p(16)},
    date: { position: 1, format: "Jan  2 15:04:05", timezone: "UTC" },
    key_prefix: "rest.api",
    tags: { call: 5, host: 2, class: 3 },
    metrics: {
      meter: [ { key_suffix: "executions", reference: [ [0, "resource=local"], [${p(7)}, "resource=bnt"], [${p(9)}, "resource=sql"],
                 [${p(11)}, "resource=membase"], [${p(13)}, "resource=memcache"], [${p(15)}, "resource=other"] ] } ],
      histogram: [ { key_suffix: "execution_time.ms", reference: [ [${p(6)}, "resource=local", {sub: [${[8, 10, 12, 14, 16].map(p).join(',')}]}], [${p(6)}, "resource=total"],
                 [${p(8)}, "resource=bnt"], [${p(10)}, "resource=sql"], [${p(12)}, "resource=membase"], [${p(14)}, "resource=memcache"], [${p(16)}, "resource=other"] ] } ]${distinct ? `,
      distinct: [ { key_suffix: "requests", reference: [ [6, ""] ] } ]` : ''}
    },
    ${extra}
  },
  settings: ${JSON.stringify(settings)}
}
`;
}

export async function generate(path, lines = 1_000_000, { start = Date.UTC(2026, 1, 8, 4, 0, 0), perSecond = 278, seed = 42 } = {}) {
  const rnd = mulberry32(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    const d = new Date(start + Math.floor((i / perSecond) * 1000));
    const day = String(d.getUTCDate()).padStart(2, ' ');
    const date = `${MONTHS[d.getUTCMonth()]} ${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const n = () => Math.floor(rnd() * 6);
    const t = () => Math.floor(rnd() * 40);
    const bnt = [n(), t()], sql = [n(), t()], mb = [n(), t()], mc = [n(), t()], ot = [n(), t()];
    const total = bnt[1] + sql[1] + mb[1] + mc[1] + ot[1] + Math.floor(rnd() * 200);
    chunk += `${date} ${pick(HOSTS)} rest_${pick(TYPES)}.api: [INFO] [performance] (http-2350-${Math.floor(rnd() * 100)}) ` +
      `[c:${pick(CALLS)}] [s:d9ea09bf2612060d9] [r:${Math.floor(rnd() * 1e6)}]  (${total}) [bnt:${bnt[0]}/${bnt[1]}] ` +
      `[sql:${sql[0]}/${sql[1]}] [membase:${mb[0]}/${mb[1]}] [memcache:${mc[0]}/${mc[1]}] [other:${ot[0]}/${ot[1]}]\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

// The realistic seed log (issue 21): the same format and rate, but what real performance logs have
// and the friendly log above does not. Times in ms from log-normal distributions (1 ms to tens of
// seconds, 99th percentiles in the seconds), more hosts (8, in three classes) and calls (24, with
// Zipf-like popularity), 2% of lines the seed regex does not match (other messages of the same
// service, failed calls logged without their resources, stack-trace continuation lines), and 1% of
// lines dated 1-30 s before their neighbours (several threads writing one log).
const R_CALLS = [...CALLS, 'user.profile', 'user.settings', 'cart.view', 'cart.update', 'payment.authorize', 'payment.capture',
  'inventory.check', 'shipping.quote', 'recommend.items', 'review.list', 'promo.apply', 'health.check'];
const R_HOSTS = ['rest1', 'rest2', 'rest3', 'api1', 'api2', 'api3', 'web1', 'web2'].map((h) => `${h}.mynetwork`);
const RESOURCES = ['bnt', 'sql', 'membase', 'memcache', 'other'];
/** Median time (ms) of one call to each resource; the log-normal's sigma is SIGMA_RES. */
const RES_MEDIAN = [6, 4, 1, 0.6, 10];
const SIGMA_RES = 1.8;
const LOCAL_MEDIAN = 15;
const SIGMA_LOCAL = 1.9;
const MAX_MS = 60_000; // the service's own time-out

/** Cumulative Zipf(1) weights over n items, for pick by binary search. */
function zipf(n) {
  const w = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = w.reduce((a, b) => a + b, 0);
  let c = 0;
  return w.map((x) => (c += x / total));
}

/** What fraction of lines the realistic generator writes unmatched and out of order (the bench checks them). */
export const REALISTIC = { unmatched: 0.02, outOfOrder: 0.01, maxBackSec: 30, hosts: R_HOSTS.length, calls: R_CALLS.length };

/**
 * Writes the realistic seed log; resolves to { lines, matched } (matched: lines the seed regex
 * matches, which mtail counts and the collector parses).
 */
export async function generateRealistic(path, lines = 1_000_000, { start = Date.UTC(2026, 1, 8, 4, 0, 0), perSecond = 278, seed = 4242 } = {}) {
  const rnd = mulberry32(seed);
  const u = () => 1 - rnd(); // (0, 1]
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * rnd());
  const logNormal = (median, sigma) => Math.min(MAX_MS, Math.round(median * Math.exp(sigma * normal())));
  const callCdf = zipf(R_CALLS.length);
  const pickCall = () => { const x = rnd(); let i = 0; while (callCdf[i] < x && i < callCdf.length - 1) i++; return R_CALLS[i]; };
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const dateOf = (ms) => {
    const d = new Date(ms);
    return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  };
  const out = createWriteStream(path);
  let chunk = '';
  let matched = 0;
  for (let i = 0; i < lines; i++) {
    let ms = start + Math.floor((i / perSecond) * 1000);
    if (rnd() < REALISTIC.outOfOrder) ms -= 1000 + Math.floor(rnd() * (REALISTIC.maxBackSec - 1) * 1000);
    const date = dateOf(ms);
    const host = pick(R_HOSTS);
    const head = `${date} ${host} rest_${pick(TYPES)}.api:`;
    const thread = `(http-2350-${Math.floor(rnd() * 200)})`;
    const call = pickCall();
    const r = rnd();
    if (r < REALISTIC.unmatched) {
      const kind = r / REALISTIC.unmatched;
      if (kind < 0.5) chunk += `${head} [WARN] [pool] ${thread} connection pool exhausted for ${pick(RESOURCES)}, waited ${logNormal(50, 1)} ms\n`;
      else if (kind < 0.75) chunk += `${head} [ERROR] [performance] ${thread} [c:${call}] [s:d9ea09bf2612060d9] [r:${Math.floor(rnd() * 1e6)}] failed after ${logNormal(3000, 1)} ms: upstream timed out\n`;
      else chunk += `\tat com.mynetwork.rest.${call}.Handler.invoke(Handler.java:${Math.floor(rnd() * 900) + 100})\n`;
    } else {
      matched++;
      let res = '';
      let sum = 0;
      for (let k = 0; k < RESOURCES.length; k++) {
        const n = rnd() < 0.35 ? 0 : 1 + Math.floor(rnd() * rnd() * 8);
        const t = n === 0 ? 0 : logNormal(RES_MEDIAN[k] * n, SIGMA_RES);
        sum += t;
        res += ` [${RESOURCES[k]}:${n}/${t}]`;
      }
      const total = Math.min(MAX_MS, sum + logNormal(LOCAL_MEDIAN, SIGMA_LOCAL));
      chunk += `${head} [INFO] [performance] ${thread} [c:${call}] [s:d9ea09bf2612060d9] [r:${Math.floor(rnd() * 1e6)}]  (${total})${res}\n`;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((res) => out.once('drain', res));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((res, j) => out.end((e) => (e ? j(e) : res())));
  return { lines, matched };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const realistic = process.argv[2] === '--realistic';
  const args = process.argv.slice(realistic ? 3 : 2);
  const r = await (realistic ? generateRealistic : generate)(args[0] ?? 'seed.log', Number(args[1] ?? 1_000_000));
  if (r) process.stdout.write(`${r.lines} lines, ${r.matched} matched\n`);
}
