// The entry-by-entry fast path of the config loader (split.ts, entries.ts) must give exactly what
// parsing the whole document gives, issues and positions included, and step aside (null) whenever
// it cannot be sure.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWholeDocument } from '../../src/config/load.js';
import { loadByEntry } from '../../src/config/entries.js';
import { splitTopLevel } from '../../src/config/split.js';
import { ROOT } from '../helpers/cli.js';

const FILE = '/etc/lm/test.conf';
const GROUP = (name: string, extra = '') => `${name}: { files: [ /var/log/${name}/*.log ], re: [ '^(\\d+) (\\S+)' ], expected_matches: 2,
    date: { position: 1, format: unix }, key_prefix: "${name}", tags: { t: 2 }${extra},
    metrics: { counter: [ { key_suffix: c, reference: [ [0, ""] ] } ] } }`;

const same = (text: string) => {
  const fast = loadByEntry(text, FILE);
  expect(fast, 'the fast path should take this config').not.toBeNull();
  expect(JSON.stringify(fast)).toBe(JSON.stringify(parseWholeDocument(text, FILE)));
};

describe('config loaded entry by entry', () => {
  const files = [
    ...readdirSync(path.join(ROOT, 'fixtures')).filter((f) => f.endsWith('.conf')).map((f) => path.join(ROOT, 'fixtures', f)),
    path.join(ROOT, 'conf/logmetrics_collector.conf'),
    path.join(ROOT, 'test/config/fixtures/minimal.conf'),
  ];
  for (const f of files) {
    it(`${path.relative(ROOT, f)}: same config as the whole document`, () => {
      const text = readFileSync(f, 'utf8');
      const fast = loadByEntry(text, f);
      expect(fast).not.toBeNull();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(parseWholeDocument(text, f)));
    });
  }

  it('flow style with quotes, comments and brackets inside them, globs, a trailing comma', () => {
    same(`# a comment with { and , and '
{
  ${GROUP('a', `, transform: { 2: { operations: [ [ replace, '^(x, y})$', "@@1@@ ,{" ] ] } }`)},   # trailing } comment
  ${GROUP('b', ", filename_match: 'it''s, [a]'")},
  settings: { push_type: tsd, status_listen: "127.0.0.1:9310" },
}
`);
  });

  it('block style', () => {
    same(`# block
${GROUP('a')}
${GROUP('b')}
settings:
  push_type: tsd
  push_port: 4243
`);
  });

  it('semantic problems: same issues, same positions', () => {
    same(`{
  ${GROUP('a', ', intervall: 3, goroutines: 0')},
  ${GROUP('b').replace('date: { position: 1, format: unix }', 'date: { position: 9, format: "Jan" }')},
  settings: { push_port: 99999, push_proto: carrier-pigeon }
}
`);
  });

  it('steps aside for YAML errors, duplicate names, aliases, a sequence, an indented top level', () => {
    for (const text of [
      `{\n  ${GROUP('a')}\n  ${GROUP('b')}\n}\n`,                 // missing comma
      `{\n  ${GROUP('a')},\n  ${GROUP('a')}\n}\n`,                // the same name twice
      `{\n  ${GROUP('a', ', date: { position: 1, format: unix }')}\n}\n`, // a key given twice in an entry
      `settings: { push_host: &h [ x ] }\n${GROUP('a').replace('[ /var/log/a/*.log ]', '*h')}\n`,
      `- a\n- b\n`,
      `  ${GROUP('a')}\n`,
      `{ ${GROUP('a')} } trailing`,
      `%YAML 1.2\n---\n${GROUP('a')}\n`,
    ]) {
      expect(loadByEntry(text, FILE), text.slice(0, 60)).toBeNull();
    }
  });

  it('splits flow entries at depth-1 commas only', () => {
    const text = `{ a: [1, 2], b: { c: "x, y" }, d: 'e, f' }`;
    expect(splitTopLevel(text)!.map((p) => text.slice(p.start, p.end).trim())).toEqual(['a: [1, 2]', 'b: { c: "x, y" }', "d: 'e, f'"]);
  });
});
