// date.format is checked by the date parser itself (src/parse/date.ts): a layout it rejects is a
// config issue at date.format.
import { describe, expect, it } from 'vitest';

const load = await import('../../src/config/load.js').catch(() => null);
const text = (format: string, tz = 'UTC'): string => [
  '{',
  '  g: {',
  '    files: [ "a.log" ], re: [ \'^(\\S+) (\\d+)\' ], expected_matches: 2, key_prefix: "k",',
  `    date: { position: 1, format: ${JSON.stringify(format)}, timezone: ${JSON.stringify(tz)} },`,
  '    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] }',
  '  }',
  '}',
].join('\n');

describe.skipIf(!load)('date.format', () => {
  it('Go layouts and the named formats load', () => {
    for (const f of ['Jan  2 15:04:05', '02/Jan/2006:15:04:05 -0700', '2006-01-02T15:04:05.000Z07:00', 'unix', 'unix_ms', 'rfc3339']) {
      expect(load!.parseConfigText(text(f), '/x.conf').issues).toEqual([]);
    }
  });

  it('a layout the date parser rejects is an issue at date.format', () => {
    const { issues } = load!.parseConfigText(text('%Y-%m-%d %H:%M:%S'), '/x.conf');
    expect(issues.map((i) => [i.line, i.column, i.path])).toEqual([[4, 34, 'g.date.format']]);
    expect(issues[0]!.message).toMatch(/^is not a usable date layout: /);
  });

  it('an unknown time zone is reported once, at date.timezone', () => {
    const { issues } = load!.parseConfigText(text('unix', 'Nowhere/Town'), '/x.conf');
    expect(issues.map((i) => [i.line, i.column, i.path])).toEqual([[4, 52, 'g.date.timezone']]);
  });
});
