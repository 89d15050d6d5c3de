// Issue 18's cases, shared by `npm run bench` and test/integration/limits-bomb.test.ts:
// - bomb: a cardinality bomb under --once (every line a new id as a tag): wall, peak RSS, the
//   overflow series, the warning;
// - liveBomb: a daemon fed `rate` new ids a second for `seconds` (stale_removal off, state file on):
//   RSS over time, /healthz latency, keys held;
// - checkpointScale: `keys` keys (limits raised), a checkpoint every 5 s while lines keep coming:
//   main-thread time per cut (from /metrics), then a restart: the restore's time.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, openSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T0 = Date.UTC(2026, 1, 8, 4, 0, 0);
const iso = (ms) => new Date(ms).toISOString().slice(0, 19) + 'Z';

/** `<time> id=<id> v=<n>`: line i at T0 + i / perSecond seconds, id unique per line (or from `idOf`). */
export async function bombLog(path, lines, { perSecond = 1000, idOf = (i) => `r${i.toString(36)}x${(i * 7919 % 1000003).toString(36)}` } = {}) {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += `${iso(T0 + Math.floor(i / perSecond) * 1000)} id=${idOf(i)} v=${i % 997}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
}

/** One group over bombLog's lines: a meter of lines and a histogram of v per id; `group` adds keys. */
export function bombConfig(files, settings = {}, group = {}) {
  const extra = Object.entries({ interval: 60, live_poll: false, parse_from_start: true, ...group })
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  return `{
  bomb: {
    files: ${JSON.stringify(files)},
    re: [ '^(\\S+)\\sid=(\\S+)\\sv=(\\d+)' ],
    expected_matches: 3,
    date: { position: 1, format: "rfc3339" },
    key_prefix: bomb,
    tags: { id: 2 },
    metrics: { meter: [ { key_suffix: hits, reference: [ [0, ""] ] } ], histogram: [ { key_suffix: v, reference: [ [3, ""] ] } ] },
    ${extra}
  },
  settings: ${JSON.stringify({ push_type: 'tsd', state_file: '', ...settings })}
}
`;
}

export function freePort() {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

/** CPU seconds (user + system) of a process's main thread so far. */
function threadCpuSec(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return NaN; }
}

function rssMB(pid) {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024; } catch { return NaN; }
}

/** GET on the status endpoint: body and milliseconds taken. */
function get(port, path, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body, ms: Number(process.hrtime.bigint() - t) / 1e6 }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const metric = (text, name) => Number(new RegExp(`^logmetrics_collector_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);

/** The last value of every `bomb.hits.count` series in dry-run output, by its id tag. */
function hitCounts(onLine) {
  const last = new Map();
  return {
    line(l) {
      if (!l.startsWith('put bomb.hits.count ')) return onLine?.(l);
      const f = l.split(' ');
      last.set(f[4], Number(f[3]));
    },
    last,
  };
}

/** --once over a bomb log: exit code, wall s, peak RSS (GNU time), overflow and total counts, the warning. */
export async function bomb({ cli, dir, lines, log = join(dir, `bomb-${lines}.log`), make = true }) {
  if (make) await bombLog(log, lines);
  const conf = join(dir, 'bomb.conf');
  writeFileSync(conf, bombConfig([log]));
  const counts = hitCounts();
  const t0 = Date.now();
  const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB %M', process.execPath, cli, '-c', conf, '--once', '--dry-run'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
  let err = '';
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s) => { const ls = (partial + s).split('\n'); partial = ls.pop(); for (const l of ls) counts.line(l); });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => { err += s; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
  const code = await new Promise((r) => child.on('close', r));
  const wall = (Date.now() - t0) / 1000;
  const warning = err.split('\n').filter((l) => l.includes('max_tag_values')).map((l) => JSON.parse(l))[0] ?? null;
  let total = 0;
  for (const v of counts.last.values()) total += v;
  return { lines, code, wall, linesPerSec: lines / wall, peakRssMB: Number(/PEAK_RSS_KB (\d+)/.exec(err)?.[1]) / 1024,
    series: counts.last.size, overflow: counts.last.get('id=_other_') ?? 0, total, warning, stderrTail: err.slice(-2000) };
}

/** A daemon fed `rate` new ids a second for `seconds`, state file on: RSS each second, /healthz latency every 100 ms. */
export async function liveBomb({ cli, dir, seconds = 120, rate = 20_000 }) {
  const log = join(dir, 'live-bomb.log');
  writeFileSync(log, '');
  const port = await freePort();
  const conf = join(dir, 'live-bomb.conf');
  mkdirSync(join(dir, 'live-state'), { recursive: true });
  const state = join(dir, 'live-state', 'state');
  writeFileSync(conf, bombConfig([log], { status_listen: `127.0.0.1:${port}` }, { live_poll: true, interval: 15, parse_from_start: false }));
  const devnull = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [cli, '-c', conf, '--dry-run', '--state-file', state], { stdio: ['ignore', devnull, 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => { err += s; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
  try {
    return await feedLiveBomb({ child, port, log, seconds, rate, err: () => err });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function feedLiveBomb({ child, port, log, seconds, rate, err }) {
  for (let i = 0; i < 100; i++) { try { await get(port, '/healthz', 1000); break; } catch { await sleep(200); } }
  const healthz = [];
  const rss = [];
  let stop = false;
  const probe = (async () => {
    while (!stop) {
      try { healthz.push((await get(port, '/healthz', 5000)).ms); } catch { healthz.push(5000); }
      await sleep(100);
    }
  })();
  const tick = 100;
  const perTick = rate * tick / 1000;
  let written = 0;
  const start = Date.now();
  let nextRss = start + 1000;
  while (Date.now() - start < seconds * 1000) {
    const now = iso(Date.now());
    let chunk = '';
    for (let i = 0; i < perTick; i++, written++) chunk += `${now} id=L${written.toString(36)}q${(written * 7919 % 1000003).toString(36)} v=${written % 997}\n`;
    appendFileSync(log, chunk);
    if (Date.now() >= nextRss) { rss.push(rssMB(child.pid)); nextRss += 1000; }
    const next = start + Math.ceil((Date.now() - start + 1) / tick) * tick;
    await sleep(Math.max(0, next - Date.now()));
  }
  await sleep(2000);
  stop = true;
  await probe;
  const status = JSON.parse((await get(port, '/status')).body);
  const metrics = (await get(port, '/metrics')).body;
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.on('close', r));
  const third = Math.floor(rss.length / 3);
  return { seconds, rate, written, code, healthzP50: quantile(healthz, 0.5), healthzP99: quantile(healthz, 0.99), healthzMax: Math.max(...healthz),
    probes: healthz.length, rssMaxMB: Math.max(...rss), rssMiddleMaxMB: Math.max(...rss.slice(third, 2 * third)), rssLastMaxMB: Math.max(...rss.slice(2 * third)),
    rss, group: status.groups?.[0], cuts: metric(metrics, 'state_cuts_written_total'), cutMaxSec: metric(metrics, 'state_cut_seconds_max'),
    stateBytes: metric(metrics, 'state_bytes'), stderrTail: err().slice(-2000) };
}

/**
 * `keys` keys (one meter each; limits raised), read from a log by a daemon with a state file;
 * lines keep coming for `seconds` (updates to existing keys and new ones). Main-thread time of the
 * cuts from /metrics; then SIGTERM, a restart, and the restore's time from its log.
 */
export async function checkpointScale({ cli, dir, keys = 1_000_000, seconds = 30, rate = 20_000 }) {
  const log = join(dir, 'scale.log');
  await bombLog(log, keys, { perSecond: 10_000 });
  const port = await freePort();
  const conf = join(dir, 'scale.conf');
  const state = join(dir, 'scale-state', 'state');
  mkdirSync(join(dir, 'scale-state'), { recursive: true });
  const text = bombConfig([log], { status_listen: `127.0.0.1:${port}` }, { max_tag_values: 2 * keys, max_keys: 4 * keys, live_poll: true, interval: 15 })
    .replace(', histogram: [ { key_suffix: v, reference: [ [3, ""] ] } ]', '');
  writeFileSync(conf, text);
  const devnull = openSync('/dev/null', 'w');
  const start = (extra = []) => {
    const c = spawn(process.execPath, [cli, '-c', conf, '--dry-run', '--state-file', state, ...extra], { stdio: ['ignore', devnull, 'pipe'] });
    c.err = '';
    c.stderr.setEncoding('utf8');
    // the main thread's CPU when the restore is logged (start-up included, ~0.1 s)
    c.stderr.on('data', (s) => { c.err += s; if (c.restoreCpu === undefined && c.err.includes('"State restored"')) c.restoreCpu = threadCpuSec(c.pid); });
    return c;
  };
  const status = async () => JSON.parse((await get(port, '/status')).body);
  const waitFor = async (pred, what, ms = 600_000) => {
    const end = Date.now() + ms;
    for (;;) {
      try { if (await pred()) return; } catch { /* not up yet */ }
      if (Date.now() > end) throw new Error(`timeout: ${what}`);
      await sleep(500);
    }
  };
  const children = [];
  const run = () => { const c = start(); children.push(c); return c; };
  try {
    return await scaleRun({ keys, seconds, rate, log, run, status, waitFor, port });
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

async function scaleRun({ keys, seconds, rate, log, run, status, waitFor, port }) {
  let child = run();
  await waitFor(async () => (await status()).groups[0].keys >= keys, `${keys} keys`);
  // steady state: lines for existing and new keys, `rate` a second; the cuts meanwhile
  const cutsAt = async () => {
    const m = (await get(port, '/metrics')).body;
    return { n: metric(m, 'state_cuts_written_total'), sec: metric(m, 'state_cut_seconds'), cpu: metric(m, 'state_cut_cpu_seconds'),
      pause: metric(m, 'state_cut_pause_seconds'), max: metric(m, 'state_cut_seconds_max'), bytes: metric(m, 'state_bytes') };
  };
  const buildMax = (await cutsAt()).max;
  const cuts = [];
  let last = (await cutsAt()).n;
  const t0 = Date.now();
  let i = 0;
  while (Date.now() - t0 < seconds * 1000) {
    let chunk = '';
    const now = iso(T0 + keys / 10 * 1000 + (Date.now() - t0));
    for (let k = 0; k < rate / 10; k++, i++) chunk += `${now} id=r${((i * 104729) % keys).toString(36)}x${(((i * 104729) % keys) * 7919 % 1000003).toString(36)} v=${i % 997}\n`;
    appendFileSync(log, chunk);
    const c = await cutsAt();
    if (c.n > last) { cuts.push(c); last = c.n; }
    await sleep(100);
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  const stateBytes = cuts.at(-1)?.bytes;
  child = run();
  await waitFor(async () => (await status()).groups[0].keys >= keys, 'the restart');
  const restored = child.err.split('\n').filter((l) => l.includes('"State restored"')).map((l) => JSON.parse(l))[0];
  const restoreCpuSec = child.restoreCpu;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  return { keys, seconds, rate, buildCutMaxSec: buildMax, steadyCuts: cuts.length, steadyCutMaxSec: Math.max(...cuts.map((c) => c.sec)),
    steadyCutMedianSec: quantile(cuts.map((c) => c.sec), 0.5), steadyCutCpuMaxSec: Math.max(...cuts.map((c) => c.cpu)),
    steadyCutCpuMedianSec: quantile(cuts.map((c) => c.cpu), 0.5), steadyPauseMaxSec: Math.max(...cuts.map((c) => c.pause)), stateBytes,
    restoreSec: restored?.seconds, restoreCpuSec, restoredKeys: restored?.keys };
}
