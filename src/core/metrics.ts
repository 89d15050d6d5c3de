// The catalogue of internal metrics (spec section 9): every registry series the collector keeps,
// declared once with its kind, its tags and the help text /metrics serves. Pushed as
// `logmetrics_collector.<name>`; served as `logmetrics_collector_<name>[_total]`.
//
// To add one: add an entry here (name `<stage>.<what>`, singular, as the others), register it where
// it is counted (`registry.counter(name, tags)` once, then bump `.value`; or through an event's
// source, see events.ts), and list it in README "Internal metrics".

export interface MetricDef {
  kind: 'counter' | 'gauge';
  /** Tag names, in the order they are usually written (the registry sorts them). */
  tags: readonly string[];
  help: string;
}

export const METRICS = {
  'tail.line_read': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Lines read from a tailed file.' },
  'tail.byte_read': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Bytes read from a tailed file (decompressed bytes for a compressed one).' },
  'tail.line_matched': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Lines matched by one of the log group regexes.' },
  'tail.line_failed': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Lines not matched, or whose date did not parse.' },
  'tail.line_too_long': { kind: 'counter', tags: ['log_group'], help: 'Lines longer than max_line_bytes, skipped whole.' },
  'tail.read_error': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Errors reading a tailed file or checking its rotation.' },
  'tail.open_failed': { kind: 'counter', tags: ['log_group'], help: 'Files matched by a glob that could not be opened.' },
  'tail.file_skipped': { kind: 'counter', tags: ['log_group', 'reason'], help: 'Files (or directories) left out, by reason: unreadable, not_regular, pseudo_filesystem, unsupported_format, max_files.' },
  'tail.file_damaged': { kind: 'counter', tags: ['log_group'], help: 'Compressed files whose stream was corrupt or truncated (the lines before the damage were read).' },
  'tail.compressed_file_read': { kind: 'counter', tags: ['log_group'], help: 'Compressed files read to their end.' },
  'tail.byte_decompressed': { kind: 'counter', tags: ['log_group'], help: 'Bytes produced by decompressing compressed files.' },
  'tail.fd_exhausted': { kind: 'counter', tags: [], help: 'File opens deferred because the process ran out of file descriptors.' },
  'journal.binary_message': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Journal entries whose MESSAGE is binary (invalid UTF-8 or NUL bytes), read with U+FFFD.' },
  'journal.no_message': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Journal entries without a MESSAGE, skipped.' },
  'journal.restart': { kind: 'counter', tags: ['log_group', 'filename'], help: 'journalctl runs that ended while following and were started again after the last cursor.' },
  'journal.directory_missing': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Times a journal directory was missing or disappeared.' },
  'journal.bad_cursor': { kind: 'counter', tags: ['log_group', 'filename'], help: 'Saved journal cursors journalctl did not accept.' },
  'parse.date_failed': { kind: 'counter', tags: ['log_group'], help: 'Lines dropped because their date did not parse or was out of range.' },
  'parse.value_failed': { kind: 'counter', tags: ['log_group'], help: 'Values that did not parse, not recorded.' },
  'parse.value_negative': { kind: 'counter', tags: ['log_group'], help: 'Values below 0 after their operations, not recorded.' },
  'parse.regex_timeout': { kind: 'counter', tags: ['log_group'], help: 'Lines dropped because a regex V8 cannot bound ran past the watchdog\'s limit on them.' },
  'parse.default_assigned': { kind: 'counter', tags: ['log_group'], help: 'Defaults assigned by match_or_default transforms.' },
  'data_pool.key_tracked': { kind: 'gauge', tags: ['log_group', 'log_group_number'], help: 'Keys held by a datapool shard.' },
  'data_pool.key_stalled': { kind: 'counter', tags: ['log_group', 'log_group_number'], help: 'Keys forgotten as stale by a datapool shard.' },
  'data_pool.tag_values': { kind: 'gauge', tags: ['log_group', 'tag'], help: 'Distinct values a line tag holds in a log group (max_tag_values).' },
  'data_pool.tag_value_folded': { kind: 'counter', tags: ['log_group', 'tag'], help: 'Lines counted in the _other_ series of a tag (its values past max_tag_values).' },
  'data_pool.update_dropped': { kind: 'counter', tags: ['log_group'], help: 'Updates dropped because they would create a key past max_keys.' },
  'state.cuts_written': { kind: 'counter', tags: [], help: 'Checkpoints written to the state file.' },
  'state.cut_seconds': { kind: 'gauge', tags: [], help: 'Main-thread time of the last checkpoint.' },
  'state.cut_seconds_max': { kind: 'gauge', tags: [], help: 'Main-thread time of the longest checkpoint so far.' },
  'state.cut_cpu_seconds': { kind: 'gauge', tags: [], help: 'CPU the process used while the main thread worked on the last checkpoint.' },
  'state.cut_pause_seconds': { kind: 'gauge', tags: [], help: 'Longest single pause of the last checkpoint.' },
  'state.bytes': { kind: 'gauge', tags: [], help: 'Size of the newest state file.' },
  'state.write_errors': { kind: 'counter', tags: ['error'], help: 'Failed state file writes and compactions, by error.' },
  'data_pool.line_out_of_order': { kind: 'counter', tags: ['log_group'], help: 'Lines older than their key\'s newest update (still counted).' },
  'pusher.key_sent': { kind: 'counter', tags: ['pusher_number'], help: 'Points sent by a pusher.' },
  'pusher.byte_sent': { kind: 'counter', tags: ['pusher_number'], help: 'Bytes sent by a pusher.' },
  'pusher.send_errors': { kind: 'counter', tags: ['pusher_number'], help: 'Failed send attempts and points rejected by the server or OpenTSDB limits.' },
  'pusher.reconnects': { kind: 'counter', tags: ['pusher_number'], help: 'Connections a pusher opened after its first.' },
  'dry_run.point_dropped': { kind: 'counter', tags: [], help: 'Points left out of the --dry-run output: over OpenTSDB\'s limits, or not a finite number.' },
  'status.connection_dropped': { kind: 'counter', tags: [], help: 'Status endpoint connections closed to stay under its connection cap.' },
  'queue.depth': { kind: 'gauge', tags: [], help: 'Points waiting in the queue between datapools and pushers.' },
  'lag.seconds': { kind: 'gauge', tags: ['quantile'], help: 'Wall time minus log time of the points handed to the output (p50, p99).' },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;

/** The help text of a series name; a name not (yet) in the catalogue gets its own name. */
export function metricHelp(name: string): string {
  return (METRICS as Record<string, MetricDef>)[name]?.help ?? `logmetrics_collector.${name}`;
}
