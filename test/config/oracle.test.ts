// The three configs the Go original was run with load without issues, and the extended-style regex
// is cleaned to exactly the string the original logged ("Using the following regexp ...").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const ORACLE = '/work/shared/reference/oracle';

function loggedRegex(dir: string): { group: string; re: string } {
  const log = readFileSync(`${ORACLE}/${dir}/collector-log.txt`, 'utf8');
  const m = /Using the following regexp for log group (\S+): \[(.*)\]$/m.exec(log);
  if (!m) throw new Error(`no regexp line in ${dir}`);
  return { group: m[1]!, re: m[2]! };
}

describe.each(['A_live', 'F2_apache_live', 'G1_misc'])('oracle %s', (dir) => {
  it('loads with no issue and cleans the regex exactly as the original logged it', () => {
    const { config, issues } = loadConfig(`${ORACLE}/${dir}/config.conf`);
    expect(issues).toEqual([]);
    const logged = loggedRegex(dir);
    const g = config!.groups.find((x) => x.name === logged.group)!;
    expect(g.re).toEqual([logged.re]);
    expect(g.re_pieces[0]!.map((p) => p.pattern).join('')).toBe(logged.re);
  });
});

describe('A_live (the README config)', () => {
  const { config } = loadConfig(`${ORACLE}/A_live/config.conf`);
  const g = config!.groups[0]!;

  it('has the settings as written and defaults for the rest', () => {
    expect(config!.file).toBe(`${ORACLE}/A_live/config.conf`);
    expect(config!.settings).toEqual({
      poll_interval: 5, log_facility: 'local3', push_host: ['tsd.mynetwork'], push_port: 4242,
      push_proto: 'tcp', push_type: 'tsd', push_number: 1, push_wait: 5, stats_interval: 60,
      state_file: '/var/lib/logmetrics-collector/state.json', status_listen: null, queue_size: 10000,
      max_line_bytes: 1048576, max_future_skew: 86400,
      push_path: '', push_tls: false, push_tls_ca: null, push_tls_insecure: false, push_headers: {}, push_basic_auth: null,
      push_secret_file: null, push_influx_db: null, push_influx_org: null, push_influx_bucket: null, push_influx_token: null,
    });
  });

  it('keeps each piece with its comment as written and its config line', () => {
    expect(g.re_pieces[0]!.map((p) => [p.line, p.comment])).toEqual([
      [12, 'Date 1'], [13, 'server 2, class 3,'], [14, 'rest type 4'], [15, 'call 5'], [16, 'call time 6'],
      [17, 'bnt calls 7, bnt time 8'], [18, 'sql calls 9, sql time 10'], [19, 'membase calls 11, membase time 12'],
      [20, 'memcache calls 13, memcache time 14'], [21, 'other calls 15, other time 16'],
    ]);
    expect(g.re_pieces[0]![4]!.pattern).toBe('\\(([0-9]+)\\)\\s+');
  });

  it('reads the group', () => {
    expect(g.name).toBe('rest.api');
    expect(g.files).toEqual([`${ORACLE}/A_live/rest_*.perf.log`]);
    expect(g.expected_matches).toBe(16);
    expect(g.date).toEqual({ position: 1, format: 'Jan  2 15:04:05', timezone: 'local' });
    expect(g.key_prefix).toBe('rest.api');
    expect(g.tags).toEqual([
      { name: 'call', position: 5, value: null },
      { name: 'class', position: 3, value: null },
      { name: 'host', position: 2, value: null },
    ]);
    expect(g.stale_threshold_min).toBe(15); // written as stale_treshold_min
    expect(g).toMatchObject({
      histogram_size: 256, histogram_alpha_decay: 0.15, histogram_rescale_threshold_min: 60, ewma_interval: 30,
      stale_removal: false, send_duplicates: false, goroutines: 1, poll_file: true, interval: 15, live_poll: true,
      warn_on_regex_fail: true, warn_on_operation_fail: false, warn_on_out_of_order_time: true, parse_from_start: true,
      log_stale_metrics: false, regex_engine: 'js', histogram_kind: 'forward_decay', filename_match: null, transform: [],
    });
  });

  it('reads the metrics and their references', () => {
    expect(g.metrics.map((m) => [m.type, m.key_suffix, m.format, m.multiply, m.divide, m.never_stale])).toEqual([
      ['meter', 'executions', 'int', 1, 1, false],
      ['histogram', 'execution_time.ms', 'int', 1, 1, false],
    ]);
    expect(g.metrics[0]!.reference.map((r) => r.position)).toEqual([0, 7, 9, 11, 13, 15]);
    expect(g.metrics[1]!.reference[0]).toEqual({ position: 6, tags: [['resource', 'local']], add: [], sub: [8, 10, 12, 14, 16] });
    expect(g.metrics[1]!.reference[1]).toEqual({ position: 6, tags: [['resource', 'total']], add: [], sub: [] });
  });
});

describe('F2_apache_live (transforms, filename_match, constant tag)', () => {
  const { config } = loadConfig(`${ORACLE}/F2_apache_live/config.conf`);
  const g = config!.groups[0]!;

  it('reads filename_match and lets its group (7) be a tag position', () => {
    expect(g.filename_match).toBe('httpd_(\\w+)\\.log$');
    expect(g.tags).toEqual([
      { name: 'path', position: 3, value: null },
      { name: 'product', position: null, value: 'myCoolProduct' },
      { name: 'site', position: 7, value: null },
      { name: 'status', position: 4, value: null },
      { name: 'verb', position: 2, value: null },
    ]);
  });

  it('reads transforms in position order, regexes as written', () => {
    expect(g.transform.map((t) => t.position)).toEqual([3, 4, 5, 6]);
    expect(g.transform[0]).toEqual({
      position: 3, replace_only_one: true, log_default_assign: false,
      operations: [
        { kind: 'replace', regex: '^.*/bid', arg: '/bid/' },
        { kind: 'replace', regex: '^/(\\w+)/.*$', arg: '/@@1@@/' },
        { kind: 'replace', regex: '^/search.php', arg: '/search/' },
        { kind: 'replace', regex: '^/[^/]*$', arg: '/' },
        { kind: 'match_or_default', regex: '^/(|(|bid|buy|search|list|category|sitemap|info)/)$', arg: 'other' },
      ],
    });
    expect(g.transform[1]).toEqual({
      position: 4, replace_only_one: false, log_default_assign: false,
      operations: [{ kind: 'replace', regex: '^-$', arg: '0' }],
    });
  });

  it('reads divide, the empty reference tags and the pieces', () => {
    expect(g.metrics.map((m) => [m.type, m.key_suffix, m.divide])).toEqual([
      ['meter', 'executions', 1], ['histogram', 'response_size.byte', 1], ['histogram', 'response_time.ms', 1000],
    ]);
    expect(g.metrics[0]!.reference).toEqual([{ position: 0, tags: [], add: [], sub: [] }]);
    expect(g.re_pieces[0]!.map((p) => p.comment)).toEqual([
      'Client IP', 'Login', 'Remote user', 'Date 1', 'HTTP verb 2', 'HTTP path 3', 'HTTP version',
      'HTTP final status 4', 'Response size 5', 'Referer', 'User-agent', 'Response time in ms 6',
    ]);
    expect(g.re_pieces[0]![0]).toEqual({ pattern: '^\\S+\\t', comment: 'Client IP', line: 11 });
    expect(g.re_pieces[0]![11]!.line).toBe(22);
    expect(g).toMatchObject({ stale_removal: true, stale_threshold_min: 10, send_duplicates: true, log_stale_metrics: true, ewma_interval: 5 });
    expect(config!.settings.push_wait).toBe(15);
  });
});

describe('G1_misc (one-line flow style, tcollector)', () => {
  const { config } = loadConfig(`${ORACLE}/G1_misc/config.conf`);

  it('takes the defaults for the settings it does not give', () => {
    expect(config!.settings).toMatchObject({ push_port: 4242, push_type: 'tcollector', push_proto: 'udp', push_host: ['localhost'] });
    const g = config!.groups[0]!;
    expect(g.re_pieces[0]).toEqual([{ pattern: g.re[0], comment: '', line: 4 }]);
    expect(g.transform).toEqual([{
      position: 2, replace_only_one: true, log_default_assign: false,
      operations: [{ kind: 'replace', regex: '^a$', arg: 'b' }, { kind: 'replace', regex: '^b$', arg: 'c' }],
    }]);
    expect(g.metrics[1]!.reference).toEqual([{ position: 3, tags: [['k', 'v_minus_w']], add: [], sub: [4] }]);
  });
});
