// --once: read every matching file from its start to its end (then each journal group's journal,
// then standard input: input/inputs.ts), flush every dirty key, drain the output, exit 0. Also the replay half of --dry-run. A stop signal (SIGTERM, SIGINT, SIGQUIT) ends
// the reading where it is and then does the same: what was read is pushed, and the run exits 0.
import type { Config } from '../config/types.js';
import type { CliOptions } from './options.js';
import type { Logger } from '../core/log.js';
import type { Signals } from './signals.js';
import { Registry } from '../selfstats/registry.js';
import { Events } from '../core/events.js';
import type { MetricName } from '../core/metrics.js';
import { Engine } from '../process/engine.js';
import { Inputs } from '../input/inputs.js';
import { makeOutput } from '../output/make.js';
import { Checkpointer } from '../state/checkpointer.js';
import { serveStatus } from '../selfstats/serve.js';
import { startOnceProgress } from './progress.js';
import { shiftedClock } from '../core/clock.js';
import { systemScheduler } from '../core/scheduler.js';
import { firstTimeOf } from './firsttime.js';
import { closeStages, flushAndDrain } from './shutdown.js';

export async function runOnce(config: Config, o: CliOptions, log: Logger, signals: Signals): Promise<number> {
  const registry = new Registry();
  const clock = shiftedClock(o.assumeNow);
  const events = new Events(registry, log, clock);
  const { sink, pool } = await makeOutput(config, o, log, registry);
  // Old logs are replayed at any date: the future-date window applies only against --assume-now.
  const maxFutureSkew = o.assumeNow === undefined ? Infinity : config.settings.max_future_skew;
  const engine = new Engine(config, { log, registry, events, sink, threads: o.threads, profile: o.profile, wallClock: clock, maxFutureSkew });
  // A replay never touches the daemon's state_file; it checkpoints only into --state-file.
  const stateFile = o.stateFile ?? '';
  const checkpointer = new Checkpointer({ events, file: stateFile, source: engine, sink, log, registry, wallClock: clock });
  checkpointer.restore(config);
  // Chunk boundaries decide how files interleave, so they must not depend on -j (the output would).
  // The tailer's 64 KB chunks measured as fast as bigger ones on one thread, with less memory.
  const tails = new Inputs(config.groups, {
    once: true, parseFromStart: true, stdinOnly: o.input === '-',
    pollIntervalSec: config.settings.poll_interval,
    maxLineBytes: config.settings.max_line_bytes,
    log,
    registry,
    sink: (group, batch) => engine.handleBatch(group, batch),
    restored: checkpointer.restored(),
    scheduler: systemScheduler(clock),
    firstTime: firstTimeOf(config, clock),
    cursor: (group, source) => checkpointer.cursorOf(group, source),
  });
  checkpointer.attach(tails);
  const progress = await startOnceProgress(config, registry, process.stderr, () => tails.progress()); // stderr is a terminal: bytes, %, lines/s, ETA, file i/N
  const status = await serveStatus(config, { registry, events, engine, tails: tails.tails, pool, log });
  const stages = { tails, engine, sink, checkpointer, status, events, stateFile };
  void signals.onReload(async () => log.info('SIGHUP ignored: --once does not reload the config'));
  await tails.start();
  const timer = checkpointer.enabled ? setInterval(() => void checkpointer.save(), 5_000) : null;
  let stopped: string | null = null;
  let failed: unknown = null;
  try {
    stopped = await Promise.race([tails.done.then(() => null, (e: unknown) => { failed = e; return 'input failed'; }), signals.stopped]);
  } finally {
    progress.stop();
    if (timer) clearInterval(timer);
  }
  if (failed !== null) log.error('Input failed', { pushed: 'what was read', error: failed instanceof Error ? failed.message : String(failed) });
  if (stopped) {
    log.info('Stopping', { reason: stopped });
    await tails.stop();
  }
  // Read to the end: drain for as long as it takes, unless a stop signal bounds it.
  const drained = await flushAndDrain(stages, stopped ? Promise.resolve() : signals.stopped);
  await closeStages(stages, drained, () => log.info(stopped ? 'Replay interrupted' : 'Replay finished', summary(registry, !o.dryRun)));
  return failed !== null ? 1 : 0;
}

/** Totals of the per-file and per-group counters, for the closing log line. */
function summary(registry: Registry, pushed: boolean): Record<string, number> {
  const names: Partial<Record<MetricName, string>> = {
    'tail.line_read': 'lines_read', 'tail.line_matched': 'lines_matched', 'tail.line_failed': 'lines_failed',
    'tail.line_too_long': 'lines_too_long', 'tail.byte_read': 'bytes_read', 'parse.date_failed': 'dates_failed',
    'parse.value_failed': 'values_unparsable', 'parse.value_negative': 'values_negative', 'parse.regex_timeout': 'regex_timeouts',
    'tail.file_skipped': 'files_skipped', 'tail.file_damaged': 'files_damaged',
    'tail.compressed_file_read': 'compressed_files_read', 'tail.byte_decompressed': 'bytes_decompressed',
  };
  // Pushed for real: the pushers' totals too (rejections are rate-limited in the log; this counts them all).
  if (pushed) Object.assign(names, { 'pusher.key_sent': 'points_sent', 'pusher.send_errors': 'send_errors' });
  const out: Record<string, number> = {};
  for (const k of Object.values(names)) out[k] = 0;
  const named = names as Record<string, string | undefined>;
  for (const s of registry.all()) if (named[s.name]) out[named[s.name]!]! += s.value;
  return out;
}
