// Chooses where points go: stdout for --dry-run, else the pusher pool.
import type { Config } from '../config/types.js';
import type { CliOptions } from '../cmd/options.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../selfstats/registry.js';
import type { PointSink } from '../core/types.js';
import { DryRunSink } from './dryrun.js';
import { PusherPool } from './push/pool.js';

export interface Output {
  sink: PointSink;
  /** The pusher pool, unless --dry-run. */
  pool: PusherPool | null;
}

export function makeOutput(config: Config, o: CliOptions, log: Logger, registry: Registry): Output {
  if (o.dryRun) {
    const dropped = registry.counter('pusher.send_errors', { pusher_number: 'dry-run' });
    return { sink: new DryRunSink(process.stdout, config.settings.push_type, dropped), pool: null };
  }
  const pool = new PusherPool({ settings: config.settings, registry, log });
  return { sink: pool, pool };
}
