// Chooses where points go: stdout for --dry-run, else the pusher pool.
import type { Config } from './config/types.js';
import type { CliOptions } from './options.js';
import type { Logger } from './log.js';
import type { Registry } from './selfstats/registry.js';
import type { PointSink } from './types.js';
import { DryRunSink } from './output/dryrun.js';

export function makeSink(config: Config, o: CliOptions, log: Logger, registry: Registry): PointSink {
  if (o.dryRun) return new DryRunSink(process.stdout, config.settings.push_type, registry.counter('pusher.dropped', { pusher_number: 'dry-run' }));
  void log;
  throw new Error('pushers are not wired yet');
}
