// The journal block, standard input and date.source (spec sections 2 and 6).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { ConfigIssue } from '../../src/config/types.js';

const FILE = '/etc/lmc/test.conf';
const where = (issues: ConfigIssue[]) => issues.map((i) => [i.line, i.column, i.path, i.message]);

/** One group `g` with the given extra lines (inputs, date, tags) around a 2-group regex. */
function group(lines: string[], date = 'date: { position: 1, format: "unix" },'): string {
  return [
    'g: {',
    ...lines.map((l) => '  ' + l),
    "  re: [ '^(\\d+) (\\w+)' ],",
    '  expected_matches: 2,',
    '  ' + date,
    '  key_prefix: "k",',
    '  metrics: { counter: [ { key_suffix: "c", reference: [ [0] ] } ] }',
    '}',
  ].join('\n');
}

describe('journal block', () => {
  it('loads matches, a directory resolved against the config, and fields numbered after the regex groups', () => {
    const { config, issues } = parseConfigText(group([
      'journal: { matches: ["_SYSTEMD_UNIT=nginx.service", "+", "SYSLOG_IDENTIFIER=nginx"], directory: "journal", fields: [_HOSTNAME, PRIORITY] },',
      'tags: { host: 3, prio: 4, word: 2 },',
    ], 'date: { source: journal },'), FILE);
    expect(issues).toEqual([]);
    const g = config!.groups[0]!;
    expect(g.files).toEqual([]);
    expect(g.journal).toEqual({ matches: ['_SYSTEMD_UNIT=nginx.service', '+', 'SYSLOG_IDENTIFIER=nginx'], directory: '/etc/lmc/journal', fields: ['_HOSTNAME', 'PRIORITY'] });
    expect(g.date).toEqual({ source: 'journal', position: 0, format: '', timezone: 'UTC' });
    expect(g.tags).toEqual([{ name: 'host', position: 3, value: null }, { name: 'prio', position: 4, value: null }, { name: 'word', position: 2, value: null }]);
  });

  it('beside files with filename_match: the fields come after the filename_match groups; an empty block reads the whole system journal', () => {
    const { config, issues } = parseConfigText(group([
      'files: ["/var/log/app-*.log"],',
      'filename_match: "app-(\\\\w+)\\\\.log",',
      'journal: { fields: [_SYSTEMD_UNIT] },',
      'tags: { app: 3, unit: 4 },',
      'transform: { 4: { operations: [[replace, "\\\\.service$", "x"]] } },',
    ]), FILE);
    expect(issues).toEqual([]);
    expect(config!.groups[0]!.journal).toEqual({ matches: [], directory: null, fields: ['_SYSTEMD_UNIT'] });
    expect(config!.groups[0]!.date.source).toBeUndefined();
  });

  it('standard input is files: ["-"], kept as "-"', () => {
    const { config, issues } = parseConfigText(group(['files: ["-", "a.log"],']), FILE);
    expect(issues).toEqual([]);
    expect(config!.groups[0]!.files).toEqual(['-', '/etc/lmc/a.log']);
  });

  it('reports each problem at its line and column', () => {
    const { issues } = parseConfigText(group([
      'journal: {',
      '  matches: ["unit=x", "+", "nginx"],',
      '  fields: [MESSAGE, __CURSOR, _HOSTNAME, _HOSTNAME, "lower"],',
      '  directory: "",',
      '  colour: 1',
      '},',
      'tags: { a: 8 },',
    ]), FILE);
    expect(where(issues)).toEqual([
      [3, 15, 'g.journal.matches[0]', 'the field name "unit" is not a journal field name (upper-case letters, digits and _, not starting with a digit)'],
      [3, 30, 'g.journal.matches[2]', '"nginx" is not a match: write FIELD=value (e.g. _SYSTEMD_UNIT=nginx.service), or "+" between two groups of matches'],
      [4, 14, 'g.journal.fields[0]', 'MESSAGE is the line itself: use position 0'],
      [4, 23, 'g.journal.fields[1]', '__CURSOR is not a field of the entry (for the entry\'s time, give date: {source: journal})'],
      [4, 44, 'g.journal.fields[3]', '_HOSTNAME is listed twice'],
      [4, 55, 'g.journal.fields[4]', 'the field name "lower" is not a journal field name (upper-case letters, digits and _, not starting with a digit)'],
      [5, 16, 'g.journal.directory', 'must not be empty'],
      [6, 5, 'g.journal.colour', 'unknown key "colour"'],
      [8, 14, 'g.tags.a', 'position 8 is out of range 0..3 (0 is the whole line, 1..2 the regex groups, 3..3 the journal fields)'],
    ]);
  });

  it('a group needs files or a journal; date.source journal needs a journal and no files; filename_match needs files', () => {
    expect(where(parseConfigText(group([]), FILE).issues)).toEqual([[1, 1, 'g.files', 'missing required key "files" (or "journal")']]);
    expect(where(parseConfigText(group(['files: ["a.log"],'], 'date: { source: journal },'), FILE).issues)).toEqual([
      [5, 9, 'g.date.source', 'is "journal" but the group has no journal block']]);
    expect(where(parseConfigText(group(['files: ["a.log"],', 'journal: {},'], 'date: { source: journal },'), FILE).issues)).toEqual([
      [6, 9, 'g.date.source', 'is "journal", but the group also reads files, whose lines have no entry time: use a date in the line (position and format), or a separate group for the files']]);
    expect(where(parseConfigText(group(['journal: {},'], 'date: { source: journal, position: 1, format: "unix" },'), FILE).issues)).toEqual([
      [5, 28, 'g.date.position', 'does not apply with source: journal (the entry\'s own time is used)'],
      [5, 41, 'g.date.format', 'does not apply with source: journal (the entry\'s own time is used)']]);
    expect(where(parseConfigText(group(['journal: {},'], 'date: { source: clock },'), FILE).issues)).toEqual([
      [5, 19, 'g.date.source', 'must be one of "message", "journal", got a string ("clock")']]);
    expect(where(parseConfigText(group(['journal: {},', 'filename_match: "x(\\\\d)",']), FILE).issues)).toEqual([
      [3, 3, 'g.filename_match', 'applies to file paths, and this group reads no file (journal entries have no path)']]);
    expect(where(parseConfigText(group(['files: ["-", "-"],']), FILE).issues)).toEqual([
      [2, 10, 'g.files', '"-" (standard input) is listed 2 times']]);
    expect(where(parseConfigText(group(['journal: "nginx",']), FILE).issues)).toEqual([
      [2, 12, 'g.journal', 'must be a mapping ({ key: value, ... }), got a string ("nginx")']]);
  });
});
