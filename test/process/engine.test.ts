// The engine's ordering under -j: whatever order the parse workers answer in, and however the sink
// pushes back, the batches are applied in the order they were handed in, so the output is byte for
// byte the output of one thread. The workers here are a stand-in that extracts with the real code
// (Extractor, extractLines, ResultEncoder: what parallel/worker.ts runs) at once, in the order the
// batches are sent (as a real worker does, file by file), and answers in an order a seeded PRNG picks.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { Config, LogGroup } from '../../src/config/types.js';
import type { LineBatch, Point, PointBatch, PointSink } from '../../src/core/types.js';
import { silentLogger } from '../../src/core/log.js';
import { Engine } from '../../src/process/engine.js';
import { extractLines } from '../../src/process/lines.js';
import { ResultEncoder, skippedResult, type BatchResult } from '../../src/process/parallel/protocol.js';
import type { ParseWorkersOptions, WorkerPool } from '../../src/process/parallel/workers.js';
import { Extractor, type FileCtx } from '../../src/parse/extract.js';
import { LineWriter } from '../../src/output/format/opentsdb.js';
import { Registry } from '../../src/selfstats/registry.js';
import { Prng } from '../../src/stats/prng.js';
import { generate, seedConfig } from '../bench/gen.mjs';

const WALL_MS = Date.UTC(2026, 10, 23, 12);

/** Collects the dry-run bytes; says "full" now and then (seeded), and drains on the next turn. */
class MemorySink implements PointSink {
  out = '';
  private waiting: Promise<void> | null = null;
  constructor(private readonly rnd: Prng | null) {}
  newBatch(): PointBatch { return new LineWriter('tsd'); }
  writeBatch(b: PointBatch): boolean {
    this.out += (b as LineWriter).take().toString('utf8');
    return this.rnd === null || this.rnd.next() > 0.2;
  }
  write(points: Point[]): boolean { const w = new LineWriter('tsd'); for (const p of points) w.addPoint(p); return this.writeBatch(w); }
  waitDrain(): Promise<void> { return (this.waiting ??= new Promise<void>((r) => setImmediate(() => { this.waiting = null; r(); }))); }
  pending(): Point[] { return []; }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Parse "workers" on this thread: extract when sent, answer when the test says. */
class HeldWorkers implements WorkerPool {
  readonly held: BatchResult[] = [];
  private readonly ex = new Map<string, Extractor>();
  private readonly enc = new Map<string, ResultEncoder>();
  private readonly files = new Map<string, FileCtx>();
  constructor(readonly size: number, private readonly opts: ParseWorkersOptions) { this.setGroups(opts.groups); }
  busy(): void {}
  setGroups(groups: LogGroup[]): void {
    for (const g of groups) {
      const ex = new Extractor(g, { maxFutureSkew: this.opts.maxFutureSkew });
      this.ex.set(g.name, ex);
      this.enc.set(g.name, new ResultEncoder(ex.refs.length, ex.tagVals.length));
    }
  }
  fileTime(group: string, path: string, newest: number): void { this.file(group, path).newest = newest; }
  batch(seq: number, group: string, path: string, lines: readonly string[], wallSec: number): void {
    const ex = this.ex.get(group)!;
    const file = this.file(group, path);
    if (file.extra === null) { this.held.push(skippedResult(seq)); return; }
    const enc = this.enc.get(group)!;
    enc.begin(lines.length);
    extractLines(ex, file, lines, wallSec, enc);
    this.held.push(structuredClone(enc.finish(seq, file.newest)));
  }
  /** Answers one held result, picked by `rnd`. */
  answer(rnd: Prng): boolean {
    if (this.held.length === 0) return false;
    const [r] = this.held.splice(Math.floor(rnd.next() * this.held.length), 1);
    this.opts.onResult(r!);
    return true;
  }
  async close(): Promise<void> {}
  private file(group: string, path: string): FileCtx {
    const id = group + '\0' + path;
    let f = this.files.get(id);
    if (!f) { f = { path, extra: this.ex.get(group)!.fileExtra(path), newest: NaN }; this.files.set(id, f); }
    return f;
  }
}

function config(text: string): Config {
  const r = parseConfigText(text, '/x/engine.conf');
  expect(r.issues).toEqual([]);
  return r.config!;
}

/** The seed group over three files, and a second group of unix-stamped lines with a lookahead or not. */
function twoGroups(lookahead: boolean): Config {
  const seed = seedConfig(['/logs/a.log', '/logs/b.log', '/logs/c.log'], { push_type: 'tsd', state_file: '' }, { live_poll: true, stale_removal: true, stale_threshold_min: 1, send_duplicates: true });
  const re = lookahead ? String.raw`^(\d+)\s(?=\w)(\w+)\s(\d+)$` : String.raw`^(\d+)\s(\w+)\s(\d+)$`;
  const u = `,
  u: { files: ["/logs/u.log"], re: ['${re}'], expected_matches: 3, date: { position: 1, format: "unix" },
       key_prefix: "u", tags: { k: 2 }, metrics: { histogram: [ { key_suffix: "v", reference: [ [3, ""] ] } ] }, interval: 10 },
  settings:`;
  return config(seed.replace(/,\s*settings:/, () => u));
}

interface Fed { group: string; batch: LineBatch }

/** The input: the files' lines in batches of varied sizes, interleaved as a tailer would. */
let feed: Fed[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmc-engine-'));
  const logs: Record<string, string[]> = {};
  for (const [i, name] of ['a', 'b', 'c'].entries()) {
    await generate(join(dir, `${name}.log`), 4000, { seed: i + 1, perSecond: 20 });
    logs[name] = readFileSync(join(dir, `${name}.log`), 'utf8').split('\n').filter((l) => l);
  }
  const base = 1770523200;
  logs.u = Array.from({ length: 3000 }, (_, i) => `${base + Math.floor(i / 3) - (i % 17 === 0 ? 30 : 0)} k${i % 7} ${i % 50}`);
  logs.u[100] = 'no match here';
  const rnd = new Prng(11);
  const at: Record<string, number> = { a: 0, b: 0, c: 0, u: 0 };
  feed = [];
  for (;;) {
    const open = Object.keys(at).filter((k) => at[k]! < logs[k]!.length);
    if (open.length === 0) break;
    const k = open[Math.floor(rnd.next() * open.length)]!;
    const n = 1 + Math.floor(rnd.next() * 300);
    const lines = logs[k]!.slice(at[k], at[k]! + n);
    at[k]! += lines.length;
    feed.push({ group: k === 'u' ? 'u' : 'rest.api', batch: { path: `/logs/${k}.log`, lines, startOffset: 0, endOffset: 0, bytes: 0, skippedLong: 0 } });
  }
});

/** Feeds every batch; while the engine holds reading back, answers held results one at a time. */
async function run(conf: Config, threads: number, seed: number | null): Promise<string> {
  const sink = new MemorySink(seed === null ? null : new Prng(seed));
  let pool: HeldWorkers | null = null;
  const rnd = new Prng(seed ?? 1);
  const engine = new Engine(conf, {
    log: silentLogger, registry: new Registry(), sink, threads, wallClock: () => WALL_MS, maxFutureSkew: 86400,
    workerPool: (n, o) => (pool = new HeldWorkers(n, o)),
  });
  for (const { group, batch } of feed) {
    const w = engine.handleBatch(group, batch);
    if (pool && rnd.next() < 0.3) (pool as HeldWorkers).answer(rnd);
    if (!w) continue;
    let done = false;
    void w.then(() => { done = true; });
    while (!done) {
      if (!pool || !(pool as HeldWorkers).answer(rnd)) await new Promise((r) => setImmediate(r));
      await Promise.resolve();
    }
  }
  const flushed = engine.flushAll();
  while (pool && (pool as HeldWorkers).answer(rnd)) await new Promise((r) => setImmediate(r));
  await flushed;
  await engine.close();
  return sink.out;
}

describe('engine ordering under -j', () => {
  it('applies worker results in batch order whatever order they come back in: same bytes as one thread', async () => {
    const conf = twoGroups(false);
    const one = await run(conf, 1, null);
    expect(one.split('\n').length).toBeGreaterThan(5000);
    for (const seed of [1, 2, 3]) expect(await run(conf, 3, seed)).toBe(one);
  });

  it('-j 1 with a group whose regex could run away: that group goes to a worker, the other waits its turn here', async () => {
    const plain = await run(twoGroups(false), 1, null);
    const conf = twoGroups(true);
    const engineWorkers: number[] = [];
    const probe = new Engine(conf, { log: silentLogger, registry: new Registry(), sink: new MemorySink(null), threads: 1,
      workerPool: (n, o) => { engineWorkers.push(n); return new HeldWorkers(n, o); } });
    await probe.close();
    expect(engineWorkers).toEqual([1]);
    for (const seed of [4, 5]) expect(await run(conf, 1, seed)).toBe(plain);
  });

  it('a file time restored from a checkpoint keeps filename_match for a group extracted here, and reaches the worker for one extracted there', async () => {
    const conf = config(`{
  here: { files: ["/logs/*.log"], filename_match: '/(\\w+)\\.log$', re: ['^(\\d+)\\s(\\w+)$'], expected_matches: 2,
    date: { position: 1, format: "unix" }, key_prefix: "h", tags: { f: 3 }, metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } },
  there: { files: ["/logs/*.log"], re: ['^(\\d+)\\s(?=\\w)(\\w+)$'], expected_matches: 2,
    date: { position: 1, format: "unix" }, key_prefix: "t", metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } },
  settings: { push_type: "tsd", state_file: "" } }`);
    let pool: HeldWorkers | null = null;
    const sink = new MemorySink(null);
    const engine = new Engine(conf, { log: silentLogger, registry: new Registry(), sink, threads: 1, wallClock: () => WALL_MS,
      workerPool: (n, o) => (pool = new HeldWorkers(n, o)) });
    engine.restoreFileTime('here', '/logs/web.log', 1770523100);
    engine.restoreFileTime('there', '/logs/web.log', 1770523100);
    expect(engine.groups.get('here')!.files.get('/logs/web.log')).toMatchObject({ extra: ['web'], newest: 1770523100, skipped: false });
    expect((pool as unknown as { files: Map<string, FileCtx> }).files.get('there\0/logs/web.log')!.newest).toBe(1770523100);
    const batch = (lines: string[]): LineBatch => ({ path: '/logs/web.log', lines, startOffset: 0, endOffset: 0, bytes: 0, skippedLong: 0 });
    engine.handleBatch('here', batch(['1770523200 a']));
    engine.handleBatch('there', batch(['1770523200 a']));
    while ((pool as HeldWorkers | null)?.answer(new Prng(1))) await Promise.resolve();
    await engine.flushAll();
    await engine.close();
    expect(sink.out.split('\n').sort().filter((l) => l)).toEqual(['put h.n.count 1770523200 1 f=web', 'put t.n.count 1770523200 1']);
  });
});
