// Starts the status endpoint (settings.status_listen) for a run, daemon or --once.
import type { Config } from '../config/types.js';
import type { Logger } from '../core/log.js';
import type { Events } from '../core/events.js';
import type { Registry } from './registry.js';
import type { Engine } from '../process/engine.js';
import type { TailManager } from '../tail/tailer.js';
import type { PusherPool } from '../output/push/pool.js';

export interface StatusParts {
  registry: Registry;
  events: Events;
  engine: Engine;
  tails: TailManager;
  pool: PusherPool | null;
  log: Logger;
}

export async function serveStatus(config: Config, parts: StatusParts) {
  const listen = config.settings.status_listen;
  if (!listen) return null;
  const { registry, engine, tails, pool, log } = parts;
  // Loaded only when asked for: node:http is a fair part of a replay's start-up (issue 21).
  const { startStatusServer } = await import('./status.js');
  const busy = parts.events.source('status_busy');
  const server = await startStatusServer(listen, {
    registry,
    files: () => tails.files(),
    shards: () => engine.datapools().flatMap((p) => p.counts(0).shards.map((keys, shard) => ({ log_group: p.group.name, shard, keys }))),
    groups: () => engine.datapools().map((p) => p.counts()),
    pushers: () => pool?.status() ?? [],
    queueDepth: () => pool?.depth() ?? 0,
    healthy: () => (pool ? pool.canSend() : true),
    dropped: (n) => busy.report(listen, undefined, n),
  });
  log.info('Status endpoint listening', { listen, port: server.port });
  return server;
}
