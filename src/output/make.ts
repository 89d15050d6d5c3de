// Chooses where points go: stdout for --dry-run, else the pusher pool.
import type { Config } from '../config/types.js';
import type { CliOptions } from '../cmd/options.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../selfstats/registry.js';
import type { PointSink } from '../core/types.js';
import type { MetricName } from '../core/metrics.js';
import { hostname } from 'node:os';
import { version } from '../core/version.js';
import { DryRunSink } from './dryrun.js';
import { TextDryRunSink } from './dryruntext.js';
import type { PusherPool } from './push/pool.js';

export interface Output {
  sink: PointSink;
  /** The pusher pool, unless --dry-run. */
  pool: PusherPool | null;
}

/**
 * The pusher pool and its transports (http, https, tls, net, dgram, dns) are imported only when
 * points are pushed: a --dry-run replay does not pay for loading them (start-up, issue 21).
 */
export async function makeOutput(config: Config, o: CliOptions, log: Logger, registry: Registry): Promise<Output> {
  if (o.dryRun) {
    const dropped = registry.counter('dry_run.point_dropped' satisfies MetricName); // its own counter: nothing was sent
    const type = config.settings.push_type;
    const sink = type === 'tsd' || type === 'tcollector'
      ? new DryRunSink(process.stdout, type, dropped) : new TextDryRunSink(process.stdout, type, dropped);
    return { sink, pool: null };
  }
  const { PusherPool } = await import('./push/pool.js');
  const pool = new PusherPool({ settings: config.settings, registry, log, origin: { host: hostname(), version: version() } });
  return { sink: pool, pool };
}
