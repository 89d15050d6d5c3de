// Opening a decided file for reading, plain or compressed, at a content offset.
import { CompressedReader } from './compressed.js';
import type { GroupState } from './group.js';
import type { TailHost } from './host.js';
import { release, takeFd, type Probe } from './probe.js';
import { FileReader, type ContentReader } from './reader.js';

/** Opens the probed file at content offset `start` (logged with why); null when it cannot be (warned). */
export function openAt(host: TailHost, g: GroupState, pr: Probe, start: number, why: string): ContentReader | null {
  const opts = { ...host.readerOptions(pr.fsPath), fd: takeFd(pr) };
  const now = host.sched.now();
  try {
    let r: ContentReader;
    if (pr.format === 'plain') {
      r = FileReader.open(pr.path, opts, why === 'end' ? { from: 'end' } : { from: 'offset', offset: start }, undefined, now).reader;
      if (r.dev !== pr.dev || r.ino !== pr.ino) { r.close(); return null; } // replaced since the probe: the next scan decides again
    } else {
      r = new CompressedReader(pr.path, pr.format, opts, start, now);
    }
    const where = why === 'start' || why === 'end' ? `its ${why}` : why;
    host.log.info(`${r.format === 'plain' ? 'tailing' : 'reading compressed'} file from ${where}`,
      { group: g.cfg.name, path: pr.path, offset: start, ino: r.ino, ...(r.format !== 'plain' ? { format: r.format } : {}) });
    return r;
  } catch (e) {
    release(pr);
    host.events.skipped(g, pr.path, 'unreadable', { error: e instanceof Error ? e.message : String(e) });
    return null;
  }
}
