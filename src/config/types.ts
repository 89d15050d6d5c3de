// The validated, defaulted configuration every stage receives. Produced only by config/load.ts;
// stages get their slice and never read YAML, flags or the environment themselves.

export type PushProto = 'tcp' | 'udp' | 'http';
export type PushType = 'tsd' | 'tcollector' | 'remote_write' | 'influx' | 'otlp';
export type RegexEngine = 'js' | 're2';
export type HistogramKind = 'forward_decay' | 'hdr';
export type MetricType = 'meter' | 'histogram' | 'counter' | 'distinct';
export type ValueFormat = 'int' | 'float';

export interface Settings {
  poll_interval: number;        // seconds between glob rescans
  log_facility: string;
  push_host: string[];          // fail over in order
  push_port: number;
  push_proto: PushProto;
  push_type: PushType;
  push_number: number;
  push_wait: number;            // seconds, doubles per failure, capped at 60
  stats_interval: number;       // wall seconds
  state_file: string;           // "" disables
  status_listen: string | null; // "host:port"
  queue_size: number;           // points
  max_line_bytes: number;
  max_future_skew: number;      // seconds a line's date may lie past the wall clock
  // HTTP targets (push_proto http, and push_type remote_write, influx, otlp): see config/httptarget.ts
  push_path: string;            // the type's default when not given ("" for tcp and udp)
  push_tls: boolean;
  push_tls_ca: string | null;   // absolute path of a PEM file
  push_tls_insecure: boolean;
  push_headers: Record<string, string>;
  push_basic_auth: BasicAuth | null;
  push_secret_file: string | null; // absolute path; its keys are merged into these settings
  push_influx_db: string | null;   // InfluxDB 1.x database (?db=)
  push_influx_org: string | null;  // InfluxDB 2 (/api/v2/write?org=&bucket=)
  push_influx_bucket: string | null;
  push_influx_token: string | null; // Authorization: Token ...
}

export interface BasicAuth {
  username: string;
  password: string;
}

export interface TransformOp {
  kind: 'replace' | 'match_or_default';
  regex: string;                // compiled as written
  arg: string;                  // template (replace) or default (match_or_default)
}

export interface Transform {
  position: number;
  replace_only_one: boolean;
  log_default_assign: boolean;
  operations: TransformOp[];
}

/** One `[position, "tag=value", {add, sub}]` of a metric's `reference` list. */
export interface Reference {
  position: number;             // 0 = whole line (adds 1 for meter/counter)
  tags: Array<[string, string]>;// the reference's own tags, in written order ("" gives none)
  add: number[];
  sub: number[];
}

export interface MetricDef {
  type: MetricType;
  key_suffix: string;
  format: ValueFormat;
  multiply: number;
  divide: number;
  never_stale: boolean;
  reference: Reference[];
  /** distinct only: minutes of log time a window lasts (divides a day, or whole days). */
  window_min?: number;
  /** distinct only: HyperLogLog precision p (2^p registers). */
  precision?: number;
}

/** A group tag: either the value of a match position, or a constant. */
export interface TagDef {
  name: string;
  position: number | null;
  value: string | null;          // constant (already sanitised) when position is null
}

export interface DateDef {
  /** 'journal': the journal entry's own time (position and format unused); absent: parsed from `position`. */
  source?: 'journal';
  position: number;
  format: string;               // Go layout, or 'unix' | 'unix_ms' | 'rfc3339'
  timezone: string;             // 'local' | 'UTC' | IANA name
}

/** A group's `journal` block (spec section 6). */
export interface JournalDef {
  matches: string[];            // journalctl matches: FIELD=value, or "+" between groups (OR)
  directory: string | null;     // absolute; null: the system journal
  fields: string[];             // entry fields as positions after the regex and filename_match groups
}

export interface LogGroup {
  name: string;
  files: string[];              // absolute globs, and "-" for standard input
  journal?: JournalDef;         // absent: no journal input
  filename_match: string | null;
  re: string[];                 // extended-style cleaned: what gets compiled
  re_pieces: RegexPiece[][];    // per regex, the pieces as written (for --test-parser)
  regex_engine: RegexEngine;
  expected_matches: number;
  date: DateDef;
  key_prefix: string;
  tags: TagDef[];               // sorted by name
  metrics: MetricDef[];
  histogram_kind: HistogramKind;
  transform: Transform[];       // in position order
  histogram_size: number;
  histogram_alpha_decay: number;
  histogram_rescale_threshold_min: number;
  ewma_interval: number;
  stale_removal: boolean;
  stale_threshold_min: number;
  send_duplicates: boolean;
  goroutines: number;
  poll_file: boolean;
  live_poll: boolean;
  interval: number;
  parse_from_start: boolean;
  warn_on_regex_fail: boolean;
  warn_on_operation_fail: boolean;
  warn_on_out_of_order_time: boolean;
  log_stale_metrics: boolean;
  max_files: number;            // files tailed at once; more are warned about and left alone
  max_tag_values: number;       // distinct values per line tag; new ones beyond become _other_
  max_keys: number;             // keys held; updates that would create more are dropped
}

/** One `\n`-separated piece of an extended-style regex. */
export interface RegexPiece {
  pattern: string;              // spaces removed, comment dropped
  comment: string;              // text after '#', trimmed, as written (spaces inside kept)
  line: number;                 // 1-based line in the config file where the piece starts
  /** Set when spaces stood between two tokens on one config line (removed: likely meant as `\s`): the text around the first. */
  spaced?: string;
}

export interface Config {
  file: string;                 // absolute path of the config file
  settings: Settings;
  groups: LogGroup[];           // in file order
}

/** One problem found while loading a config; all of them are reported together. */
export interface ConfigIssue {
  file: string;
  line: number;                 // 1-based
  column: number;               // 1-based
  path: string;                 // key path, e.g. "rest.api.metrics.meter[0].format"
  message: string;
}
