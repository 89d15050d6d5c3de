// The daemon: builds the stages in data-path order (output, engine, tailers), runs the wall-clock
// timers (quiet-log flush, internal stats, checkpoints), reloads on SIGHUP, and on a stop signal
// stops the stages in reverse order (shutdown.ts). The wall clock enters here and nowhere below.
import { hostname } from 'node:os';
import type { Config, LogGroup } from '../config/types.js';
import type { CliOptions } from './options.js';
import type { Logger } from '../core/log.js';
import type { Signals } from './signals.js';
import { loadConfig, formatIssues } from '../config/load.js';
import { Registry } from '../selfstats/registry.js';
import { pushRegistry } from '../selfstats/points.js';
import { serveStatus } from '../selfstats/serve.js';
import { LagTracker } from '../selfstats/lag.js';
import { Events } from '../core/events.js';
import { Engine } from '../process/engine.js';
import { Inputs } from '../input/inputs.js';
import { makeOutput } from '../output/make.js';
import { Checkpointer } from '../state/checkpointer.js';
import { shiftedClock } from '../core/clock.js';
import { systemScheduler } from '../core/scheduler.js';
import { firstTimeOf } from './firsttime.js';
import { closeStages, flushAndDrain, type RunStages } from './shutdown.js';

const CHECKPOINT_EVERY_MS = 5_000;
const QUIET_CHECK_MS = 1_000;

export async function runDaemon(initial: Config, o: CliOptions, log: Logger, signals: Signals): Promise<number> {
  let config = initial;
  const registry = new Registry();
  const clock = shiftedClock(o.assumeNow);
  const events = new Events(registry, log, clock);
  const { sink, pool } = await makeOutput(config, o, log, registry);
  const lag = new LagTracker(registry);
  const engine = new Engine(config, { log, registry, events, sink, threads: o.threads, profile: o.profile, wallClock: clock, onLag: (s) => lag.record(s) });
  const stateFile = o.stateFile ?? (o.dryRun ? '' : config.settings.state_file);

  const checkpointer = new Checkpointer({ events, file: stateFile, source: engine, sink, log, registry, wallClock: clock });
  checkpointer.restore(config);

  const tails = new Inputs(config.groups, {
    once: false, parseFromStart: o.parseFromStart, stdinOnly: o.input === '-',
    pollIntervalSec: config.settings.poll_interval,
    maxLineBytes: config.settings.max_line_bytes,
    restored: checkpointer.restored(),
    cursor: (group, source) => checkpointer.cursorOf(group, source),
    log,
    registry,
    scheduler: systemScheduler(clock),
    firstTime: firstTimeOf(config, clock),
    sink: (group, batch) => engine.handleBatch(group, batch),
  });

  checkpointer.attach(tails);
  const status = await serveStatus(config, { registry, events, engine, tails: tails.tails, pool, log });
  const stages: RunStages = { tails, engine, sink, checkpointer, status, events, stateFile };

  await tails.start();
  log.info('Collector started', { groups: config.groups.map((g) => g.name), group_count: config.groups.length, state_file: stateFile || null, dry_run: o.dryRun });

  const host = hostname();
  const timers = [
    setInterval(() => {
      lag.update();
      if (!tails.isBackpressured()) void engine.flushQuiet((g) => tails.isCaughtUp(g));
    }, QUIET_CHECK_MS),
    setInterval(() => {
      pushRegistry(registry, host, Math.floor(Date.now() / 1000), sink);
    }, config.settings.stats_interval * 1000),
    setInterval(() => void checkpointer.save(), CHECKPOINT_EVERY_MS),
  ];

  const reload = async () => {
    const { config: next, issues } = loadConfig(config.file);
    if (!next || issues.length) {
      events.report('reload_failed', config.file, { issues: formatIssues(issues).trim().split('\n') });
      return;
    }
    const kept = applyGroups(engine, config.groups, next.groups);
    if (JSON.stringify(next.settings) !== JSON.stringify(config.settings)) events.report('settings_changed', config.file);
    config = next;
    engine.groupsChanged();
    await tails.setGroups(config.groups);
    log.info('Config reloaded', { groups: config.groups.map((g) => g.name), group_count: config.groups.length, unchanged: kept });
  };
  // SIGHUPs that came during start-up are applied now, before anything else is awaited.
  await signals.onReload(reload);

  const signal = await Promise.race([signals.stopped, tails.done.then(() => 'input ended', (e: unknown) => {
    log.error('Input failed', { error: e instanceof Error ? e.message : String(e) });
    return 'input failed';
  })]);
  log.info('Stopping', { reason: signal });
  await signals.onReload(null);
  for (const t of timers) clearInterval(t);
  await tails.stop();
  const drained = await flushAndDrain(stages, Promise.resolve());
  await closeStages(stages, drained);
  return signal === 'input failed' ? 1 : 0;
}

/** Replaces the engine's groups that changed; returns the names of those kept as they were. */
function applyGroups(engine: Engine, before: readonly LogGroup[], after: readonly LogGroup[]): string[] {
  const old = new Map(before.map((g) => [g.name, g]));
  const kept: string[] = [];
  for (const g of after) {
    const o = old.get(g.name);
    if (o && sameGroup(o, g)) { kept.push(g.name); continue; }
    engine.removeGroup(g.name);
    engine.addGroup(g);
  }
  const names = new Set(after.map((g) => g.name));
  for (const name of old.keys()) if (!names.has(name)) engine.removeGroup(name);
  return kept;
}

/** Same settings; re_pieces (--test-parser's view of the regexes) carry config line numbers, which move when a group is added above. */
function sameGroup(a: LogGroup, b: LogGroup): boolean {
  const skip = (k: string, v: unknown) => (k === 're_pieces' ? undefined : v);
  return JSON.stringify(a, skip) === JSON.stringify(b, skip);
}
