// The catalogue of events: everything that goes wrong (or is worth telling) while the collector
// runs, each declared once with its log level, its message, the counters it bumps and how often it
// may be logged. One call, report(), counts, rate-limits and logs, so an event is never logged
// without being counted or counted without the same name, level and wording everywhere.
//
// To add an event:
//  1. add an entry to EVENTS below: `level`, `message` (a constant: variable parts go in fields),
//     `metrics` (names from metrics.ts; add the metric there first), `limit` ('second' or 'minute':
//     at most one line a second (a minute) per kind and `where`, the ones held back counted in the
//     next line's `suppressed`; 'once': once per kind and `where`; 'always': every one, for rare
//     events), and `warnIf` when a log group setting decides whether it is logged (it is always
//     counted);
//  2. where it happens, bind a source once (per group, file, pusher: the series are looked up then,
//     not per event): `const badDate = events.source('bad_date', { log_group, filename }, group)`;
//  3. on the event: `badDate.report(path, { line })` (or `report(where, fields, n)` for n at once).
// One-off events (config reload, shutdown) can use `events.report(kind, where, fields)`.
// Every line also passes the log's global rate limit (log.ts).
import type { Fields, Level, Logger } from './log.js';
import { METRICS, type MetricName } from './metrics.js';

/** What events need of the registry (selfstats/registry.ts): a counter series to bump. */
export interface Counters {
  counter(name: string, tags: Record<string, string | number>): { value: number };
}

/** Log group settings that turn an event's log line on (the event is counted regardless). */
export type WarnFlag = 'warn_on_regex_fail' | 'warn_on_operation_fail' | 'warn_on_out_of_order_time' | 'log_stale_metrics' | 'log_default_assign';

export interface EventDef {
  level: Level;
  message: string;
  metrics: readonly MetricName[];
  limit: 'second' | 'minute' | 'once' | 'always';
  warnIf?: WarnFlag;
  /** Name of the log field that carries `where` (default `file`). */
  whereField?: string;
}

export const EVENTS = {
  // parse/, process/: one line at a time
  bad_date: { level: 'warn', message: 'Date did not parse, line dropped', metrics: ['parse.date_failed', 'tail.line_failed'], limit: 'second', warnIf: 'warn_on_regex_fail' },
  date_range: { level: 'warn', message: 'Date before 1970, past 2106-02-07 (OpenTSDB\'s last second) or more than max_future_skew past the wall clock, line dropped', metrics: ['parse.date_failed', 'tail.line_failed'], limit: 'second', warnIf: 'warn_on_regex_fail' },
  regex_fail: { level: 'warn', message: 'Line did not match', metrics: ['tail.line_failed'], limit: 'second', warnIf: 'warn_on_regex_fail' },
  regex_timeout: { level: 'warn', message: 'A regex ran for too long on this line (a lookaround or backreference defeats V8\'s linear-time fallback); line dropped. regex_engine: re2 cannot run away', metrics: ['parse.regex_timeout', 'tail.line_failed'], limit: 'second' },
  value_failed: { level: 'warn', message: 'A value did not parse and was not recorded', metrics: ['parse.value_failed'], limit: 'second', warnIf: 'warn_on_operation_fail' },
  value_negative: { level: 'warn', message: 'A value went below 0 and was not recorded', metrics: ['parse.value_negative'], limit: 'second', warnIf: 'warn_on_operation_fail' },
  // Logged for the transforms with log_default_assign (the extractor knows which); always counted.
  default_assign: { level: 'warn', message: 'Transform assigned its default (log_default_assign)', metrics: ['parse.default_assigned'], limit: 'second' },
  out_of_order: { level: 'warn', message: 'Line older than its key\'s newest update', metrics: ['data_pool.line_out_of_order'], limit: 'second', warnIf: 'warn_on_out_of_order_time' },
  filename_mismatch: { level: 'warn', message: 'File matches the glob but not filename_match; skipped', metrics: [], limit: 'once' },
  worker_failed: { level: 'error', message: 'Parse worker failed', metrics: [], limit: 'always', whereField: 'where' },
  // datapool/
  stale_removed: { level: 'warn', message: 'Stale key removed', metrics: ['data_pool.key_stalled'], limit: 'second', warnIf: 'log_stale_metrics', whereField: 'log_group' },
  tag_values_full: { level: 'warn', message: 'Tag reached max_tag_values: its new values count as _other_', metrics: ['data_pool.tag_value_folded'], limit: 'once', whereField: 'log_group' },
  max_keys_reached: { level: 'warn', message: 'Group reached max_keys: updates that would create a key are dropped', metrics: ['data_pool.update_dropped'], limit: 'once', whereField: 'log_group' },
  // tail/
  line_too_long: { level: 'warn', message: 'line longer than max_line_bytes skipped', metrics: ['tail.line_too_long'], limit: 'second' },
  read_error: { level: 'warn', message: 'error reading file', metrics: ['tail.read_error'], limit: 'second' },
  rotation_error: { level: 'warn', message: 'error checking file rotation', metrics: ['tail.read_error'], limit: 'second' },
  open_failed: { level: 'warn', message: 'cannot open file', metrics: ['tail.open_failed'], limit: 'once', whereField: 'path' },
  inotify_limit: { level: 'warn', message: 'inotify limit reached: new files are watched by polling only', metrics: [], limit: 'once' },
  // input/ (journal, standard input)
  journal_line_too_long: { level: 'warn', message: 'journal entry with a MESSAGE longer than max_line_bytes skipped', metrics: ['tail.line_too_long'], limit: 'second' },
  journal_binary: { level: 'warn', message: 'journal entry with a binary MESSAGE (invalid UTF-8 or NUL bytes) read with U+FFFD for invalid bytes', metrics: ['journal.binary_message'], limit: 'second' },
  journal_no_message: { level: 'warn', message: 'journal entry without MESSAGE skipped', metrics: ['journal.no_message'], limit: 'second' },
  journal_stderr: { level: 'warn', message: 'journalctl says', metrics: [], limit: 'second' },
  journal_restart: { level: 'warn', message: 'journalctl ended while following; reading again after the last cursor', metrics: ['journal.restart'], limit: 'always' },
  journal_bad_cursor: { level: 'warn', message: 'journalctl does not accept the saved cursor; reading from the journal\'s start or end', metrics: ['journal.bad_cursor'], limit: 'always' },
  journal_directory_missing: { level: 'warn', message: 'journal directory does not exist or disappeared', metrics: ['journal.directory_missing'], limit: 'always', whereField: 'directory' },
  journal_bad_output: { level: 'warn', message: 'journalctl output is not in the export format', metrics: [], limit: 'always' },
  stdin_error: { level: 'warn', message: 'error reading standard input; taking it as its end', metrics: [], limit: 'once' },
  // output/
  point_rejected: { level: 'warn', message: 'point rejected by the server, dropped', metrics: ['pusher.send_errors'], limit: 'second', whereField: 'host' },
  batch_rejected: { level: 'warn', message: 'points rejected by the server, batch dropped', metrics: ['pusher.send_errors'], limit: 'second', whereField: 'host' },
  point_invalid: { level: 'warn', message: 'point not sendable, dropped', metrics: ['pusher.send_errors'], limit: 'second', whereField: 'host' },
  push_failed: { level: 'warn', message: 'push failed, retrying', metrics: ['pusher.send_errors'], limit: 'always', whereField: 'host' },
  push_failover: { level: 'warn', message: 'push failed, failing over to the next push_host', metrics: ['pusher.send_errors'], limit: 'always', whereField: 'host' },
  push_misconfigured: { level: 'error', message: 'push failed: configuration problem; points kept, retrying at the longest wait', metrics: ['pusher.send_errors'], limit: 'always', whereField: 'host' },
  push_misconfigured_failover: { level: 'error', message: 'push failed: configuration problem; failing over to the next push_host', metrics: ['pusher.send_errors'], limit: 'always', whereField: 'host' },
  dry_run_dropped: { level: 'warn', message: 'point not sendable, left out of the dry-run output', metrics: ['dry_run.point_dropped'], limit: 'second' },
  // selfstats/
  status_busy: { level: 'warn', message: 'Status endpoint at its connection cap: oldest idle connections closed', metrics: ['status.connection_dropped'], limit: 'minute', whereField: 'listen' },
  // state/
  // Logged once per error kind until a write succeeds again (the checkpointer keeps that state).
  state_write_failed: { level: 'error', message: 'Could not write the state file: the previous checkpoint stays in place; retrying', metrics: ['state.write_errors'], limit: 'always', whereField: 'state_file' },
  state_compact_failed: { level: 'error', message: 'Could not compact the state file: it keeps growing until a later try succeeds', metrics: ['state.write_errors'], limit: 'always', whereField: 'state_file' },
  // cmd/
  reload_failed: { level: 'error', message: 'Config reload failed; keeping the running config', metrics: [], limit: 'always', whereField: 'config' },
  settings_changed: { level: 'warn', message: 'Changes to settings take effect at the next restart', metrics: [], limit: 'always', whereField: 'config' },
  not_drained_kept: { level: 'warn', message: 'Output not drained at shutdown; unsent points are kept in the state file', metrics: [], limit: 'always', whereField: 'state_file' },
  not_drained_lost: { level: 'warn', message: 'Output not drained at shutdown; unsent points are lost (no state file)', metrics: [], limit: 'always', whereField: 'state_file' },
  forced_exit: { level: 'warn', message: 'Second signal: exiting now, without flushing', metrics: [], limit: 'always', whereField: 'signal' },
  fatal: { level: 'error', message: 'Fatal error', metrics: [], limit: 'always', whereField: 'where' },
} as const satisfies Record<string, EventDef>;

export type EventKind = keyof typeof EVENTS;

const FORGET_MS = 60_000;   // throttle entries idle this long are dropped (a bounded map)
const ONCE_MAX = 100_000;   // 'once' entries kept; beyond, the oldest are forgotten (and may warn again)

/** At most one pass per `everyMs` per key; pass() returns how many were held back since, or -1 to hold. */
export class Throttle {
  private readonly last = new Map<string, { at: number; held: number }>();
  private sweepAt = 0;

  constructor(private readonly now: () => number, private readonly everyMs = 1000) {}

  pass(key: string): number {
    const t = this.now();
    const e = this.last.get(key);
    if (e && t - e.at < this.everyMs) { e.held++; return -1; }
    const held = e?.held ?? 0;
    if (e) { e.at = t; e.held = 0; } else this.last.set(key, { at: t, held: 0 });
    if (t >= this.sweepAt) {
      this.sweepAt = t + FORGET_MS;
      for (const [k, x] of this.last) if (t - x.at >= Math.max(FORGET_MS, this.everyMs)) this.last.delete(k);
    }
    return held;
  }
}

/** Counts, rate-limits and logs events; one per process (its state is the rate limits'). */
export class Events {
  private readonly throttle: Throttle;
  private readonly slowThrottle: Throttle;
  private readonly seen = new Set<string>();

  /** `registry` null: a log-only context (main, before a run mode has its registry): events without metrics only. */
  constructor(private readonly registry: Counters | null, private readonly log: Logger, now: () => number = Date.now) {
    this.throttle = new Throttle(now);
    this.slowThrottle = new Throttle(now, 60_000);
  }

  /**
   * The event `kind` for one set of tags (a superset of its metrics' tags: each series takes its
   * own). `flags`: the log group's settings (or any object with the event's warnIf key).
   */
  source(kind: EventKind, tags: Record<string, string | number> = {}, flags?: Partial<Record<WarnFlag, boolean>>): EventSource {
    const def: EventDef = EVENTS[kind];
    const series = def.metrics.map((m) => {
      if (!this.registry) throw new Error(`event ${kind} is counted in ${m}: it needs a registry`);
      const own: Record<string, string | number> = {};
      for (const t of METRICS[m].tags) if (tags[t] !== undefined) own[t] = tags[t]!;
      return this.registry.counter(m, own);
    });
    const logged = def.warnIf === undefined || flags?.[def.warnIf] === true;
    // The log limits hold per kind, source and place: two groups (or tags) never silence each other.
    let scope = '';
    for (const k in tags) scope += '\0' + tags[k];
    return new EventSource(this, kind, def, series, logged, scope);
  }

  /** A one-off event: count and log. */
  report(kind: EventKind, where: string, fields?: Fields, tags?: Record<string, string | number>): void {
    this.source(kind, tags).report(where, fields);
  }

  /** @internal The log line for one event of `kind` at `where`, unless its limit holds it back. */
  emit(kind: EventKind, def: EventDef, where: string, fields: Fields | undefined, scope = ''): void {
    const key = kind + scope + '\0' + where;
    let suppressed = 0;
    if (def.limit === 'once') {
      if (this.seen.has(key)) return;
      if (this.seen.size >= ONCE_MAX) this.seen.delete(this.seen.values().next().value!);
      this.seen.add(key);
    } else if (def.limit !== 'always') {
      suppressed = (def.limit === 'second' ? this.throttle : this.slowThrottle).pass(key);
      if (suppressed < 0) return;
    }
    const f: Fields = { ...fields, kind };
    if (where !== '') f[def.whereField ?? 'file'] = where;
    if (suppressed) f.suppressed = suppressed;
    this.log[def.level](def.message, f);
  }
}

/**
 * Rate-limited warnings for the stages not yet moved to sources (kind, file, message written at the
 * call site; the caller counts): at most one a second per (kind, file), as report() does.
 */
export class WarnLimiter {
  private readonly throttle: Throttle;
  constructor(private readonly log: Logger, now: () => number = Date.now) {
    this.throttle = new Throttle(now);
  }

  warn(kind: string, file: string, msg: string, fields?: Fields): void {
    const suppressed = this.throttle.pass(kind + '\0' + file);
    if (suppressed < 0) return;
    this.log.warn(msg, suppressed ? { ...fields, kind, file, suppressed } : { ...fields, kind, file });
  }
}

/** One event kind bound to its series: report() costs one add per series when it is not logged. */
export class EventSource {
  constructor(
    private readonly events: Events,
    readonly kind: EventKind,
    private readonly def: EventDef,
    readonly series: ReadonlyArray<{ value: number }>,
    /** False when the group's warnIf setting is off: counted only. */
    readonly logged: boolean,
    private readonly scope = '',
  ) {}

  report(where: string, fields?: Fields, n = 1): void {
    for (let i = 0; i < this.series.length; i++) this.series[i]!.value += n;
    if (this.logged) this.events.emit(this.kind, this.def, where, fields, this.scope);
  }

  /** Logs (under the event's limit) without counting: for events counted where they happen in bulk (count()). */
  say(where: string, fields?: Fields): void {
    if (this.logged) this.events.emit(this.kind, this.def, where, fields, this.scope);
  }

  /** What the event's first series holds (its count so far). */
  get total(): number {
    return this.series[0]?.value ?? 0;
  }

  /** Counts without logging (a batch total whose lines were reported one by one, or not at all). */
  count(n: number): void {
    for (let i = 0; i < this.series.length; i++) this.series[i]!.value += n;
  }
}
