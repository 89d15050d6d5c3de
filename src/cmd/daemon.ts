// The daemon: builds the stages in data-path order (output, engine, tailers), runs the wall-clock
// timers (quiet-log flush, internal stats, checkpoints), handles signals, and stops the stages in
// reverse order. The wall clock enters here and nowhere below.
import { hostname } from 'node:os';
import type { Config, LogGroup } from '../config/types.js';
import type { CliOptions } from './options.js';
import type { Logger } from '../core/log.js';
import { loadConfig, formatIssues } from '../config/load.js';
import { Registry } from '../selfstats/registry.js';
import { registryPoints } from '../selfstats/points.js';
import { serveStatus } from '../selfstats/serve.js';
import { LagTracker } from '../selfstats/lag.js';
import { Engine } from '../process/engine.js';
import { TailManager, type TailGroup } from '../tail/tailer.js';
import { makeOutput } from '../output/make.js';
import { Checkpointer } from '../state/checkpointer.js';
import { shiftedClock } from '../core/clock.js';
import { systemScheduler } from '../core/scheduler.js';
import { firstTimeOf } from './firsttime.js';

const CHECKPOINT_EVERY_MS = 5_000;
const QUIET_CHECK_MS = 1_000;
const SHUTDOWN_FLUSH_MS = 10_000;
const SHUTDOWN_CLOSE_MS = 2_000;

export function tailGroups(config: Config, o: CliOptions): TailGroup[] {
  return config.groups.map((g) => ({ name: g.name, globs: g.files, pollFile: g.poll_file, fromStart: g.parse_from_start || o.parseFromStart, maxFiles: g.max_files }));
}

export async function runDaemon(initial: Config, o: CliOptions, log: Logger): Promise<number> {
  let config = initial;
  const registry = new Registry();
  const { sink, pool } = makeOutput(config, o, log, registry);
  const lag = new LagTracker(registry);
  const clock = shiftedClock(o.assumeNow);
  const engine = new Engine(config, { log, registry, sink, threads: o.threads, profile: o.profile, wallClock: clock, onLag: (s) => lag.record(s) });
  const stateFile = o.stateFile ?? (o.dryRun ? '' : config.settings.state_file);

  const checkpointer = new Checkpointer(stateFile, engine, sink, log);
  checkpointer.restore(config);

  const tails = new TailManager(tailGroups(config, o), {
    pollIntervalSec: config.settings.poll_interval,
    maxLineBytes: config.settings.max_line_bytes,
    once: false,
    restored: checkpointer.restored(),
    log,
    registry,
    scheduler: systemScheduler(clock),
    firstTime: firstTimeOf(config, clock),
    sink: (group, batch) => engine.handleBatch(group, batch),
  });

  checkpointer.attach(tails);
  const saveState = () => checkpointer.save();

  const status = await serveStatus(config, { registry, engine, tails, pool, log });

  await tails.start();
  log.info('Collector started', { groups: config.groups.map((g) => g.name), state_file: stateFile || null, dry_run: o.dryRun });

  const host = hostname();
  const timers = [
    setInterval(() => {
      lag.update();
      if (!tails.isBackpressured()) void engine.flushQuiet((g) => tails.isCaughtUp(g));
    }, QUIET_CHECK_MS),
    setInterval(() => {
      sink.write(registryPoints(registry, host, Math.floor(Date.now() / 1000)));
    }, config.settings.stats_interval * 1000),
    setInterval(() => void saveState(), CHECKPOINT_EVERY_MS),
  ];

  const reload = async () => {
    const { config: next, issues } = loadConfig(config.file);
    if (!next || issues.length) {
      log.error('Config reload failed; keeping the running config', { issues: formatIssues(issues).trim().split('\n') });
      return;
    }
    const before = new Map(config.groups.map((g) => [g.name, g]));
    const kept: string[] = [];
    for (const g of next.groups) {
      const old = before.get(g.name);
      if (old && sameGroup(old, g)) { kept.push(g.name); continue; }
      engine.removeGroup(g.name);
      engine.addGroup(g);
    }
    for (const name of before.keys()) if (!next.groups.some((g) => g.name === name)) engine.removeGroup(name);
    if (JSON.stringify(next.settings) !== JSON.stringify(config.settings)) log.warn('Changes to settings take effect at the next restart');
    config = next;
    engine.groupsChanged();
    await tails.setGroups(tailGroups(config, o));
    log.info('Config reloaded', { groups: config.groups.map((g) => g.name), unchanged: kept });
  };

  const stopped = new Promise<string>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) process.once(sig, () => resolve(sig));
  });
  const onHup = () => { void reload(); };
  process.on('SIGHUP', onHup);

  const signal = await Promise.race([stopped, tails.done.then(() => 'tailer stopped', () => 'tailer failed')]);
  log.info('Stopping', { reason: signal });
  process.off('SIGHUP', onHup);
  for (const t of timers) clearInterval(t);
  await tails.stop();
  // Bounded: with the TSD down (or a --dry-run reader that does not read) the output never drains,
  // and flushAll() itself waits for room in the output when the last dirty keys do not fit.
  const drained = (async () => { await engine.flushAll(); await sink.flush(); return true; })();
  const flushed = await Promise.race([drained, delay(SHUTDOWN_FLUSH_MS).then(() => false)]);
  if (!flushed) {
    engine.stopWaiting();
    await engine.flushAll();
    log.warn(checkpointer.enabled ? 'Output not drained at shutdown; unsent points are kept in the state file'
      : 'Output not drained at shutdown; unsent points are lost (no state file)', { pending: sink.pending().length });
  }
  await saveState();
  const closed = await Promise.race([sink.close().then(() => true), delay(SHUTDOWN_CLOSE_MS).then(() => false)]);
  // A stuck output (a TSD that does not read, a --dry-run stdout nobody reads) has writes pending
  // that would keep the process alive forever: exit anyway once the rest is closed.
  if (!flushed || !closed) delay(SHUTDOWN_CLOSE_MS).then(() => process.exit());
  await status?.close();
  await engine.close();
  return signal === 'tailer failed' ? 1 : 0;
}

function sameGroup(a: LogGroup, b: LogGroup): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
