// argv -> options. The only place that reads flags (spec section 10). Usage errors exit 2.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { version } from '../core/version.js';

export interface CliOptions {
  config: string;
  threads: number;
  console: boolean;
  dryRun: boolean;
  profile?: string;
  parseFromStart: boolean;
  stateFile?: string;
  once: boolean;
  testParser?: string;
  input?: string;
  showKeys: boolean;
  maxSamples: number;
  check: boolean;
  /** Pretend the wall clock reads this (ms since epoch): year inference of year-less dates in old logs. */
  assumeNow?: number;
}

export const DEFAULT_CONFIG = '/etc/logmetrics_collector.conf';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number of at least 0');
  return n;
}

function isoTime(v: string): number {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('must be a date and time such as 2026-01-15T12:00:00Z');
  return t;
}

export type ParseResult = { options: CliOptions } | { exit: number };

export function parseArgs(argv: string[], out: (s: string) => void, err: (s: string) => void): ParseResult {
  const cmd = new Command('logmetrics-collector')
    .description('Tails log files, turns lines into log-time statistics, pushes them to OpenTSDB or tcollector.')
    .version(version(), '--version', 'print the version and exit')
    .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG)
    .option('-j, --threads <n>', 'worker threads for parsing', positiveInt, 1)
    .option('-d, --console', 'human-readable log on stderr instead of JSON lines', false)
    .option('-D, --dry-run', 'print the lines that would be sent on stdout, send nothing', false)
    .option('-P, --profile <file>', 'write a CPU profile (.cpuprofile) to this file at exit')
    .option('--parse-from-start', 'read files present at start-up from their start', false)
    .option('--state-file <path>', 'checkpoint file (overrides settings.state_file; needed for --once/--dry-run checkpoints)')
    .option('--once', 'read every file from its start to its end, flush, exit', false)
    .option('--test-parser <group>', "run a group's regexes over its files (or --input) and report where lines fail")
    .option('--input <file>', 'with --test-parser: read this file instead of the group\'s files ("-" = stdin)')
    .option('--show-keys', 'with --test-parser: print the keys and values each line produces', false)
    .addOption(new Option('--max-samples <n>', 'with --test-parser: failing lines to show').argParser(nonNegativeInt).default(10))
    .addOption(new Option('--assume-now <time>', 'pretend the wall clock reads this time (ISO 8601) when inferring the year of year-less dates (replaying old syslog files)').argParser(isoTime))
    .option('--check', 'validate the configuration, report every problem, exit 0 or 2', false)
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });
  try {
    cmd.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return { exit: 0 };
      return { exit: 2 };
    }
    throw e;
  }
  const o = cmd.opts();
  return {
    options: {
      config: o.config, threads: o.threads, console: o.console, dryRun: o.dryRun, profile: o.profile,
      parseFromStart: o.parseFromStart, stateFile: o.stateFile, once: o.once, testParser: o.testParser,
      input: o.input, showKeys: o.showKeys, maxSamples: o.maxSamples, check: o.check, assumeNow: o.assumeNow,
    },
  };
}
