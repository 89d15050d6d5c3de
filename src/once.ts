// --once: read every matching file from its start to its end, flush every dirty key, drain the
// output, exit 0. Also the replay half of --dry-run.
import type { Config } from './config/types.js';
import type { CliOptions } from './options.js';
import type { Logger } from './log.js';
import { Registry } from './selfstats/registry.js';
import { Engine } from './engine.js';
import { TailManager } from './tail/tailer.js';
import { makeOutput } from './sinks.js';
import { startOnceProgress } from './progress.js';

export async function runOnce(config: Config, o: CliOptions, log: Logger): Promise<number> {
  const registry = new Registry();
  const { sink } = makeOutput(config, o, log, registry);
  const engine = new Engine(config, { log, registry, sink, threads: o.threads, wallClock: wallClock(o) });
  const tails = new TailManager(
    config.groups.map((g) => ({ name: g.name, globs: g.files, pollFile: g.poll_file, fromStart: true })),
    {
      pollIntervalSec: config.settings.poll_interval,
      maxLineBytes: config.settings.max_line_bytes,
      once: true,
      log,
      registry,
      sink: (group, batch) => engine.handleBatch(group, batch),
    },
  );
  const progress = await startOnceProgress(config, registry); // stderr is a terminal: bytes, %, lines/s, ETA
  await tails.start();
  try { await tails.done; } finally { progress.stop(); }
  await engine.flushAll();
  await sink.flush();
  await sink.close();
  await tails.stop();
  await engine.close();
  return 0;
}

export function wallClock(o: CliOptions): (() => number) | undefined {
  if (o.assumeNow === undefined) return undefined;
  const offset = o.assumeNow - Date.now();
  return () => Date.now() + offset;
}
