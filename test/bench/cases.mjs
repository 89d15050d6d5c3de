// Extra `npm run bench` cases for issue 7: -j on two files, live tailing at 50k lines/s (CPU and
// lag from the status endpoint), and 100k distinct keys with stale removal (RSS, heap, keys).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { generate, seedConfig } from './gen.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');
const syslogDate = (d) => `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const seedLine = (date, call, host, ms) => `${date} ${host} rest_sales.api: [INFO] [performance] (http-2350-9) [c:${call}] [s:d9e] [r:1]  (${ms}) [bnt:1/2] [sql:2/1] [membase:0/0] [memcache:4/2] [other:0/0]\n`;

function freePort() {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

/** utime + stime of /proc/<pid>/stat (or <pid>/task/<tid>), in clock ticks (100/s). */
function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100/s)
}

function rssMB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function getJson(port, path) {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return path === '/metrics' ? r.text() : r.json();
}

function startDaemon(node, cli, conf) {
  const devnull = openSync('/dev/null', 'w');
  return spawn(node, [cli, '-c', conf, '--dry-run'], { stdio: ['ignore', devnull, 'ignore'] });
}

/**
 * CPU seconds of each thread of one run (utime + stime from /proc/<pid>/task, sampled every 50 ms
 * until the process exits): the main thread's (its tid is the pid) and the others', busiest first
 * (with -j N the parse workers, then V8's and libuv's helper threads).
 */
export async function threadCpu(args, node = process.execPath) {
  const child = spawn(node, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const last = new Map();
  const sample = () => {
    let tids = [];
    try { tids = readdirSync(`/proc/${child.pid}/task`); } catch { return; }
    for (const tid of tids) {
      try { last.set(tid, cpuTicks(`${child.pid}/task/${tid}`)); } catch { /* the thread ended */ }
    }
  };
  const exited = new Promise((r) => child.on('exit', r));
  while (await Promise.race([exited.then(() => false), sleep(50).then(() => true)])) sample();
  const main = (last.get(String(child.pid)) ?? 0) / 100;
  const others = [...last].filter(([tid]) => tid !== String(child.pid)).map(([, t]) => t / 100).sort((a, b) => b - a);
  return { main, others };
}

/**
 * Two input files, -j 1 vs -j 2 (whole process, alternate runs, medians, and the median of the
 * per-pair ratios), and the CPU by thread of one run of each. `node` runs the collector in every
 * case; `suffix` ends the names of the results.
 */
export async function twoFiles({ dir, cli, benchPair, timed, lines = 1_000_000, node = 'node', suffix = '' }) {
  const a = join(dir, 'two-a.log');
  const b = join(dir, 'two-b.log');
  await generate(a, lines / 2, { seed: 11 });
  await generate(b, lines / 2, { seed: 12 });
  const conf = join(dir, 'two.conf');
  writeFileSync(conf, seedConfig([a, b]));
  const args = (j) => [cli, '-c', conf, '--once', '--dry-run', '-j', j];
  const run = (j) => () => timed(node, args(j), { stdio: ['ignore', 'ignore', 'pipe'] });
  const { a: j1, b: j2, ratio } = benchPair({ name: `two files, -j 1${suffix}`, lines, run: run('1') }, { name: `two files, -j 2${suffix}`, lines, run: run('2') });
  const bin = node === 'node' ? process.execPath : node;
  j1.threads = await threadCpu(args('1'), bin);
  j2.threads = await threadCpu(args('2'), bin);
  return { j1, j2, ratio };
}

/** Live tailing: a writer appends `rate` lines/s (stamped now) for `seconds`; CPU of the collector and lag p99. */
export async function live({ dir, cli, rate = 50_000, seconds = 20, node = process.execPath }) {
  const log = join(dir, 'live.log');
  writeFileSync(log, '');
  const port = await freePort();
  const conf = join(dir, 'live.conf');
  writeFileSync(conf, seedConfig([log], { push_type: 'tsd', state_file: '', status_listen: `127.0.0.1:${port}` },
    { interval: 1, live_poll: true, parse_from_start: false }));
  const child = startDaemon(node, cli, conf);
  await sleep(1500);
  const calls = ['getUser', 'session.addItem', 'cart.checkout', 'search.query'];
  const tick = 100;
  const perTick = rate * tick / 1000;
  let written = 0;
  let cpu0 = 0;
  let t0 = 0;
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    const now = new Date();
    const date = syslogDate(now);
    let chunk = '';
    for (let i = 0; i < perTick; i++) chunk += seedLine(date, calls[i & 3], `rest${i % 3}.mynetwork`, 20 + (i % 50));
    appendFileSync(log, chunk);
    written += perTick;
    if (!t0 && Date.now() - start > 3000) { t0 = Date.now(); cpu0 = cpuTicks(child.pid); }
    const next = start + Math.ceil((Date.now() - start + 1) / tick) * tick;
    await sleep(Math.max(0, next - Date.now()));
  }
  const cpu = (cpuTicks(child.pid) - cpu0) / 100 / ((Date.now() - t0) / 1000);
  await sleep(1500);
  const metrics = await getJson(port, '/metrics');
  const lag = (q) => Number(new RegExp(`logmetrics_collector_lag_seconds\\{[^}]*quantile="${q}"[^}]*\\} (\\S+)`).exec(metrics)?.[1]);
  const rss = rssMB(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return { rate, seconds, written, cpuPercent: cpu * 100, lagP50: lag('p50'), lagP99: lag('p99'), rssMB: rss };
}

/** 100k distinct keys (one meter per call name), then stale removal once they are 5+ min old in log time. */
export async function manyKeys({ dir, cli, keys = 100_000, node = process.execPath }) {
  const log = join(dir, 'keys.log');
  const port = await freePort();
  const conf = join(dir, 'keys.conf');
  writeFileSync(conf, `{
  keys: {
    files: [ ${JSON.stringify(log)} ],
    re: [ '^(\\w+\\s+\\d+\\s+[\\d:]+)\\s+(\\S+)\\s.*\\[c:(\\S+)\\].*\\((\\d+)\\)' ],
    expected_matches: 4,
    date: { position: 1, format: "Jan _2 15:04:05", timezone: "UTC" },
    key_prefix: k,
    tags: { call: 3 },
    metrics: { meter: [ { key_suffix: hits, reference: [ [0, ""] ] } ] },
    live_poll: true, interval: 15, stale_removal: true, stale_threshold_min: 5, parse_from_start: true
  },
  settings: { state_file: "", status_listen: "127.0.0.1:${port}" }
}
`);
  const base = Date.UTC(2026, 1, 8, 4, 0, 0);
  let text = '';
  for (let i = 0; i < keys; i++) text += seedLine(syslogDate(new Date(base + Math.floor(i / keys * 60_000))), `call${i}`, 'rest1.mynetwork', i % 100);
  writeFileSync(log, text);
  const child = startDaemon(node, cli, conf);
  const waitKeys = async (pred) => {
    for (let i = 0; i < 600; i++) {
      await sleep(500);
      try {
        const s = await getJson(port, '/status');
        const n = s.shards.reduce((a, x) => a + x.keys, 0);
        const lagBytes = s.files.reduce((a, f) => a + f.lagBytes, 0);
        if (pred(n, lagBytes)) return { keys: n, heapMB: s.memory.heap_used_mb };
      } catch { /* not up yet */ }
    }
    throw new Error('timeout waiting for keys');
  };
  const peak = await waitKeys((n, lag) => n >= keys && lag === 0);
  await sleep(1000);
  const peakRss = rssMB(child.pid);
  // 10 minutes later in log time: only a few calls; the 100k keys go stale and are removed.
  let later = '';
  for (let i = 0; i < 2000; i++) later += seedLine(syslogDate(new Date(base + 600_000 + i * 100)), `live${i % 10}`, 'rest1.mynetwork', 5);
  appendFileSync(log, later);
  const after = await waitKeys((n) => n <= 10);
  // V8 collects the forgotten keys when it next needs to, or when idle (its memory reducer):
  // watch for up to 30 s and keep the lowest figures.
  let afterRss = Infinity;
  let afterHeap = Infinity;
  for (let i = 0; i < 30; i++) {
    await sleep(1000);
    afterRss = Math.min(afterRss, rssMB(child.pid));
    afterHeap = Math.min(afterHeap, (await getJson(port, '/status')).memory.heap_used_mb);
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return { keys, peakKeys: peak.keys, peakRssMB: peakRss, peakHeapMB: peak.heapMB, afterKeys: after.keys, afterRssMB: afterRss, afterHeapMB: afterHeap };
}
export { spawnSync };

/**
 * Issue 16: the seed log split into a gzipped family (seed.log.4.gz .. seed.log.1.gz, a quarter
 * each, as logrotate's `compress` leaves them) replayed through `seed.log*`, against the plain seed
 * log, in alternate rounds: lines/s of each, the median of the per-round ratios, and whether the two
 * outputs are byte-identical.
 */
export async function gzFamily({ dir, cli, seedLog, benchPair, timed, lines }) {
  const { gzipSync } = await import('node:zlib');
  const { createHash } = await import('node:crypto');
  const fam = join(dir, 'family');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(fam, { recursive: true });
  const all = readFileSync(seedLog);
  const cuts = [0];
  for (let k = 1; k < 4; k++) cuts.push(all.indexOf(0x0a, Math.floor((all.length * k) / 4)) + 1);
  cuts.push(all.length);
  for (let k = 0; k < 4; k++) writeFileSync(join(fam, `seed.log.${4 - k}.gz`), gzipSync(all.subarray(cuts[k], cuts[k + 1]), { level: 6 }));
  const plainConf = join(dir, 'gz-plain.conf');
  const famConf = join(dir, 'gz-family.conf');
  writeFileSync(plainConf, seedConfig([seedLog]));
  writeFileSync(famConf, seedConfig([join(fam, 'seed.log*')]));
  const hash = (conf) => createHash('sha256').update(spawnSync(process.execPath, [cli, '-c', conf, '--once', '--dry-run'], { maxBuffer: 1 << 30 }).stdout).digest('hex');
  const identical = hash(plainConf) === hash(famConf);
  const run = (conf) => () => timed('node', [cli, '-c', conf, '--once', '--dry-run'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const { a: plain, b: gz, ratio } = benchPair({ name: 'seed log, plain (gz case)', lines, run: run(plainConf) },
    { name: 'seed log as a gzipped family (4 x .gz)', lines, run: run(famConf) });
  return { plain, gz, ratio, identical };
}
