// Defaults (spec section 2), aliases, the accepted shapes of push_host, tags and references, and the
// shipped conf/ example.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const ROOT = path.resolve(import.meta.dirname, '../..');

const load = (lines: string[]): Config => {
  const r = parseConfigText(lines.join('\n'), '/etc/lm/test.conf');
  expect(r.issues).toEqual([]);
  return r.config!;
};
const group = (extra: string, settings = ''): string[] => [
  '{',
  '  g: {',
  '    files: [ "a.log" ], re: [ \'^(\\d+) (\\w+) (\\w+)\' ], expected_matches: 3,',
  '    date: { position: 1, format: "unix" }, key_prefix: "k",',
  '    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] },',
  `    ${extra}`,
  '  },',
  settings ? `  settings: { ${settings} }` : '',
  '}',
];

describe('defaults', () => {
  const { config, issues } = loadConfig(path.join(FIXTURES, 'minimal.conf'));

  it('a config without settings gets every default setting', () => {
    expect(issues).toEqual([]);
    expect(config!.settings).toEqual({
      poll_interval: 15, log_facility: 'local0', push_host: ['localhost'], push_port: 4242, push_proto: 'udp',
      push_type: 'tcollector', push_number: 1, push_wait: 5, stats_interval: 60,
      state_file: '/var/lib/logmetrics-collector/state.json', status_listen: null, queue_size: 10000,
      max_line_bytes: 1048576, max_future_skew: 86400,
      push_path: '', push_tls: false, push_tls_ca: null, push_tls_insecure: false, push_headers: {}, push_basic_auth: null,
      push_secret_file: null, push_influx_db: null, push_influx_org: null, push_influx_bucket: null, push_influx_token: null,
    });
  });

  it('a group gets every default and relative globs resolve against the config directory', () => {
    const g = config!.groups[0]!;
    expect(g).toEqual({
      name: 'mini',
      files: [path.join(FIXTURES, 'logs/*.log'), '/var/log/abs.log'],
      filename_match: null,
      re: ['^(\\S+\\s\\S+)(\\d+)'],
      re_pieces: [[{ pattern: '^(\\S+\\s\\S+)(\\d+)', comment: '', line: 4, spaced: '^(\\S+\\s\\S+) (\\d+)' }]],
      regex_engine: 'js',
      expected_matches: 2,
      date: { position: 1, format: '2006-01-02 15:04:05', timezone: 'local' },
      key_prefix: 'mini',
      tags: [],
      metrics: [{ type: 'counter', key_suffix: 'bytes', format: 'int', multiply: 1, divide: 1, never_stale: false,
        reference: [{ position: 2, tags: [], add: [], sub: [] }] }],
      histogram_kind: 'forward_decay',
      transform: [],
      histogram_size: 256, histogram_alpha_decay: 0.15, histogram_rescale_threshold_min: 60, ewma_interval: 30,
      stale_removal: false, stale_threshold_min: 60, send_duplicates: false, goroutines: 1, poll_file: false,
      live_poll: false, interval: 15, parse_from_start: false, warn_on_regex_fail: false,
      warn_on_operation_fail: false, warn_on_out_of_order_time: false, log_stale_metrics: false, max_files: 1000,
      max_tag_values: 10000, max_keys: 100000,
    });
  });

  it('the result is frozen', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config!.groups[0]!.metrics[0]!.reference)).toBe(true);
  });
});

describe('aliases and accepted shapes', () => {
  it('stale_treshold_min and workers', () => {
    const g = load(group('stale_treshold_min: 7, workers: 4')).groups[0]!;
    expect(g.stale_threshold_min).toBe(7);
    expect(g.goroutines).toBe(4);
    const g2 = load(group('stale_threshold_min: 8, goroutines: 2')).groups[0]!;
    expect([g2.stale_threshold_min, g2.goroutines]).toEqual([8, 2]);
  });

  it('push_host is a string or a list; status_listen host:port', () => {
    expect(load(group('', 'push_host: "tsd1"')).settings.push_host).toEqual(['tsd1']);
    const s = load(group('', 'push_host: [ "tsd1", tsd2 ], status_listen: "127.0.0.1:9310", push_proto: http')).settings;
    expect(s.push_host).toEqual(['tsd1', 'tsd2']);
    expect(s.status_listen).toBe('127.0.0.1:9310');
    expect(s.push_proto).toBe('http');
  });

  it('integers where numbers are asked, and an empty settings mapping', () => {
    const c = load(group('histogram_alpha_decay: 1, interval: 2.5, ewma_interval: 10', ''));
    expect(c.groups[0]!.histogram_alpha_decay).toBe(1);
    expect(c.groups[0]!.interval).toBe(2.5);
    expect(load(group('').map((l) => (l === '' ? '  settings: {}' : l))).settings.push_port).toBe(4242);
    expect(load(group('').map((l) => (l === '' ? '  settings: ' : l))).settings.push_port).toBe(4242);
  });

  it('max_future_skew: seconds, 0 or more', () => {
    expect(load(group('', 'max_future_skew: 0')).settings.max_future_skew).toBe(0);
    expect(load(group('', 'max_future_skew: 3600.5')).settings.max_future_skew).toBe(3600.5);
    const r = parseConfigText(group('', 'max_future_skew: -1').join('\n'), '/etc/lm/test.conf');
    expect(r.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([expect.stringMatching(/^\d+:\d+ settings\.max_future_skew: .*at least 0/)]);
  });

  it('tags: positions and sanitised constants, sorted by name', () => {
    const g = load(group('tags: { zz: 2, aa: "my product%", mm: 3 }')).groups[0]!;
    expect(g.tags).toEqual([
      { name: 'aa', position: null, value: 'my_product_' },
      { name: 'mm', position: 3, value: null },
      { name: 'zz', position: 2, value: null },
    ]);
  });

  it('references: "", one tag, several separated by spaces or commas; add and sub', () => {
    const g = load(group(
      'metrics: { histogram: [ { key_suffix: "h", format: float, multiply: 2, divide: 4, never_stale: true, reference: ' +
      '[ [2, ""], [2, "a=b"], [2, "a=b c=d"], [2, " a=b,c=d ,e=f "], [2, "x=1", { add: [3], sub: [1, 3] }], [3] ] } ] }',
    ).filter((l) => !l.includes('meter: ['))).groups[0]!;
    const m = g.metrics[0]!;
    expect([m.type, m.format, m.multiply, m.divide, m.never_stale]).toEqual(['histogram', 'float', 2, 4, true]);
    expect(m.reference.map((r) => r.tags)).toEqual([
      [], [['a', 'b']], [['a', 'b'], ['c', 'd']], [['a', 'b'], ['c', 'd'], ['e', 'f']], [['x', '1']], [],
    ]);
    expect(m.reference[4]).toEqual({ position: 2, tags: [['x', '1']], add: [3], sub: [1, 3] });
  });

  it('transforms: integer or quoted keys, sorted by position, defaults', () => {
    const g = load(group('transform: { 3: { operations: [] }, "2": { replace_only_one: true, log_default_assign: true, operations: [ [ match_or_default, \'^a$\', z ] ] } }')).groups[0]!;
    expect(g.transform).toEqual([
      { position: 2, replace_only_one: true, log_default_assign: true, operations: [{ kind: 'match_or_default', regex: '^a$', arg: 'z' }] },
      { position: 3, replace_only_one: false, log_default_assign: false, operations: [] },
    ]);
  });

  it('timezones: local, UTC, IANA names; histogram_kind hdr', () => {
    const g = load(group('histogram_kind: hdr').map((l) => l.replace('format: "unix"', 'format: "unix", timezone: "Europe/Paris"'))).groups[0]!;
    expect(g.date.timezone).toBe('Europe/Paris');
    expect(g.histogram_kind).toBe('hdr');
  });

  it('YAML anchors and aliases are followed', () => {
    const c = load([
      'settings: { push_host: &h [ "a", "b" ] }',
      'g: { files: *h, re: [ \'(\\d+)\' ], expected_matches: 1, date: { position: 1, format: unix }, key_prefix: k,',
      '     metrics: { counter: [ { key_suffix: c, reference: [ [1] ] } ] } }',
    ]);
    expect(c.groups[0]!.files).toEqual(['/etc/lm/a', '/etc/lm/b']);
  });
});

describe('conf/logmetrics_collector.conf', () => {
  const file = path.join(ROOT, 'conf/logmetrics_collector.conf');
  const { config, issues } = loadConfig(file);

  it('loads with zero issues', () => {
    expect(issues).toEqual([]);
    expect(config!.groups.map((g) => g.name)).toEqual(['rest.api', 'apache']);
  });

  it('is an old-logs replay recipe pushing to localhost:4242 over tcp in tsd format', () => {
    expect(config!.settings).toMatchObject({ push_host: ['localhost'], push_port: 4242, push_proto: 'tcp', push_type: 'tsd' });
    for (const g of config!.groups) {
      expect(g).toMatchObject({ parse_from_start: true, live_poll: false, stale_removal: false, send_duplicates: false });
    }
    expect(config!.groups[0]!.files).toEqual([path.join(ROOT, 'fixtures/rest_api.perf.log')]);
    expect(config!.groups[1]!.files).toEqual([path.join(ROOT, 'fixtures/apache_access.log')]);
  });

  it('the rest.api regex is the README\'s', () => {
    const readme = loadConfig('/work/shared/reference/oracle/A_live/config.conf').config!;
    expect(config!.groups[0]!.re).toEqual(readme.groups[0]!.re);
  });

  it('the apache regex parses a combined log line with %D', () => {
    const g = config!.groups[1]!;
    expect(g.date.format).toBe('02/Jan/2006:15:04:05 -0700');
    expect(g.tags.map((t) => t.name)).toEqual(['path', 'status', 'verb']);
    const line = '10.0.0.1 - frank [08/Feb/2026:04:00:00 +0000] "GET /buy/now.php?x=1 HTTP/1.1" 200 512 ' +
      '"http://example.com/a b" "Mozilla/5.0 (X11; \\"quoted\\")" 1234';
    const m = new RegExp(g.re[0]!).exec(line);
    expect(m && Array.from(m).slice(1)).toEqual(['08/Feb/2026:04:00:00 +0000', 'GET', '/buy/now.php?x=1', '200', '512', '1234']);
    const m2 = new RegExp(g.re[0]!).exec('::1 - - [08/Feb/2026:04:00:01 +0000] "HEAD / HTTP/1.0" 304 - "-" "-" 87');
    expect(m2 && Array.from(m2).slice(1)).toEqual(['08/Feb/2026:04:00:01 +0000', 'HEAD', '/', '304', '-', '87']);
    expect(g.re_pieces[0]!.map((p) => p.comment)[5]).toBe('HTTP path 3');
  });
});
