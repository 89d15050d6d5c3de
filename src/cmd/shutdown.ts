// The end of a run, daemon or --once (spec sections 5 and 8): push every dirty key, drain the
// output, write the state file, close the output, then the rest in reverse data-path order. Bounded
// where a stuck output (a TSD that does not read, a --dry-run stdout nobody reads) would otherwise
// hold the process forever.
import type { PointSink } from '../core/types.js';
import type { Events } from '../core/events.js';
import type { Engine } from '../process/engine.js';
import type { TailManager } from '../tail/tailer.js';
import type { Checkpointer } from '../state/checkpointer.js';
import type { StatusServer } from '../selfstats/status.js';

export const SHUTDOWN_FLUSH_MS = 10_000;
export const SHUTDOWN_CLOSE_MS = 2_000;

export interface RunStages {
  tails: TailManager;
  engine: Engine;
  sink: PointSink;
  checkpointer: Checkpointer;
  status: StatusServer | null;
  events: Events;
  /** '' when there is none. */
  stateFile: string;
}

/**
 * Pushes every dirty key and waits for the output to take them. Unbounded until `bound` resolves
 * (a stop signal; already resolved for a stop), then at most SHUTDOWN_FLUSH_MS more. False when the
 * output did not drain: the rest is handed to the sink without waiting (it is kept in the state
 * file, or lost without one).
 */
export async function flushAndDrain(s: RunStages, bound: Promise<unknown>): Promise<boolean> {
  // flushAll() itself waits for room in the output when the last dirty keys do not fit.
  const drained = (async () => { await s.engine.flushAll(); await s.sink.flush(); return true; })();
  const late = bound.then(() => delay(SHUTDOWN_FLUSH_MS)).then(() => false);
  if (await Promise.race([drained, late])) return true;
  s.engine.stopWaiting();
  await s.engine.flushAll();
  s.events.report(s.stateFile ? 'not_drained_kept' : 'not_drained_lost', s.stateFile, { pending: s.sink.pending().length });
  return false;
}

/** After flushAndDrain(): state file, output (`afterClose` runs then), tailers, status, workers. */
export async function closeStages(s: RunStages, drained: boolean, afterClose: () => void = () => {}): Promise<void> {
  await s.tails.stop();
  await s.checkpointer.save(true);
  await s.checkpointer.close();
  // after close: a tcp server's last error replies are read and counted
  const closed = await Promise.race([s.sink.close().then(() => true), delay(SHUTDOWN_CLOSE_MS).then(() => false)]);
  afterClose();
  // Writes still pending on a stuck output would keep the process alive forever: exit anyway once
  // the rest is closed.
  if (!drained || !closed) void delay(SHUTDOWN_CLOSE_MS).then(() => process.exit());
  await s.status?.close();
  await s.engine.close();
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
