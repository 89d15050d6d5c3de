// npm run bench: replays a generated 1M-line seed log with the seed config (--once --dry-run to
// /dev/null) and runs Debian's `mtail -one_shot` on an equivalent program over the same file.
// Whole-process figures (wall, CPU, peak RSS via /usr/bin/time), median of several runs.
// It also tells how fast this host is against the reference machine of the peer figures, by three
// yardsticks run in the same rounds, and prints lines/s normalised to the reference host:
// - mtail, the one the bench trusts: the same Debian binary (3.0.0~rc50) on the same file, so its
//   reference figure is reproducible as it stands;
// - calibrate.mjs, our reconstruction of the peer figures' "minimal Node script", and
// - calibrate.mjs --split-only, of their "Node, split lines only (64 KB chunks)". These two are
//   rebuilt from one-line descriptions, and they are not the originals: on a host where mtail runs
//   at its reference speed, the split runs ~2.6x and the minimal script ~1.5x faster than their
//   reference figures. Their factors are printed, not used, unless mtail is skipped.
// BENCH_NODES=20,22,24 runs every collector case under each of these Node.js builds (majors pinned
// in build/runtime.json, fetched by build/runtime.mjs, or paths of node binaries), the seed replays
// of all of them in the same rounds; without it the collector runs under the `node` on PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate, generateRealistic, REALISTIC, seedConfig } from './gen.mjs';
import { gzFamily, live, manyKeys, twoFiles } from './cases.mjs';
import { remoteWrite } from './push.mjs';
import { bomb, checkpointScale, liveBomb } from './scale.mjs';
import { distinctKeys, distinctThroughput } from './distinct.mjs';
import { startup } from './startup.mjs';
import { nodeBinary } from '../../build/runtime.mjs';
import { journalReplay } from './journal.mjs';

// Peer figures from the reference machine, for the same 1M-line seed log (whole process, medians):
// ../shared/reference/peer-figures.md (i.e. /work/shared/reference/peer-figures.md).
const REF_LINES = 1_000_000;
const REF_MINIMAL_NODE = { wall: 1.18, linesPerSec: 850_000, cpu: 1.13, rssMB: 63 }; // split + JS RegExp + Map sum per call name
const REF_SPLIT_NODE = { wall: 0.36, linesPerSec: 2_800_000, cpu: 0.35, rssMB: 64 }; // split lines only, 64 KB chunks
const REF_MTAIL = { wall: 10.2, linesPerSec: 98_000, cpu: 12.0, rssMB: 20 }; // mtail -one_shot, calls + call time per call name
const REF_GO_ORIGINAL = { wall: 23.2, linesPerSec: 43_000, cpu: 23.2, rssMB: 300 }; // Go original -j 1, seed config, dry-run

const root = resolve(new URL('../..', import.meta.url).pathname);
const cli = join(root, 'build/dist/cli.js');
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const cacheDir = join(tmpdir(), 'logmetrics-bench');
mkdirSync(cacheDir, { recursive: true });
const seedLog = join(cacheDir, `seed-${LINES}.log`);
// Issue 21: the realistic seed log (long-tailed times, unmatched and out-of-order lines; gen.mjs).
// The name carries the generator's version: change it when generateRealistic() changes.
const realLog = join(cacheDir, `realistic-v1-${LINES}.log`);
/** The Node.js builds the collector runs under; `suffix` ends their results' names. */
const NODES = (process.env.BENCH_NODES ?? '').split(',').filter(Boolean).map((spec) => {
  const bin = /^\d+(\.\d+\.\d+)?$/.test(spec) ? nodeBinary(spec) : spec;
  return { bin, suffix: `, Node ${execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()}` };
});
if (!NODES.length) NODES.push({ bin: 'node', suffix: '' });

if (!existsSync('/usr/bin/time')) {
  console.error('npm run bench needs GNU time (/usr/bin/time): apt-get install -y time');
  process.exit(2);
}
if (!existsSync(seedLog)) {
  process.stderr.write(`generating ${LINES} lines into ${seedLog} ...\n`);
  await generate(seedLog, LINES);
}
if (!existsSync(realLog)) {
  process.stderr.write(`generating ${LINES} realistic lines into ${realLog} ...\n`);
  await generateRealistic(realLog, LINES);
}
// Warm the page cache so every run reads from memory.
execFileSync('cat', [seedLog, realLog], { stdio: ['ignore', 'ignore', 'inherit'] });

const work = mkdtempSync(join(tmpdir(), 'logmetrics-bench-'));
// mtail: count calls and sum the call time per call name, with the same 16-group regex.
const MTAIL_PROG = `counter calls by call
counter call_time by call
/^(?P<date>[A-z]{3}\\s+\\d+\\s+\\d+:\\d+:\\d+)\\s+((?P<class>[a-z])+\\d+\\.\\S+)\\s+rest_(?P<rtype>[a-z]+)\\.api:.*\\[c:(?P<call>\\S+)\\].*\\((?P<time>[0-9]+)\\)\\s+\\[bnt:([0-9]+)\\/([0-9]+)\\]\\s+\\[sql:([0-9]+)\\/([0-9]+)\\]\\s+\\[membase:([0-9]+)\\/([0-9]+)\\]\\s+\\[memcache:([0-9]+)\\/([0-9]+)\\]\\s+\\[other:([0-9]+)\\/([0-9]+)\\].*/ {
  calls[$call]++
  call_time[$call] += $time
}
`;

function timed(cmd, args, opts = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const last = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall: last[0], cpu: last[1] + last[2], rssMB: last[3] / 1024, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function summary(name, lines, rs) {
  const wall = median(rs.map((r) => r.wall));
  return { name, wall, linesPerSec: lines / wall, cpu: median(rs.map((r) => r.cpu)), rssMB: Math.max(...rs.map((r) => r.rssMB)) };
}

/**
 * Programs run in rounds, each round in a rotated order (A B C, B C A, ...): this host's speed
 * drifts by tens of percent over minutes, and a ratio of medians taken minutes apart measures the
 * drift as much as the programs. Returns each program's summary, and ratio(x, y): the median over
 * the rounds of x's lines/s over y's.
 */
function benchRounds(progs) {
  const runs = progs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < progs.length; k++) {
      const j = (i + k) % progs.length;
      runs[j].push(progs[j].run());
    }
  }
  const ratio = (x, y) => median(runs[x].map((r, i) => (progs[x].lines / r.wall) / (progs[y].lines / runs[y][i].wall)));
  // The same by CPU time (y's CPU per line over x's): on a loaded host a single-threaded program
  // gets a smaller share of the cores than mtail, which runs on all of them, so the wall ratio
  // understates it; CPU is what a host pays.
  const cpuRatio = (x, y) => median(runs[x].map((r, i) => (runs[y][i].cpu / progs[y].lines) / (r.cpu / progs[x].lines)));
  return { summaries: progs.map((p, i) => summary(p.name, p.lines, runs[i])), ratio, cpuRatio };
}

function calibrate(splitOnly = false) {
  const args = [join(root, 'test/bench/calibrate.mjs'), ...(splitOnly ? ['--split-only'] : []), seedLog];
  const r = timed('node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const [lines, matched] = [/(\d+) lines/, /(\d+) matched/].map((re) => Number(re.exec(r.stdout)?.[1]));
  if (lines !== LINES || matched !== (splitOnly ? 0 : LINES)) throw new Error(`calibrate.mjs: ${r.stdout.trim()}`);
  return r;
}

/** A reference figure's lines/s (the peer figures' runs are over REF_LINES lines). */
const refRate = (ref) => REF_LINES / ref.wall;

const results = [];
const cfg1 = join(work, 'seed.conf');
writeFileSync(cfg1, seedConfig([seedLog]));
// The seed replay in rounds with the three yardsticks on the same seed log (mtail last).
const CALIBRATION = 'calibration: minimal Node script (split + RegExp + Map)';
const SPLIT = 'calibration: Node, split lines only (64 KB chunks)';
const SEED = 'logmetrics-collector -j 1 (seed config, --once --dry-run)';
const progs = [
  ...NODES.map((n) => ({ name: SEED + n.suffix, lines: LINES,
    run: () => timed(n.bin, [cli, '-c', cfg1, '--once', '--dry-run'], { stdio: ['ignore', 'ignore', 'pipe'] }) })),
  { name: CALIBRATION, lines: LINES, run: () => calibrate() },
  { name: SPLIT, lines: LINES, run: () => calibrate(true) },
];
let runMtail = null;
let MTAIL_IDX = -1;
let REAL_MTAIL = null;
const REAL_NAME = 'realistic input: logmetrics-collector -j 1 (seed config, --once --dry-run)';
if (process.env.BENCH_SKIP_MTAIL !== '1') {
  const progDir = join(work, 'progs');
  mkdirSync(progDir);
  writeFileSync(join(progDir, 'seed.mtail'), MTAIL_PROG);
  const mtailOn = (log) => () => timed('mtail', ['-one_shot', '-one_shot_format', 'prometheus', '-progs', progDir, '-logs', log,
    '-address', '127.0.0.1', '-port', '0', '-logtostderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
  runMtail = mtailOn(seedLog);
  MTAIL_IDX = progs.push({ name: 'mtail -one_shot (calls + call time per call)', lines: LINES, run: runMtail }) - 1;
  REAL_MTAIL = () => mtailOn(realLog);
}
// The realistic input in the same rounds, beside mtail on the same file (the friendly case above
// stays as it was, so that its figures compare over time); under the first Node.js build only.
const cfgReal = join(work, 'realistic.conf');
writeFileSync(cfgReal, seedConfig([realLog]));
const REAL_IDX = progs.push({ name: REAL_NAME + NODES[0].suffix, lines: LINES,
  run: () => timed(NODES[0].bin, [cli, '-c', cfgReal, '--once', '--dry-run'], { stdio: ['ignore', 'ignore', 'pipe'] }) }) - 1;
const REAL_MTAIL_IDX = REAL_MTAIL ? progs.push({ name: 'realistic input: mtail -one_shot (same program)', lines: LINES, run: REAL_MTAIL() }) - 1 : -1;
const rounds = benchRounds(progs);
results.push(...rounds.summaries);
const startupRes = startup({ cli, dir: work, timed, node: NODES[0].bin, rounds: Number(process.env.BENCH_STARTUP_RUNS ?? 11) });
results.push(startupRes.collector, startupRes.node);

const CASES = new Set((process.env.BENCH_CASES ?? 'twofiles,live,keys,push,gz,checkpoint,distinct,journal').split(',').filter(Boolean));
const benchPair = (a, b) => { const r = benchRounds([a, b]); return { a: r.summaries[0], b: r.summaries[1], ratio: r.ratio(1, 0) }; };
// The other cases, under each Node.js build in turn.
const perNode = [];
for (const n of NODES) {
  const node = n.bin;
  const two = CASES.has('twofiles') ? await twoFiles({ dir: work, cli, benchPair, timed, node, suffix: n.suffix }) : null;
  if (two) results.push(two.j1, two.j2);
  // Live CPU is compared with a reference-speed core by yardstick runs just before and after it
  // (mtail's, or the minimal script's without mtail).
  const liveRes = CASES.has('live') ? await (async () => {
    const yard = runMtail ?? (() => calibrate());
    const ref = runMtail ? REF_MTAIL : REF_MINIMAL_NODE;
    const before = yard();
    const r = await live({ dir: work, cli, node: node === 'node' ? process.execPath : node });
    const after = yard();
    r.hostFactor = (LINES / ((before.wall + after.wall) / 2)) / refRate(ref);
    r.hostFactorBy = runMtail ? 'mtail' : 'the minimal script';
    return r;
  })() : null;
  const keysRes = CASES.has('keys') ? await manyKeys({ dir: work, cli, node: node === 'node' ? process.execPath : node }) : null;
  perNode.push({ ...n, two, liveRes, keysRes });
}
// Issue 23: a 200k-entry journal replayed beside the same lines from a file, on the development Node.js.
const journalRes = CASES.has('journal') ? await journalReplay({ cli, dir: work, benchPair, timed }) : null;
if (journalRes) results.push(journalRes.a, journalRes.b);
// The push case compares two push types, not Node.js builds: once, on the development Node.js.
const pushRes = CASES.has('push') ? await remoteWrite({ dir: work, cli, benchPair, timed, seedLog, lines: LINES }) : null;
if (pushRes) results.push(pushRes.tcp, pushRes.rw);
const gz = CASES.has('gz') ? await gzFamily({ dir: work, cli, seedLog, benchPair, timed, lines: LINES }) : null;
if (gz) results.push(gz.plain, gz.gz);
// Issue 18 (test/bench/scale.mjs): the checkpoint at 1M keys by default; the cardinality bombs on request.
const checkpointRes = CASES.has('checkpoint') ? await checkpointScale({ cli, dir: work, keys: Number(process.env.BENCH_CHECKPOINT_KEYS ?? 1_000_000) }) : null;
// The same in process, by main-thread CPU time (a busy host inflates the daemon's wall-clock figures).
const cutCpuRes = CASES.has('checkpoint') ? [10_000, 100_000].map((changed) => JSON.parse(execFileSync(process.execPath,
  ['--expose-gc', join(root, 'test/bench/cutcpu.mjs'), String(Number(process.env.BENCH_CHECKPOINT_KEYS ?? 1_000_000)), String(changed)],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))) : null;
// Issue 24: the seed config with and without a distinct reference, and 100k distinct keys' memory.
const distinctRes = CASES.has('distinct') ? distinctThroughput({ dir: work, cli, benchPair, timed, seedLog, lines: LINES }) : null;
if (distinctRes) results.push(distinctRes.plain, distinctRes.distinct);
const distinctKeysRes = CASES.has('distinct') ? await distinctKeys({ dir: work, cli, timed }) : null;
const bombRes = CASES.has('bomb') ? await bomb({ cli, dir: work, lines: Number(process.env.BENCH_BOMB_LINES ?? 10_000_000) }) : null;
const liveBombRes = CASES.has('livebomb') ? await liveBomb({ cli, dir: work, seconds: Number(process.env.BENCH_LIVE_BOMB_SECONDS ?? 120) }) : null;

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');
const size = statSync(seedLog).size;
const baselineFile = join(root, 'test/bench/baseline.json');
const baseline = existsSync(baselineFile) ? JSON.parse(readFileSync(baselineFile, 'utf8')) : {};
console.log(`\nseed log: ${fmt(LINES)} lines, ${fmt(size / 1e6, 0)} MB, median of ${RUNS} runs, whole process (previous: test/bench/baseline.json)\n`);
const byName = (prefix) => results.find((r) => r.name.startsWith(prefix));
// Host factors: this host's speed over the reference machine's by each yardstick (lines/s, so
// BENCH_LINES other than 1M compare too; Node's ~0.05 s start-up weighs more on small logs).
const cal = byName(CALIBRATION);
const split = byName(SPLIT);
const mt = byName('mtail');
const factorBy = { minimal: cal.linesPerSec / refRate(REF_MINIMAL_NODE), split: split.linesPerSec / refRate(REF_SPLIT_NODE),
  mtail: mt ? mt.linesPerSec / refRate(REF_MTAIL) : NaN };
// The seed replay's figure at reference speed, by mtail (by the minimal script without it): per
// round, its lines/s over the yardstick's, times the yardstick's reference figure (median over the rounds).
// Progs: the seed replay under each Node.js build (0 .. NODES.length - 1), then the yardsticks.
const CAL_IDX = NODES.length;
const atRefOf = (i) => ({ minimal: refRate(REF_MINIMAL_NODE) * rounds.ratio(i, CAL_IDX), split: refRate(REF_SPLIT_NODE) * rounds.ratio(i, CAL_IDX + 1),
  mtail: mt ? refRate(REF_MTAIL) * rounds.ratio(i, MTAIL_IDX) : NaN });
const atRefBy = atRefOf(0);
const hostFactor = mt ? factorBy.mtail : factorBy.minimal;
const seedIdx = (r) => rounds.summaries.indexOf(r);
const normalised = (r) => (seedIdx(r) >= 0 && seedIdx(r) < CAL_IDX ? atRefOf(seedIdx(r))[mt ? 'mtail' : 'minimal']
  : r.name.startsWith('two files') ? r.linesPerSec / hostFactor : NaN);
console.log('| program | wall s | lines/s | lines/s at reference speed | previous lines/s | CPU s | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${fmt(r.wall, 2)} | ${fmt(r.linesPerSec)} | ${fmt(normalised(r))} | ${fmt(baseline[r.name]?.linesPerSec)} | ${fmt(r.cpu, 2)} | ${fmt(r.rssMB)} |`);
const seed = byName('logmetrics-collector -j 1');
const yardLine = (what, ref, r, k) => `${what}: ${fmt(factorBy[k], 2)}x the reference machine's speed (${fmt(r.linesPerSec)} lines/s here, ` +
  `${fmt(refRate(ref))} there: ${fmt(ref.wall, 2)} s for ${fmt(REF_LINES)} lines); collector -j 1 normalised by it: ${fmt(atRefBy[k])} lines/s`;
console.log(`\nhost speed by each yardstick (collector normalised: median over the rounds of its lines/s over the yardstick's, times the yardstick's reference figure):`);
if (mt) console.log(`- ${yardLine('mtail, the same binary as the reference run (the figure used above)', REF_MTAIL, mt, 'mtail')}`);
console.log(`- ${yardLine(`minimal Node script, our reconstruction${mt ? ' (not used)' : ' (used above: no mtail)'}`, REF_MINIMAL_NODE, cal, 'minimal')}`);
console.log(`- ${yardLine('Node split only, our reconstruction (not used)', REF_SPLIT_NODE, split, 'split')}`);
if (mt) {
  console.log(`  (against their reference figures, the two reconstructions run at ${fmt(factorBy.minimal / factorBy.mtail, 2)}x and ` +
    `${fmt(factorBy.split / factorBy.mtail, 2)}x of mtail's factor: away from 1, that is how far the scripts differ from the originals, not the host)`);
  console.log(`ratio collector / mtail (lines/s): ${fmt(rounds.ratio(0, MTAIL_IDX), 1)}x (median over the rounds; ratio of the medians ${fmt(seed.linesPerSec / mt.linesPerSec, 1)}x; ` +
    `by CPU per line ${fmt(rounds.cpuRatio(0, MTAIL_IDX), 1)}x) ` +
    `(Go original, published: ${fmt(REF_GO_ORIGINAL.linesPerSec / 1000)}k lines/s, ${fmt(REF_GO_ORIGINAL.rssMB)} MB)`);
}
{
  const real = rounds.summaries[REAL_IDX];
  const realMt = REAL_MTAIL_IDX >= 0 ? rounds.summaries[REAL_MTAIL_IDX] : null;
  console.log(`realistic input (${fmt(REALISTIC.unmatched * 100)}% of lines unmatched, ${fmt(REALISTIC.outOfOrder * 100)}% up to ${REALISTIC.maxBackSec} s out of order, ` +
    `log-normal times, ${REALISTIC.hosts} hosts, ${REALISTIC.calls} calls): ` +
    (realMt ? `collector / mtail ${fmt(rounds.ratio(REAL_IDX, REAL_MTAIL_IDX), 2)}x the lines/s (median over the rounds; ratio of the medians ` +
      `${fmt(real.linesPerSec / realMt.linesPerSec, 2)}x; issue 21 asks >= 4.5x), ${fmt(rounds.cpuRatio(REAL_IDX, REAL_MTAIL_IDX), 2)}x by CPU per line, ` : '') +
    `CPU ${fmt(real.cpu, 2)} s, peak RSS ${fmt(real.rssMB)} MB (issue 21 asks < 150 MB)`);
}
console.log(`start-up (--once --dry-run on an empty file, ${startupRes.rounds} runs alternating with bare node -e 0): ` +
  `${fmt(startupRes.overWall, 3)} s of wall and ${fmt(startupRes.overCpu, 3)} s of CPU above node -e 0 (medians of the per-round differences; ` +
  `issue 21 asks <= 0.08 s); node -e 0 alone ${fmt(startupRes.node.wall, 3)} s wall, ${fmt(startupRes.node.cpu, 3)} s CPU`);
if (NODES.length > 1) {
  const first = rounds.summaries[0];
  console.log(`seed replay by Node.js build (median over the rounds of lines/s over${NODES[0].suffix.slice(1)}'s; CPU s, peak RSS MB):`);
  NODES.forEach((n, i) => { const r = rounds.summaries[i];
    console.log(`- ${n.suffix.slice(2)}: ${fmt(rounds.ratio(i, 0), 3)}x (ratio of the medians ${fmt(r.linesPerSec / first.linesPerSec, 3)}x), ${fmt(r.cpu, 2)} CPU s, ${fmt(r.rssMB)} MB`); });
}
for (const { suffix, two, liveRes, keysRes } of perNode) {
  const on = suffix ? ` (${suffix.slice(2)})` : '';
  if (two) {
    const { j1: t1, j2: t2 } = two;
    console.log(`two files${on}: -j 2 / -j 1 = ${fmt(two.ratio, 2)}x (median over alternate runs; ratio of the medians ${fmt(t2.linesPerSec / t1.linesPerSec, 2)}x)`);
    const cpuBy = (r, n) => `main thread ${fmt(r.threads.main, 2)} s, ${r.threads.others.slice(0, n).map((c) => fmt(c, 2) + ' s').join(' + ')}` +
      ` (busiest other${n > 1 ? 's' : ''}), ${fmt(r.threads.others.slice(n).reduce((a, b) => a + b, 0), 2)} s in the rest`;
    console.log(`two files${on}, CPU by thread (one run each): -j 1: ${cpuBy(t1, 1)}; -j 2: ${cpuBy(t2, 2)}`);
  }
  if (liveRes) {
    // CPU per line scales with host speed as lines/s does: the same share of a reference-speed core.
    console.log(`live tailing${on}: ${fmt(liveRes.rate)} lines/s written for ${liveRes.seconds} s: collector CPU ${fmt(liveRes.cpuPercent, 1)}% of one core ` +
      `(${fmt(liveRes.cpuPercent * liveRes.hostFactor, 1)}% of a reference-speed core: host at ${fmt(liveRes.hostFactor, 2)}x by ${liveRes.hostFactorBy} runs just before and after), lag p50 ${fmt(liveRes.lagP50, 2)} s, p99 ${fmt(liveRes.lagP99, 2)} s, RSS ${fmt(liveRes.rssMB)} MB` +
      (baseline.live ? ` (previous: ${fmt(baseline.live.cpuPercent, 1)}% CPU, lag p99 ${fmt(baseline.live.lagP99, 2)} s)` : ''));
  }
  if (keysRes) console.log(`${fmt(keysRes.keys)} distinct keys${on}: peak ${fmt(keysRes.peakKeys)} keys, RSS ${fmt(keysRes.peakRssMB)} MB, heap ${fmt(keysRes.peakHeapMB)} MB; after stale removal ${fmt(keysRes.afterKeys)} keys, RSS ${fmt(keysRes.afterRssMB)} MB, heap ${fmt(keysRes.afterHeapMB)} MB`);
}
if (journalRes) {
  console.log(`file replay / journal replay of the same lines: ${fmt(journalRes.ratio, 2)}x lines/s (median over alternate runs), ` +
    `CPU ${fmt(journalRes.a.cpu, 2)} s (journal) against ${fmt(journalRes.b.cpu, 2)} s (file): journalctl and the export parser (test/bench/README.md)`);
}
if (pushRes) {
  console.log(`pushed for real to a local VictoriaMetrics: remote_write / tsd over tcp = ${fmt(pushRes.ratio, 2)}x the lines/s (median over alternate runs; ` +
    `ratio of the medians ${fmt(pushRes.rw.linesPerSec / pushRes.tcp.linesPerSec, 2)}x; issue 22 asks >= 0.8x); ${fmt(pushRes.pointsPerRun)} points a run, ` +
    `VictoriaMetrics inserted ${fmt(pushRes.rowsPerRun)} rows a run over ${pushRes.runs} runs`);
}
if (gz) console.log(`gzipped family: ${fmt(gz.gz.linesPerSec)} lines/s against ${fmt(gz.plain.linesPerSec)} for the plain log: ${fmt(gz.ratio, 2)}x (median over alternate runs; target >= 0.85), output ${gz.identical ? 'byte-identical' : 'DIFFERENT'}`);
if (distinctRes) {
  console.log(`distinct: seed config + one distinct reference on the request id / seed config alone = ${fmt(distinctRes.ratio, 2)}x the lines/s ` +
    `(median over alternate runs; ratio of the medians ${fmt(distinctRes.distinct.linesPerSec / distinctRes.plain.linesPerSec, 2)}x; issue 24 asks >= 0.85x)`);
}
if (distinctKeysRes) {
  const k = distinctKeysRes;
  console.log(`distinct keys: ${fmt(k.keys)} keys x ${k.values} values, --once --dry-run: peak RSS ${fmt(k.distinct.rssMB)} MB (issue 24 asks < 400 MB), ` +
    `${fmt(k.distinct.points)} points; the same lines with a counter: ${fmt(k.counter.rssMB)} MB; ${fmt(k.bytesPerKeyOverCounter)} bytes a key more than a counter key`);
}
if (checkpointRes) {
  const c = checkpointRes;
  console.log(`checkpoint at ${fmt(c.keys)} keys (one meter each, limits raised): while ${fmt(c.rate)} lines/s came for ${c.seconds} s, ` +
    `${c.steadyCuts} cuts, main-thread time per cut median ${fmt(c.steadyCutMedianSec * 1000)} ms, max ${fmt(c.steadyCutMaxSec * 1000)} ms ` +
    `(process CPU meanwhile: median ${fmt(c.steadyCutCpuMedianSec * 1000)} ms, max ${fmt(c.steadyCutCpuMaxSec * 1000)} ms; longest single pause ` +
    `${fmt(c.steadyPauseMaxSec * 1000)} ms); while the keys were first read: max ${fmt(c.buildCutMaxSec * 1000)} ms; state file ` +
    `${fmt(c.stateBytes / 1e6, 1)} MB; restore of ${fmt(c.restoredKeys)} keys ${fmt(c.restoreSec, 2)} s (main-thread CPU at its end ${fmt(c.restoreCpuSec, 2)} s)`);
}
if (cutCpuRes) {
  for (const r of cutCpuRes) {
    console.log(`checkpoint at ${fmt(r.keys)} keys, in process, main-thread CPU: a cut of every key ${fmt(r.fullMs)} ms; ` +
      `cuts after ${fmt(r.changed)} keys (at random) changed: ${r.incrementalMs.map((m) => fmt(m)).join(', ')} ms; restore ${fmt(r.restoreMs)} ms`);
  }
}
if (bombRes) {
  const b = bombRes;
  console.log(`cardinality bomb, --once, ${fmt(b.lines)} lines each a new id: exit ${b.code}, ${fmt(b.wall, 1)} s (${fmt(b.linesPerSec)} lines/s), ` +
    `peak RSS ${fmt(b.peakRssMB)} MB, ${fmt(b.series)} series, _other_ counts ${fmt(b.overflow)} lines, all series ${fmt(b.total)}; ` +
    `warning: ${b.warning ? `tag ${b.warning.tag}, example ${b.warning.example}` : 'none'}`);
}
if (liveBombRes) {
  const l = liveBombRes;
  console.log(`live bomb: ${fmt(l.rate)} new ids/s for ${l.seconds} s, state file on: RSS max ${fmt(l.rssMaxMB)} MB (middle third ${fmt(l.rssMiddleMaxMB)}, ` +
    `last third ${fmt(l.rssLastMaxMB)}), /healthz p50 ${fmt(l.healthzP50, 1)} ms, p99 ${fmt(l.healthzP99, 1)} ms, max ${fmt(l.healthzMax)} ms ` +
    `over ${fmt(l.probes)} probes; ${fmt(l.group?.keys)} keys, ${fmt(l.cuts)} cuts (max ${fmt(l.cutMaxSec * 1000)} ms)`);
}
if (process.env.BENCH_SAVE === '1') {
  const out = Object.fromEntries(results.map((r) => [r.name, r]));
  const { liveRes, keysRes } = perNode[0];
  if (liveRes) out.live = liveRes;
  if (keysRes) out.keys = keysRes;
  out.startup = { overWall: startupRes.overWall, overCpu: startupRes.overCpu };
  if (checkpointRes) out.checkpoint = checkpointRes;
  if (cutCpuRes) out.checkpointCpu = cutCpuRes;
  writeFileSync(baselineFile, JSON.stringify(out, null, 2) + '\n');
}
