// --once: read every matching file from its start to its end, flush every dirty key, drain the
// output, exit 0. Also the replay half of --dry-run.
import type { Config } from '../config/types.js';
import type { CliOptions } from './options.js';
import type { Logger } from '../core/log.js';
import { Registry } from '../selfstats/registry.js';
import { Engine } from '../process/engine.js';
import { TailManager } from '../tail/tailer.js';
import { makeOutput } from '../output/make.js';
import { Checkpointer } from '../state/checkpointer.js';
import { serveStatus } from '../selfstats/serve.js';
import { startOnceProgress } from './progress.js';
import { shiftedClock } from '../core/clock.js';
import { systemScheduler } from '../core/scheduler.js';
import { firstTimeOf } from './firsttime.js';

export async function runOnce(config: Config, o: CliOptions, log: Logger): Promise<number> {
  const registry = new Registry();
  const { sink, pool } = makeOutput(config, o, log, registry);
  const engine = new Engine(config, { log, registry, sink, threads: o.threads, profile: o.profile, wallClock: shiftedClock(o.assumeNow) });
  // A replay never touches the daemon's state_file; it checkpoints only into --state-file.
  const checkpointer = new Checkpointer(o.stateFile ?? '', engine, sink, log);
  checkpointer.restore(config);
  const clock = shiftedClock(o.assumeNow);
  const tails = new TailManager(
    config.groups.map((g) => ({ name: g.name, globs: g.files, pollFile: g.poll_file, fromStart: true, maxFiles: g.max_files })),
    {
      pollIntervalSec: config.settings.poll_interval,
      maxLineBytes: config.settings.max_line_bytes,
      once: true,
      // Chunk boundaries decide how files interleave, so they must not depend on -j (the output
      // would). The tailer's 64 KB chunks measured as fast as bigger ones on one thread, with less memory.
      log,
      registry,
      sink: (group, batch) => engine.handleBatch(group, batch),
      restored: checkpointer.restored(),
      scheduler: systemScheduler(clock),
      firstTime: firstTimeOf(config, clock),
    },
  );
  checkpointer.attach(tails);
  const progress = await startOnceProgress(config, registry, process.stderr, () => tails.progress()); // stderr is a terminal: bytes, %, lines/s, ETA, file i/N
  const status = await serveStatus(config, { registry, engine, tails, pool, log });
  await tails.start();
  const timer = checkpointer.enabled ? setInterval(() => void checkpointer.save(), 5_000) : null;
  try { await tails.done; } finally { progress.stop(); if (timer) clearInterval(timer); }
  await engine.flushAll();
  await sink.flush();
  await checkpointer.save();
  await sink.close();   // after close: a tcp server's last error replies are read and counted
  log.info('Replay finished', summary(registry, !o.dryRun));
  await tails.stop();
  await engine.close();
  await status?.close();
  return 0;
}

/** Totals of the per-file and per-group counters, for the closing log line. */
function summary(registry: Registry, pushed: boolean): Record<string, number> {
  const names: Record<string, string> = {
    'tail.line_read': 'lines_read', 'tail.line_matched': 'lines_matched', 'tail.line_failed': 'lines_failed',
    'tail.line_too_long': 'lines_too_long', 'tail.byte_read': 'bytes_read', 'parse.date_failed': 'dates_failed',
    'parse.value_failed': 'values_unparsable', 'parse.value_negative': 'values_negative',
    'tail.file_skipped': 'files_skipped', 'tail.file_damaged': 'files_damaged',
    'tail.compressed_file_read': 'compressed_files_read', 'tail.byte_decompressed': 'bytes_decompressed',
  };
  // Pushed for real: the pushers' totals too (rejections are rate-limited in the log; this counts them all).
  if (pushed) Object.assign(names, { 'pusher.key_sent': 'points_sent', 'pusher.send_errors': 'send_errors' });
  const out: Record<string, number> = {};
  for (const k of Object.values(names)) out[k] = 0;
  for (const s of registry.all()) if (names[s.name]) out[names[s.name]!]! += s.value;
  return out;
}
