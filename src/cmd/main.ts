// Dispatch: --check, --test-parser, --once, or the daemon. Returns the exit code
// (0 ok, 1 runtime failure, 2 config or usage error).
import { resolve } from 'node:path';
import { parseArgs, type CliOptions } from './options.js';
import { createLogger, type RootLogger } from '../core/log.js';
import { loadConfig, formatIssues } from '../config/load.js';
import type { Config } from '../config/types.js';
import { startProfile } from '../core/profile.js';
import { Events } from '../core/events.js';
import { Signals } from './signals.js';

export async function main(argv: string[], signals: Signals = Signals.install()): Promise<number> {
  const parsed = parseArgs(argv, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  if ('exit' in parsed) return parsed.exit;
  const o = parsed.options;
  // --check and --test-parser have nothing to flush: a signal ends them as it would by default.
  if (o.check || o.testParser !== undefined) signals.exitOnSignal();
  // `... --dry-run | head`: a closed stdout ends the run quietly, as for any Unix filter.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
  const log = createLogger({ pretty: o.console || process.stderr.isTTY === true });
  const events = new Events(null, log);
  signals.onForcedExit = (sig, code) => { events.report('forced_exit', sig, { exit_code: code }); log.flush(); };
  const stopProfile = o.profile ? await startProfile(o.profile) : null;
  try {
    return await run(o, log, signals);
  } catch (e) {
    events.report('fatal', '', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
    return 1;
  } finally {
    if (stopProfile) await stopProfile();
    log.flush();
  }
}

async function run(o: CliOptions, log: RootLogger, signals: Signals): Promise<number> {
  const file = resolve(o.config);
  const { config, issues } = loadConfig(file);
  if (o.check) {
    if (issues.length) {
      process.stdout.write(formatIssues(issues));
      return 2;
    }
    const { checkReport } = await import('./check.js');
    process.stdout.write(await checkReport(config!));
    return 0;
  }
  if (issues.length || !config) {
    process.stderr.write(formatIssues(issues));
    return 2;
  }
  if (o.testParser !== undefined) {
    const { runTestParser } = await import('./testparser/run.js');
    return runTestParser(config, o, log);
  }
  const usage = inputUsage(config, o);
  if (usage) {
    process.stderr.write(usage);
    return 2;
  }
  if (o.once) {
    const { runOnce } = await import('./once.js');
    return runOnce(config, o, log, signals);
  }
  const { runDaemon } = await import('./daemon.js');
  return runDaemon(config as Config, o, log, signals);
}

/**
 * --input with --once or the daemon: only "-" (every group reads standard input instead of its files
 * and journal), and not for a group whose date is the journal entry's (a piped line has none).
 */
function inputUsage(config: Config, o: CliOptions): string | null {
  if (o.input === undefined) return null;
  if (o.input !== '-') return `--input ${o.input}: with --once or the daemon only "-" (standard input) is read; list files in the group's files\n`;
  const dated = config.groups.filter((g) => g.date.source === 'journal').map((g) => `"${g.name}"`);
  if (dated.length === 0) return null;
  return `--input -: log group${dated.length > 1 ? 's' : ''} ${dated.join(', ')} take${dated.length > 1 ? '' : 's'} the date from the journal entry (date: {source: journal}), ` +
    'and lines from standard input have none: give the date in the line (date.position and format)\n';
}
