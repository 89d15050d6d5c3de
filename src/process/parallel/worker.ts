// A parse worker: runs the groups' extractors over the batches it is sent, in order, and returns
// numbers and tag values. It keeps each file's context (filename_match groups, newest time for
// year inference); the engine sends every batch of a file to the same worker, so that context
// evolves exactly as it would on one thread.
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogGroup } from '../../config/types.js';
import type { BatchResult, Profiled, ToWorker, WorkerInit } from './protocol.js';
import { TupleIndex } from './tuples.js';

v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
const init = workerData as WorkerInit;
const stopProfile = init.profile ? await (await import('../../core/profile.js')).startProfile(init.profile) : null;
const { Extractor, Outcome } = await import('../../parse/extract.js');
type FileCtx = import('../../parse/extract.js').FileCtx;

const extractors = new Map<string, InstanceType<typeof Extractor>>();
const tuples = new Map<string, TupleIndex>();
const files = new Map<string, FileCtx>();

function setGroups(groups: LogGroup[]): void {
  extractors.clear();
  tuples.clear();
  for (const g of groups) {
    const ex = new Extractor(g);
    extractors.set(g.name, ex);
    tuples.set(g.name, new TupleIndex(ex.tagVals.length));
  }
  for (const k of [...files.keys()]) if (!extractors.has(k.slice(0, k.indexOf('\0')))) files.delete(k);
}

function fileCtx(group: string, path: string, ex: InstanceType<typeof Extractor>): FileCtx {
  const id = group + '\0' + path;
  let f = files.get(id);
  if (!f) {
    f = { path, extra: ex.fileExtra(path), newest: NaN };
    files.set(id, f);
  }
  return f;
}

setGroups(init.groups);

parentPort!.on('message', (m: ToWorker) => {
  if (m.kind === 'groups') { setGroups(m.groups); return; }
  if (m.kind === 'stop-profile') {
    const done: Profiled = { kind: 'profiled' };
    void (stopProfile ? stopProfile() : Promise.resolve()).then(() => parentPort!.postMessage(done));
    return;
  }
  const ex = extractors.get(m.group);
  if (m.kind === 'file-time') {
    if (ex) fileCtx(m.group, m.path, ex).newest = m.newest;
    return;
  }
  const res: BatchResult = { kind: 'result', seq: m.seq, matched: 0, nums: new Float64Array(0), tuples: [], tupleCount: 0, failed: [], opFails: [],
    valueFails: 0, negatives: 0, newest: NaN, skipped: false };
  if (!ex) { parentPort!.postMessage(res); return; }
  const file = fileCtx(m.group, m.path, ex);
  if (file.extra === null) { res.skipped = true; parentPort!.postMessage(res); return; }
  const lines = m.text.split('\n');
  if (lines.length !== m.count) throw new Error(`batch of ${m.count} lines arrived as ${lines.length}`);
  const R = ex.refs.length;
  const W = 3 + R;
  const ti = tuples.get(m.group)!;
  ti.begin();
  const nums = new Float64Array(lines.length * W);
  let k = 0;
  for (let i = 0; i < lines.length; i++) {
    const o = ex.extract(lines[i]!, file, m.wallSec);
    if (o !== Outcome.Matched) { res.failed.push(i, o); continue; }
    const t = ex.t;
    if (!(t <= file.newest)) file.newest = t;
    if (ex.valueFails + ex.negatives > 0) {
      res.valueFails += ex.valueFails;
      res.negatives += ex.negatives;
      res.opFails.push(i);
    }
    let p = k * W;
    nums[p++] = i;
    nums[p++] = t;
    nums[p++] = ti.index(ex.tagVals);
    const vals = ex.vals;
    for (let j = 0; j < R; j++) nums[p++] = vals[j]!;
    k++;
  }
  res.tuples = ti.strings;
  res.tupleCount = ti.count;
  res.matched = k;
  res.nums = k === lines.length ? nums : nums.slice(0, k * W);
  res.newest = file.newest;
  parentPort!.postMessage(res, [res.nums.buffer as ArrayBuffer]);
});
