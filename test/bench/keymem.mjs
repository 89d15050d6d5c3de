// Bytes per key, measured in-process: one log group with one line tag and one metric reference, N
// distinct tag values recorded once each (plus `values` values per histogram key), then the V8 heap
// and the memory outside it (typed-array backing stores) after a full GC, over N. Run with
// --expose-gc: node --expose-gc test/bench/keymem.mjs [meter|histogram|counter|hdr|distinct] [N] [values]
// (distinct: `values` different values per key, as extraction records them: their hash53()).
// KEYMEM_DAYS=2 records them again a day later (a distinct key's window and total then apart).
import { join, resolve } from 'node:path';

const root = process.env.KEYMEM_ROOT ?? resolve(new URL('../..', import.meta.url).pathname);
const dist = (p) => import(join(root, 'build/dist', p));
const { parseConfigText } = await dist('config/load.js');
const { GroupPool } = await dist('datapool/pool.js');
const { Registry } = await dist('selfstats/registry.js');
const { hash53 } = await dist('stats/hash64.js');
const DAYS = Number(process.env.KEYMEM_DAYS ?? 1);

/** A batch that counts and forgets the points pushed into it. */
class NullBatch {
  length = 0; lastTs = 0;
  begin(_n, _t, ts) { this.lastTs = ts; }
  add() { this.length++; }
  points() { this.length = 0; return []; }
}

export function groupConfig(kind, extra = '') {
  const type = kind === 'hdr' ? 'histogram' : kind;
  return `{
  g: {
    files: ["/nonexistent.log"],
    re: [ '^(\\S+)\\sid=(\\S+)\\sv=(\\d+)' ],
    expected_matches: 3,
    date: { position: 1, format: "rfc3339" },
    key_prefix: "bomb",
    tags: { id: 2 },
    metrics: { ${type}: [ { key_suffix: "x", reference: [ [3, ""] ] } ] },
    histogram_kind: ${kind === 'hdr' ? 'hdr' : 'forward_decay'},
    interval: 1000000
    ${extra}
  },
  settings: { state_file: "" }
}`;
}

export function measure(kind, n, values = 1, extra = '') {
  // Limits raised past n (a build without them rejects the keys: then without).
  let { config, issues } = parseConfigText(groupConfig(kind, `, max_tag_values: ${n + 1}, max_keys: ${n + 1}` + extra), '/tmp/keymem.conf');
  if (!config) ({ config, issues } = parseConfigText(groupConfig(kind, extra), '/tmp/keymem.conf'));
  if (!config) throw new Error(JSON.stringify(issues));
  const group = config.groups[0];
  const mem = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return { heap: m.heapUsed, ext: m.external, rss: m.rss }; };
  const before = mem();
  const pool = new GroupPool(group, new Registry(), new NullBatch());
  const vals = new Float64Array(1);
  const t0 = Date.UTC(2026, 1, 8) / 1000;
  for (let i = 0; i < n; i++) {
    const id = 'req-' + (1e9 + i * 7919).toString(36) + '-' + i.toString(16);
    for (let d = 0; d < DAYS; d++) {
      for (let j = 0; j < values; j++) {
        vals[0] = kind === 'distinct' ? hash53(`10.${i & 255}.${(i >> 8) & 255}.${j}`) : (i * 31 + j * 17) % 1000;
        pool.record([id], t0 + d * 86400 + i / 1000, vals);
      }
    }
  }
  const after = mem();
  const keys = pool.keyCount;
  if (keys !== n) throw new Error(`${keys} keys, expected ${n}`);
  return { kind, keys, values, heapPerKey: (after.heap - before.heap) / n, externalPerKey: (after.ext - before.ext) / n,
    totalPerKey: (after.heap + after.ext - before.heap - before.ext) / n, pool };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (typeof globalThis.gc !== 'function') { console.error('run with node --expose-gc'); process.exit(2); }
  const kind = process.argv[2] ?? 'meter';
  const n = Number(process.argv[3] ?? 100_000);
  const values = Number(process.argv[4] ?? 1);
  const r = measure(kind, n, values);
  delete r.pool;
  console.log(JSON.stringify(r));
}
