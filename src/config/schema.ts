// Keys, aliases and defaults of the config file (spec section 2). The readers in settings.ts and
// group.ts take their key lists and defaults from here, so this file is the one place to look up
// what the config accepts.
import { DEFAULT_PRECISION, MAX_PRECISION, MIN_PRECISION } from '../stats/hll.js';
import type { Settings } from './types.js';

export const SETTINGS_DEFAULTS: Readonly<Settings> = Object.freeze({
  poll_interval: 15,
  log_facility: 'local0',
  push_host: ['localhost'],
  push_port: 4242,
  push_proto: 'udp',
  push_type: 'tcollector',
  push_number: 1,
  push_wait: 5,
  stats_interval: 60,
  state_file: '/var/lib/logmetrics-collector/state.json',
  status_listen: null,
  queue_size: 10000,
  max_line_bytes: 1048576,
  max_future_skew: 86400,
  push_path: '',
  push_tls: false,
  push_tls_ca: null,
  push_tls_insecure: false,
  push_headers: {},
  push_basic_auth: null,
  push_secret_file: null,
  push_influx_db: null,
  push_influx_org: null,
  push_influx_bucket: null,
  push_influx_token: null,
});

export const SETTINGS_KEYS = Object.keys(SETTINGS_DEFAULTS) as ReadonlyArray<keyof Settings>;

export const PUSH_TYPES = ['tsd', 'tcollector', 'remote_write', 'influx', 'otlp'] as const;
/** The push_types that are always sent over HTTP (push_proto http). */
export const HTTP_PUSH_TYPES: readonly string[] = ['remote_write', 'influx', 'otlp'];
/** push_port when not given, by push_type: OpenTSDB's, Prometheus', InfluxDB's and OTLP/HTTP's. */
export const DEFAULT_PORTS = { tsd: 4242, tcollector: 4242, remote_write: 9090, influx: 8086, otlp: 4318 } as const;
/** push_path when not given (OpenTSDB over HTTP: /api/put; InfluxDB 2 with a bucket: /api/v2/write). */
export const DEFAULT_PATHS = { tsd: '/api/put', tcollector: '/api/put', remote_write: '/api/v1/write', influx: '/write', otlp: '/v1/metrics' } as const;
/** Keys push_secret_file may hold (the rest of the settings belong in the config). */
export const SECRET_KEYS = ['push_basic_auth', 'push_headers', 'push_influx_token'] as const;

/** Defaults of the optional log group keys that are plain values. */
export const GROUP_DEFAULTS = Object.freeze({
  filename_match: null as string | null,
  regex_engine: 'js' as const,
  histogram_kind: 'forward_decay' as const,
  histogram_size: 256,
  histogram_alpha_decay: 0.15,
  histogram_rescale_threshold_min: 60,
  ewma_interval: 30,
  stale_removal: false,
  stale_threshold_min: 60,
  send_duplicates: false,
  goroutines: 1,
  poll_file: false,
  live_poll: false,
  interval: 15,
  parse_from_start: false,
  warn_on_regex_fail: false,
  warn_on_operation_fail: false,
  warn_on_out_of_order_time: false,
  log_stale_metrics: false,
  max_files: 1000,
  max_tag_values: 10000,
  max_keys: 100000,
});

export const GROUP_KEYS: readonly string[] = [
  'files', 'journal', 're', 'expected_matches', 'date', 'key_prefix', 'tags', 'metrics', 'transform',
  ...Object.keys(GROUP_DEFAULTS),
];

/** Other spellings accepted for group keys: the original's typo, and a plainer name for shards. */
export const GROUP_ALIASES: Readonly<Record<string, string>> = {
  stale_treshold_min: 'stale_threshold_min',
  workers: 'goroutines',
};

export const DATE_KEYS = ['source', 'position', 'format', 'timezone'] as const;
export const DATE_SOURCES = ['message', 'journal'] as const;
export const JOURNAL_KEYS = ['matches', 'directory', 'fields'] as const;
export const DATE_TIMEZONE_DEFAULT = 'local';

export const METRIC_TYPES = ['meter', 'histogram', 'counter', 'distinct'] as const;
export const METRIC_KEYS = ['key_suffix', 'format', 'multiply', 'divide', 'never_stale', 'reference', 'window_min', 'precision'] as const;
export const METRIC_DEFAULTS = Object.freeze({ format: 'int' as const, multiply: 1, divide: 1, never_stale: false });
/** Keys that only a `distinct` metric takes, and the ones it refuses (it counts values as written). */
export const DISTINCT_ONLY_KEYS = ['window_min', 'precision'] as const;
export const DISTINCT_REFUSED_KEYS = ['format', 'multiply', 'divide'] as const;
export const DISTINCT_DEFAULTS = Object.freeze({ window_min: 1440, precision: DEFAULT_PRECISION });
export const DISTINCT_PRECISION = Object.freeze({ min: MIN_PRECISION, max: MAX_PRECISION });
export const REFERENCE_OP_KEYS = ['add', 'sub'] as const;

export const TRANSFORM_KEYS = ['replace_only_one', 'log_default_assign', 'operations'] as const;
export const TRANSFORM_OPS = ['replace', 'match_or_default'] as const;

/** The longest stat name each metric type appends (for the static line-length check). */
export const LONGEST_STAT = { meter: 'rate._15min', histogram: 'sample_size', counter: 'count', distinct: 'distinct.count_total' } as const;

export const SYSLOG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv',
  'ftp', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
