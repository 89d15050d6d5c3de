// A parse worker: runs the groups' extractors over the batches it is sent, in order, through the
// same per-line loop as the main thread (process/lines.ts), and returns each batch's result. It keeps
// each file's context (filename_match groups, newest time for year inference); the engine sends
// every batch of a file to the same worker, so that context evolves exactly as it would on one
// thread. It tells the watchdog which line it is on (see Watch in workers.ts).
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { LogGroup } from '../../config/types.js';
import type { BatchMessage, Profiled, ToWorker, WorkerInit } from './protocol.js';
import { SLOT, SLOTS } from './watch.js';

v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
const init = workerData as WorkerInit;
const stopProfile = init.profile ? await (await import('../../core/profile.js')).startProfile(init.profile) : null;
const { Extractor } = await import('../../parse/extract.js');
const { extractLines } = await import('../lines.js');
const { ResultEncoder, skippedResult } = await import('./protocol.js');
type FileCtx = import('../../parse/extract.js').FileCtx;

interface GroupCtx {
  ex: InstanceType<typeof Extractor>;
  enc: InstanceType<typeof ResultEncoder>;
  /** Whether the watchdog may cut this group's lines off (it has runaway regexes). */
  guarded: boolean;
}

const groups = new Map<string, GroupCtx>();
const files = new Map<string, FileCtx>();
const progress = new Int32Array(init.progress);
/** progress[SLOT.line] alone, for extractLines. */
const lineSlot = progress.subarray(SLOT.line, SLOT.line + 1);
if (progress.length !== SLOTS) throw new Error('progress slots do not match');

function setGroups(list: LogGroup[]): void {
  groups.clear();
  for (const g of list) {
    const ex = new Extractor(g, { maxFutureSkew: init.maxFutureSkew });
    groups.set(g.name, { ex, enc: new ResultEncoder(ex.refs.length, ex.tagVals.length), guarded: ex.runaway.length > 0 });
  }
  for (const k of [...files.keys()]) if (!groups.has(k.slice(0, k.indexOf('\0')))) files.delete(k);
}

function fileCtx(group: string, path: string, g: GroupCtx): FileCtx {
  const id = group + '\0' + path;
  let f = files.get(id);
  if (!f) {
    f = { path, extra: g.ex.fileExtra(path), newest: NaN };
    files.set(id, f);
  }
  return f;
}

function batch(m: BatchMessage): void {
  const g = groups.get(m.group);
  const file = g ? fileCtx(m.group, m.path, g) : null;
  if (!g || !file || file.extra === null) { parentPort!.postMessage(skippedResult(m.seq)); return; }
  const lines = m.text.split('\n');
  if (lines.length !== m.count) throw new Error(`batch of ${m.count} lines arrived as ${lines.length}`);
  progress[SLOT.seq] = m.seq;
  progress[SLOT.line] = -1;
  progress[SLOT.guarded] = g.guarded ? 1 : 0;
  g.enc.begin(lines.length);
  extractLines(g.ex, file, lines, m.wallSec, g.enc, lineSlot, m.skip);
  progress[SLOT.guarded] = 0;
  const res = g.enc.finish(m.seq, file.newest);
  parentPort!.postMessage(res, [res.nums.buffer as ArrayBuffer]);
}

setGroups(init.groups);

parentPort!.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'batch': batch(m); return;
    case 'groups': setGroups(m.groups); return;
    case 'file-time': {
      const g = groups.get(m.group);
      if (g) fileCtx(m.group, m.path, g).newest = m.newest;
      return;
    }
    case 'stop-profile': {
      const done: Profiled = { kind: 'profiled' };
      void (stopProfile ? stopProfile() : Promise.resolve()).then(() => parentPort!.postMessage(done));
    }
  }
});
