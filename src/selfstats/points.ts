// Internal metrics as points (spec section 9): every registry series becomes
// `logmetrics_collector.<name>` with its own tags plus host=<hostname>, stamped with the wall time
// the stats tick passes in (internal stats are the one place wall time is the point's time).
//
// A config of 10,000 groups registers some 110,000 series, all pushed every stats_interval: they go
// into the sink's own batch (begin/add, as the datapools write their keys), so --dry-run encodes
// them straight into bytes, with nothing kept per series between pushes. As Point objects, with each
// series' names and tags cached at its first push, the first push cost 740 ms of CPU and the next
// ones 120 ms; this way 110,000 series take about 60 ms each push.
import { sanitizeTagValue } from '../core/sanitize.js';
import type { Point, PointBatch, PointSink } from '../core/types.js';
import { PointList } from '../output/pointlist.js';
import { SELF_PREFIX, type Registry, type Series } from './registry.js';

/** A one-name list per series name: the batch's heads are looked up by list (a few dozen names). */
const nameLists = new Map<string, readonly string[]>();

/** Series handed to the sink at a time: one batch buffer, reused, instead of one that grows to 10 MB. */
const CHUNK = 2000;

/**
 * Writes every series into `batch`: one point each, its value plain (a non-finite one as 0).
 * `chunkDone` is called after every CHUNK series (and at the end) to take what the batch holds.
 */
export function writeRegistry(registry: Registry, host: string, ts: number, batch: PointBatch, chunkDone: () => void = () => {}): void {
  const hostTag = sanitizeTagValue(host);
  let n = 0;
  for (const s of registry.all()) {
    let names = nameLists.get(s.name);
    if (!names) nameLists.set(s.name, (names = [SELF_PREFIX + s.name]));
    let t = s.pushTags;
    if (!t || t.host !== hostTag) s.pushTags = t = { host: hostTag, tags: withHost(s, hostTag) };
    batch.begin(names, t.tags, ts);
    batch.add(0, Number.isFinite(s.value) ? s.value : 0, false);
    if (++n % CHUNK === 0) chunkDone();
  }
  chunkDone();
}

/** One push of the internal statistics into `sink`; false when the sink asks to wait (as write()). */
export function pushRegistry(registry: Registry, host: string, ts: number, sink: PointSink): boolean {
  const batch = sink.newBatch();
  let room = true;
  writeRegistry(registry, host, ts, batch, () => { if (batch.length > 0) room = sink.writeBatch(batch) && room; });
  return room;
}

export function registryPoints(registry: Registry, host: string, ts: number): Point[] {
  const list = new PointList();
  writeRegistry(registry, host, ts, list);
  return list.points();
}

/** The series' tag string with host= in its sorted place (a host tag of its own gives way). */
function withHost(s: Series, hostTag: string): string {
  const host = 'host=' + hostTag;
  if (s.tagString === '') return host;
  let before = '';
  let after = '';
  for (const k in s.tags) { // the registry keeps tags sorted by name
    if (k === 'host') continue;
    const kv = k + '=' + s.tags[k];
    if (k < 'host') before += before ? ' ' + kv : kv;
    else after += ' ' + kv;
  }
  return (before ? before + ' ' : '') + host + after;
}
