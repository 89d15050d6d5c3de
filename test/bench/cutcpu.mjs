// The checkpoint's own cost, in process, by main-thread CPU time (/proc/self/task/<pid>/stat, which
// a loaded host does not inflate as it does wall time): `keys` meter keys, one cut of every key (a
// new file with nothing to start from), then cuts after `changed` of the keys changed each, then a
// restore of the file into fresh pools. node test/bench/cutcpu.mjs [keys] [changed]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = process.env.KEYMEM_ROOT ?? resolve(new URL('../..', import.meta.url).pathname);
const dist = (p) => import(join(root, 'build/dist', p));

/** Main-thread CPU so far, ms (10 ms ticks). */
const mainCpu = () => {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

export async function cutCpu({ keys = 1_000_000, changed = 100_000, cuts = 3 } = {}) {
  const { parseConfigText } = await dist('config/load.js');
  const { GroupPool } = await dist('datapool/pool.js');
  const { Registry } = await dist('selfstats/registry.js');
  const { Checkpointer } = await dist('state/checkpointer.js');
  const { PointList } = await dist('output/pointlist.js');
  const text = `{ g: { files: ["/x"], re: ['^(\\\\S+)\\\\sid=(\\\\S+)'], expected_matches: 2, date: { position: 1, format: "rfc3339" },
    key_prefix: k, tags: { id: 2 }, metrics: { meter: [ { key_suffix: hits, reference: [ [0, ""] ] } ] },
    max_tag_values: ${2 * keys}, max_keys: ${2 * keys}, interval: 1000000 }, settings: { state_file: "" } }`;
  const { config } = parseConfigText(text, '/tmp/cutcpu.conf');
  const g = config.groups[0];
  const log = { debug() {}, info() {}, warn() {}, error(m, f) { console.error(m, f); } };
  const source = () => {
    const registry = new Registry();
    const pools = new Map([[g.name, new GroupPool(g, registry, new PointList(), { log })]]);
    return { registry, pools, datapools: () => [...pools.values()], datapool: (n) => pools.get(n), addGroup() {},
      atCut: async (fn) => fn(), fileTimes: () => new Map(), restoreFileTime() {} };
  };
  const dir = mkdtempSync(join(tmpdir(), 'lmc-cutcpu-'));
  const file = join(dir, 'state');
  try {
    const a = source();
    const pool = a.pools.get('g');
    const one = Float64Array.of(1);
    const id = (i) => `r${i.toString(36)}x${(i * 7919 % 1000003).toString(36)}`;
    for (let i = 0; i < keys; i++) pool.record([id(i)], 1000 + i / keys, one);
    const cp = new Checkpointer({ file, source: a, sink: { pending: () => [], write() {} }, log, registry: a.registry });
    cp.restore(config);
    cp.attach({ positions: () => [] });
    globalThis.gc?.();
    let c = mainCpu();
    await cp.save();
    const fullMs = mainCpu() - c;
    const incrementalMs = [];
    for (let k = 0; k < cuts; k++) {
      for (let n = 0; n < changed; n++) { const i = (k * changed + n) * 104729 % keys; pool.record([id(i)], 2000 + k, one); }
      globalThis.gc?.(); // the garbage of the lines above is not the cut's
      c = mainCpu();
      await cp.save(true);
      incrementalMs.push(mainCpu() - c);
    }
    await cp.close();
    const b = source();
    const cp2 = new Checkpointer({ file, source: b, sink: { pending: () => [], write() {} }, log, registry: b.registry });
    c = mainCpu();
    cp2.restore(config);
    const restoreMs = mainCpu() - c;
    if (b.pools.get('g').keyCount !== keys) throw new Error(`restored ${b.pools.get('g').keyCount} keys, expected ${keys}`);
    return { keys, changed, fullMs, incrementalMs, restoreMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await cutCpu({ keys: Number(process.argv[2] ?? 1_000_000), changed: Number(process.argv[3] ?? 100_000) })));
}
