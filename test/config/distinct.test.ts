// The `distinct` metric type in the config: window_min and precision with their defaults and
// ranges, keys that belong to one kind of metric only, references that count strings; every error
// at its file:line:column and key path. The group is read directly for the values, and through
// parseConfigText for the errors and for a whole config that loads.
import { LineCounter, isMap, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readGroup } from '../../src/config/group.js';
import { parseConfigText } from '../../src/config/load.js';
import { Ctx } from '../../src/config/node.js';
import type { ConfigIssue, MetricDef } from '../../src/config/types.js';

const FILE = '/etc/test.conf';

const group = (metrics: string): string[] => [
  'g: {',
  '  files: [ "a.log" ],',
  '  re: [ \'^(\\S+) (\\S+) (\\S+)\' ],',
  '  expected_matches: 3,',
  '  date: { position: 1, format: "unix" },',
  '  key_prefix: "web",',
  `  metrics: { ${metrics} }`,
  '}',
];

/** The group's metrics as read, and every issue. */
function read(metrics: string): { metrics: MetricDef[]; issues: ConfigIssue[] } {
  const text = group(metrics).join('\n');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const ctx = new Ctx(FILE, text, lc, doc);
  const root = doc.contents;
  if (!isMap(root)) throw new Error('not a map');
  const pair = root.items[0]!;
  const g = readGroup(ctx, 'g', pair.key as never, pair.value as never, '/etc');
  return { metrics: g.metrics, issues: ctx.issues };
}

const where = (issues: ConfigIssue[]): Array<[number, number, string, string]> => issues.map((i) => [i.line, i.column, i.path, i.message]);

describe('a distinct metric', () => {
  it('defaults to day windows (1440 min) at precision 14; its reference is the position counted', () => {
    const { metrics, issues } = read('distinct: [ { key_suffix: "clients", reference: [ [2, ""], [3, "kind=session"] ] } ]');
    expect(metrics).toEqual([{
      type: 'distinct', key_suffix: 'clients', format: 'int', multiply: 1, divide: 1, never_stale: false,
      window_min: 1440, precision: 14,
      reference: [{ position: 2, tags: [], add: [], sub: [] }, { position: 3, tags: [['kind', 'session']], add: [], sub: [] }],
    }]);
    expect(where(issues)).toEqual([]);
  });

  it('takes window_min, precision and never_stale beside the other types', () => {
    const { metrics, issues } = read('meter: [ { key_suffix: "hits", reference: [ [0] ] } ], ' +
      'distinct: [ { key_suffix: "users", window_min: 60, precision: 16, never_stale: true, reference: [ [2] ] } ]');
    expect(metrics.map((m) => [m.type, m.window_min, m.precision, m.never_stale])).toEqual([
      ['meter', undefined, undefined, false], ['distinct', 60, 16, true],
    ]);
    expect(issues).toEqual([]);
  });
});

describe('config errors name file, line, column and key', () => {
  const check = (metrics: string): Array<[number, number, string, string]> => {
    const r = parseConfigText(group(metrics).join('\n'), FILE);
    expect(r.config).toBeUndefined();
    expect(r.issues.every((i) => i.file === FILE)).toBe(true);
    return where(r.issues);
  };

  /** Column of `needle` in the metrics text (which starts at column 14 of line 7). */
  const col = (metrics: string, needle: string): number => 14 + metrics.indexOf(needle);

  it('window_min must divide a day or be whole days; precision is 4..18', () => {
    let m = 'distinct: [ { key_suffix: "u", window_min: 7, precision: 20, reference: [ [2] ] } ]';
    expect(check(m)).toEqual([
      [7, col(m, '7,'), 'g.metrics.distinct[0].window_min', 'must divide a day (1440 minutes: 1, 5, 15, 60 ...) or be a whole number of days (1440, 10080 ...), so windows line up with midnight, got 7'],
      [7, col(m, '20'), 'g.metrics.distinct[0].precision', 'must be between 4 and 18, got 20'],
    ]);
    m = 'distinct: [ { key_suffix: "u", window_min: 0, reference: [ [2] ] } ]';
    expect(check(m)).toEqual([[7, col(m, '0,'), 'g.metrics.distinct[0].window_min', 'must be at least 1, got 0']]);
    m = 'distinct: [ { key_suffix: "u", window_min: "day", precision: 14.5, reference: [ [2] ] } ]';
    expect(check(m)).toEqual([
      [7, col(m, '"day"'), 'g.metrics.distinct[0].window_min', 'must be an integer, got a string ("day")'],
      [7, col(m, '14.5'), 'g.metrics.distinct[0].precision', 'must be an integer, got 14.5'],
    ]);
  });

  it('window_min and precision only on distinct; format, multiply, divide, add/sub and position 0 not on distinct', () => {
    let m = 'counter: [ { key_suffix: "c", window_min: 60, precision: 12, reference: [ [2] ] } ]';
    expect(check(m)).toEqual([
      [7, col(m, 'window_min'), 'g.metrics.counter[0].window_min', 'window_min only applies to distinct metrics'],
      [7, col(m, 'precision'), 'g.metrics.counter[0].precision', 'precision only applies to distinct metrics'],
    ]);
    m = 'distinct: [ { key_suffix: "u", format: float, divide: 2, reference: [ [0], [2, "", { add: [3] }] ] } ]';
    const asWritten = 'does not apply to a distinct metric, which counts its values as written (strings, not numbers)';
    expect(check(m)).toEqual([
      [7, col(m, 'format'), 'g.metrics.distinct[0].format', asWritten],
      [7, col(m, 'divide'), 'g.metrics.distinct[0].divide', asWritten],
      [7, col(m, '0]'), 'g.metrics.distinct[0].reference[0][0]', 'a distinct metric counts the values of a match group: position 0 (the whole line, its time stamp included) is not one'],
      [7, col(m, '{ add'), 'g.metrics.distinct[0].reference[1][2]', 'add/sub do not apply to a distinct metric, which counts its values as written'],
    ]);
  });

  it('a valid distinct metric loads (the run modes count it)', () => {
    const r = parseConfigText(group('distinct: [ { key_suffix: "u", reference: [ [2] ] } ]').join('\n'), FILE);
    expect(r.issues).toEqual([]);
    expect(r.config!.groups[0]!.metrics.map((m) => [m.type, m.window_min, m.precision])).toEqual([['distinct', 1440, 14]]);
  });
});
