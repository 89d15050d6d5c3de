// Every problem is reported at once, each at the exact line:column of the offending key or value.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssues, loadConfig, parseConfigText } from '../../src/config/load.js';
import type { ConfigIssue } from '../../src/config/types.js';

const FILE = '/etc/test.conf';
const FIXTURES = path.join(import.meta.dirname, 'fixtures');

/** [line, column, path] of each issue, in report order. */
const where = (issues: ConfigIssue[]): Array<[number, number, string]> => issues.map((i) => [i.line, i.column, i.path]);
const check = (lines: string[]): ConfigIssue[] => {
  const r = parseConfigText(lines.join('\n'), FILE);
  if (r.issues.length > 0) expect(r.config).toBeUndefined();
  return r.issues;
};

describe('a config with a wrong type, an unknown key, a bad regex and a bad push_type', () => {
  const file = path.join(FIXTURES, 'three_problems.conf');
  const { config, issues } = loadConfig(file);

  it('reports all of them, in file order, with line, column and key path', () => {
    expect(config).toBeUndefined();
    expect(where(issues)).toEqual([
      [5, 11, 'web.re[0]'],
      [9, 15, 'web.interval'],
      [10, 5, 'web.colour'],
      [13, 26, 'settings.push_type'],
    ]);
    expect(issues[0]!.message).toMatch(/^does not compile with regex_engine js .*\^\(\\d\+\)\(\\w\+.*Unterminated group/);
    expect(issues[1]!.message).toBe('must be a number, got a string ("fast")');
    expect(issues[2]!.message).toBe('unknown key "colour"');
    expect(issues[3]!.message).toBe('must be one of "tsd", "tcollector", "remote_write", "influx", "otlp", got a string ("foo")');
  });

  it('formats one FILE:LINE:COLUMN: KEY.PATH: message line per issue', () => {
    const lines = formatIssues(issues).split('\n');
    expect(lines).toHaveLength(5); // 4 lines, each newline-terminated
    expect(lines[4]).toBe('');
    expect(lines[1]).toBe(`${file}:9:15: web.interval: must be a number, got a string ("fast")`);
    expect(lines[2]).toBe(`${file}:10:5: web.colour: unknown key "colour"`);
  });
});

describe('YAML syntax errors', () => {
  it('have a line and column, and are reported on their own (not with the errors they cause)', () => {
    const issues = check([
      '{',
      '  g: {',
      '    files: [ "a.log" ]',
      '    re: [ \'^(\\d+)\' ],',
      '    expected_matches: 1,',
      '    date: { position: 1, format: "unix" },',
      '    key_prefix: "k",',
      '    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] },',
      '    intervall: 5',
      '  }',
      '}',
    ]);
    expect(where(issues)).toEqual([[4, 5, '']]);
    expect(issues[0]!.message).toBe('YAML: Missing , between flow map items');
    expect(formatIssues(issues)).toBe(`${FILE}:4:5: YAML: Missing , between flow map items\n`);
    // once it parses, the rest is checked
    const fixed = check(['{', '  g: {', '    files: [ "a.log" ],', '    re: [ \'^(\\d+)\' ],', '    expected_matches: 1,',
      '    date: { position: 1, format: "unix" },', '    key_prefix: "k",', '    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] },',
      '    intervall: 5', '  }', '}']);
    expect(where(fixed)).toEqual([[9, 5, 'g.intervall']]);
    expect(fixed[0]!.message).toBe('unknown key "intervall" (did you mean "interval"?)');
  });

  it('a syntax error that cuts a group short: the YAML error alone, not the missing keys it caused', () => {
    const issues = check(['{', '  g: {', '    files: [ "a.log" ],', '    re: [ \'^(\\d+)\' ],', '    expected_matches: 1', '    date: { position: 1, format: "unix" },',
      '    key_prefix: "k",', '    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] }', '  }', '}']);
    // before: 'g.date: missing required key "date"' at 2:3, first, and a type error at 5:23
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path}${i.message}`)).toEqual([
      '5:23 YAML: Implicit keys need to be on a single line', '5:23 YAML: Block collections are not allowed within flow collections']);
  });

  it('reports the original README example\'s three missing commas and missing brace, and nothing else', () => {
    const { config, issues } = loadConfig(path.join(FIXTURES, 'readme_example.conf'));
    expect(config).toBeUndefined();
    // multiply: 1 / reference: [ / stats_interval: 60 each lack the comma before them; the end lacks a }
    expect(where(issues)).toEqual([[54, 11, ''], [57, 11, ''], [149, 5, ''], [152, 1, '']]);
    expect(issues.map((i) => i.message)).toEqual([
      'YAML: Missing , between flow map items', 'YAML: Missing , between flow map items',
      'YAML: Missing , between flow map items', 'YAML: Flow map must end with a }',
    ]);
  });

  it('reports duplicate keys', () => {
    const issues = check(['settings: { push_port: 1, push_port: 2 }', 'g: {}']);
    expect(issues[0]).toMatchObject({ line: 1, column: 27, path: '' });
    expect(issues[0]!.message).toMatch(/unique/);
  });
});

const GROUP = (over: Record<number, string>): string[] => {
  const lines = [
    '{',
    '  g: {',
    '    files: [ "a.log" ],',
    '    re: [ \'^(\\d+) (\\d+)\' ],',
    '    expected_matches: 2,',
    '    date: { position: 1, format: "unix" },',
    '    key_prefix: "k",',
    '    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] },',
    '    interval: 15',
    '  }',
    '}',
  ];
  for (const [k, v] of Object.entries(over)) lines[Number(k) - 1] = v;
  return lines;
};

describe('regexes', () => {
  it('the base group is valid', () => {
    expect(check(GROUP({}))).toEqual([]);
  });

  it('a regex whose capture-group count is not expected_matches is an error at that regex', () => {
    const issues = check(GROUP({ 4: '    re: [ \'^(\\d+) (\\d+)\', \'^(\\d+)\', \'(?:x)(a)(b)(c)\' ],' }));
    expect(where(issues)).toEqual([[4, 27, 'g.re[1]'], [4, 37, 'g.re[2]']]);
    expect(issues[0]!.message).toBe('has 1 capture group but expected_matches is 2');
    expect(issues[1]!.message).toBe('has 3 capture groups but expected_matches is 2');
  });

  it('re2 compiles with RE2 syntax, so a lookahead is an error there', () => {
    const ok = check(GROUP({ 9: '    regex_engine: re2' }));
    expect(ok).toEqual([]);
    const issues = check(GROUP({ 4: '    re: [ \'^(?=1)(\\d+) (\\d+)\' ],', 9: '    regex_engine: re2' }));
    expect(where(issues)).toEqual([[4, 11, 'g.re[0]']]);
    expect(issues[0]!.message).toMatch(/regex_engine re2/);
  });

  it('filename_match and transform regexes are compiled as written', () => {
    const issues = check(GROUP({
      9: '    filename_match: \'(a\', transform: { 1: { operations: [ [ replace, \'x(\', y ], [ replace, \'(x) y\', \'@@2@@\' ], [ drop, x, y ] ] } }',
    }));
    expect(where(issues)).toEqual([
      [9, 21, 'g.filename_match'],
      [9, 70, 'g.transform.1.operations[0][1]'],
      [9, 101, 'g.transform.1.operations[1][2]'],
      [9, 114, 'g.transform.1.operations[2][0]'],
    ]);
    expect(issues[2]!.message).toBe('@@2@@ refers to group 2, but the regex has 1 group');
    expect(issues[3]!.message).toBe('must be one of "replace", "match_or_default", got a string ("drop")');
  });
});

describe('positions', () => {
  it('must be within 0..expected_matches (+ filename_match groups); date.position at least 1', () => {
    const issues = check(GROUP({
      6: '    date: { position: 0, format: "unix" },',
      8: '    metrics: { histogram: [ { key_suffix: "s", reference: [ [5, "", { sub: [2, 9] }], [0] ] } ] },',
      9: '    tags: { a: 3, b: -1 }, transform: { 4: { operations: [] } }',
    }));
    expect(where(issues)).toEqual([
      [6, 23, 'g.date.position'],
      [8, 62, 'g.metrics.histogram[0].reference[0][0]'],
      [8, 80, 'g.metrics.histogram[0].reference[0][2].sub[1]'],
      [8, 88, 'g.metrics.histogram[0].reference[1][0]'],
      [9, 16, 'g.tags.a'],
      [9, 22, 'g.tags.b'],
      [9, 41, 'g.transform.4'],
    ]);
    expect(issues[0]!.message).toBe('must be at least 1, got 0');
    expect(issues[1]!.message).toBe('position 5 is out of range 0..2 (0 is the whole line, 1..2 the regex groups)');
    expect(issues[3]!.message).toMatch(/^a histogram needs a value/);
  });

  it('filename_match groups extend the range', () => {
    const ok = check(GROUP({ 9: '    filename_match: \'/(\\w+)\\.log$\', tags: { site: 3 }' }));
    expect(ok).toEqual([]);
    const issues = check(GROUP({ 9: '    filename_match: \'/(\\w+)\\.log$\', tags: { site: 4 }' }));
    expect(where(issues)).toEqual([[9, 51, 'g.tags.site']]);
    expect(issues[0]!.message).toBe('position 4 is out of range 0..3 (0 is the whole line, 1..2 the regex groups, 3..3 the filename_match groups)');
  });
});

describe('tags', () => {
  it('more than 8 tags for a reference (group tags + its own) is an error at that reference', () => {
    const issues = check(GROUP({
      8: '    metrics: { meter: [ { key_suffix: "s", reference: [ [0, "x=1 y=2"], [0, "x=1"] ] } ] },',
      9: '    tags: { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: "const" }',
    }));
    expect(where(issues)).toEqual([[8, 57, 'g.metrics.meter[0].reference[0]']]);
    expect(issues[0]!.message).toBe('9 tags (7 from the group\'s tags + 2 of its own); OpenTSDB accepts at most 8 per series');
  });

  it('more than 8 group tags is reported once, at tags', () => {
    const issues = check(GROUP({ 9: '    tags: { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 2 }' }));
    expect(where(issues)).toEqual([[9, 5, 'g.tags']]);
  });

  it('names, key_prefix and key_suffix must be in OpenTSDB\'s character set', () => {
    const issues = check(GROUP({
      7: '    key_prefix: "my prefix",',
      8: '    metrics: { counter: [ { key_suffix: "a=b", reference: [ [1, "resource"], [1, "a=b c=d%"], [2, "k=1,k=2"] ] } ] },',
      9: '    tags: { "bad name": 1, k: 2 }',
    }));
    expect(where(issues)).toEqual([
      [7, 17, 'g.key_prefix'],
      [8, 41, 'g.metrics.counter[0].key_suffix'],
      [8, 65, 'g.metrics.counter[0].reference[0][1]'],
      [8, 82, 'g.metrics.counter[0].reference[1][1]'],
      [8, 95, 'g.metrics.counter[0].reference[2]'],
      [8, 99, 'g.metrics.counter[0].reference[2][1]'],
      [9, 13, 'g.tags.bad name'],
    ]);
    expect(issues[4]!.message).toBe('tag "k" is already one of the group\'s tags');
    expect(issues[5]!.message).toBe('tag "k" is given twice');
  });

  it('a line that cannot fit in 1024 bytes is an error', () => {
    const long = 'x'.repeat(1000);
    const issues = check(GROUP({ 9: `    tags: { t: "${long}" }` }));
    expect(issues.map((i) => i.path)).toEqual(['g.metrics.meter[0].reference[0]']);
    expect(issues[0]!.message).toMatch(/^the shortest line this series can produce is 1035 bytes; OpenTSDB accepts at most 1024$/);
  });
});

describe('values', () => {
  it('types, ranges and enums are checked everywhere', () => {
    const issues = check([
      '{',
      '  g: {',
      '    files: "a.log",',
      '    re: [ \'(a)\' ], expected_matches: 1.5,',
      '    date: { position: 1, format: "", timezone: "Mars/Base", zone: 1 },',
      '    key_prefix: "k", histogram_size: 0, goroutines: 0, interval: -1, histogram_kind: tdigest,',
      '    regex_engine: pcre, live_poll: "yes",',
      '    metrics: { meter: [ { key_sufix: "s", divide: 0, format: double, reference: [ [1, "", { mul: [1] }] ] } ], timer: [] }',
      '  },',
      '  settings: { push_number: 0, push_proto: sctp, push_port: 70000, poll_interval: 0, status_listen: "9310", push_host: [] }',
      '}',
    ]);
    expect(where(issues)).toEqual([
      [3, 12, 'g.files'],
      [4, 38, 'g.expected_matches'],
      [5, 34, 'g.date.format'],
      [5, 48, 'g.date.timezone'],
      [5, 61, 'g.date.zone'],
      [6, 38, 'g.histogram_size'],
      [6, 53, 'g.goroutines'],
      [6, 66, 'g.interval'],
      [6, 86, 'g.histogram_kind'],
      [7, 19, 'g.regex_engine'],
      [7, 36, 'g.live_poll'],
      [8, 25, 'g.metrics.meter[0].key_suffix'],
      [8, 27, 'g.metrics.meter[0].key_sufix'],
      [8, 51, 'g.metrics.meter[0].divide'],
      [8, 62, 'g.metrics.meter[0].format'],
      [8, 93, 'g.metrics.meter[0].reference[0][2].mul'],
      [8, 112, 'g.metrics.timer'],
      [10, 28, 'settings.push_number'],
      [10, 43, 'settings.push_proto'],
      [10, 60, 'settings.push_port'],
      [10, 82, 'settings.poll_interval'],
      [10, 100, 'settings.status_listen'],
      [10, 119, 'settings.push_host'],
    ]);
    const msg = (p: string): string => issues.find((i) => i.path === p)!.message;
    expect(msg('g.files')).toBe('must be a list ([ ... ]), got a string ("a.log")');
    expect(msg('g.expected_matches')).toBe('must be an integer, got 1.5');
    expect(msg('g.date.format')).toBe('must not be empty');
    expect(msg('g.date.timezone')).toMatch(/^unknown time zone "Mars\/Base"/);
    expect(msg('g.histogram_size')).toBe('must be at least 1, got 0');
    expect(msg('g.interval')).toBe('must be greater than 0, got -1');
    expect(msg('g.live_poll')).toBe('must be true or false, got a string ("yes")');
    expect(msg('g.metrics.meter[0].key_suffix')).toBe('missing required key "key_suffix"');
    expect(msg('g.metrics.meter[0].key_sufix')).toBe('unknown key "key_sufix" (did you mean "key_suffix"?)');
    expect(msg('g.metrics.meter[0].divide')).toBe('must be non-zero, got 0');
    expect(msg('g.metrics.timer')).toBe('unknown key "timer"');
    expect(msg('settings.push_port')).toBe('must be between 1 and 65535, got 70000');
    expect(msg('settings.push_number')).toBe('must be at least 1, got 0');
  });

  it('a missing required key is reported at the key that owns the mapping', () => {
    const issues = check(['{', '  g: { files: [ "a" ], date: { format: "unix" } }', '}']);
    expect(where(issues)).toEqual([
      [2, 3, 'g.re'], [2, 3, 'g.expected_matches'], [2, 3, 'g.key_prefix'], [2, 3, 'g.metrics'], [2, 24, 'g.date.position'],
    ]);
    expect(issues[0]!.message).toBe('missing required key "re"');
  });

  it('an alias and its canonical name together are an error', () => {
    const issues = check(GROUP({ 9: '    workers: 2, goroutines: 3' }));
    expect(where(issues)).toEqual([[9, 17, 'g.goroutines']]);
    expect(issues[0]!.message).toBe('"goroutines" and "workers" are the same setting; give only one');
  });

  it('a config without any group, or not a mapping, is an error', () => {
    expect(where(check(['settings: {}']))).toEqual([[1, 1, '']]);
    expect(where(check(['- a']))).toEqual([[1, 1, '']]);
    expect(where(check(['']))).toEqual([[1, 1, '']]);
  });

  it('a missing file is one issue', () => {
    const r = loadConfig('/nonexistent/dir/x.conf');
    expect(r.config).toBeUndefined();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.message).toMatch(/^cannot read the config file: ENOENT/);
  });
});
