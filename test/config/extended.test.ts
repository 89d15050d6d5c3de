// Extended-style regex clean-up and the config line of each piece, whatever the YAML quoting.
import { describe, expect, it } from 'vitest';
import { cleanExtended } from '../../src/config/extended.js';
import { parseConfigText } from '../../src/config/load.js';

describe('cleanExtended', () => {
  it('removes spaces, splits on \\n, drops comments, keeps comment text as written', () => {
    const r = cleanExtended('(\\d+) \\s+   # call time 6 \\n ( [a-z] +)  # server 2,  class 3,\\n');
    expect(r.pattern).toBe('(\\d+)\\s+([a-z]+)');
    expect(r.pieces).toEqual([
      { pattern: '(\\d+)\\s+', comment: 'call time 6', line: 1, spaced: '(\\d+) \\s+' },
      { pattern: '([a-z]+)', comment: 'server 2,  class 3,', line: 1, spaced: '( [a-z] +)' },
    ]);
  });

  it('a pattern with no \\n is one piece; # still starts a comment', () => {
    expect(cleanExtended('a b c')).toEqual({ pattern: 'abc', pieces: [{ pattern: 'abc', comment: '', line: 1, spaced: 'a b c' }] });
    expect(cleanExtended('a#b c').pieces).toEqual([{ pattern: 'a', comment: 'b c', line: 1 }]);
  });

  it('spaces go before the split, so "\\ n" separates too; tabs and \\t stay', () => {
    expect(cleanExtended('a\\ n b').pieces.map((p) => p.pattern)).toEqual(['a', 'b']);
    expect(cleanExtended('a\t\\t b').pattern).toBe('a\t\\tb');
  });

  it('drops pieces with no pattern (comment-only lines, the tail after the last \\n)', () => {
    const r = cleanExtended('# header \\n a # x \\n   \\n b \\n');
    expect(r.pieces.map((p) => [p.pattern, p.comment])).toEqual([['a', 'x'], ['b', '']]);
    expect(r.pattern).toBe('ab');
  });

  it('marks spaces between two tokens on one line (likely meant as \\s), not layout', () => {
    const spaced = (raw: string): Array<string | undefined> => cleanExtended(raw).pieces.map((p) => p.spaced);
    expect(spaced('^(\\S+) (\\S+) (\\d+)$')).toEqual(['^(\\S+) (\\S+) (\\d+)$']);
    // indentation, alignment before a comment, a line break between tokens: layout
    expect(spaced('  ^(\\S+)\\s+      # host \\n\n     (\\d+)$   # n')).toEqual([undefined, undefined]);
    expect(spaced('^(\\S+)\\s+\n   (\\d+)$')).toEqual([undefined]);
    expect(spaced('a #  b c')).toEqual([undefined]);
  });

  it('without a locator, lines count real line breaks in the text', () => {
    expect(cleanExtended('a \\n\nb \\n\n\nc').pieces.map((p) => p.line)).toEqual([1, 2, 4]);
  });
});

const cfg = (reLines: string[]): string[] => [
  '{',
  '  g: {',
  '    files: [ "a.log" ],',
  ...reLines,
  '    expected_matches: 2,',
  '    date: { position: 1, format: "unix" },',
  '    key_prefix: "k",',
  '    metrics: { meter: [ { key_suffix: "s", reference: [ [0] ] } ] }',
  '  }',
  '}',
];
const pieces = (lines: string[]): Array<[number, string, string]> => {
  const r = parseConfigText(lines.join('\n'), '/x.conf');
  expect(r.issues).toEqual([]);
  return r.config!.groups[0]!.re_pieces[0]!.map((p) => [p.line, p.pattern, p.comment]);
};

describe('piece lines in the config file', () => {
  it('single-quoted folded scalar, with a \'\' escape and a blank line', () => {
    expect(pieces(cfg([
      '    re: [',
      "      '(\\d+)\\s   # first 1 \\n",
      '',
      "       it''s\\s     # quote \\n",
      '       (\\w+)       # second 2 \\n\'',
      '    ],',
    ]))).toEqual([[5, '(\\d+)\\s', 'first 1'], [7, "it's\\s", 'quote'], [8, '(\\w+)', 'second 2']]);
  });

  it('double-quoted scalar with escapes', () => {
    expect(pieces(cfg([
      '    re: [ "(\\\\d+)\\x20 # one \\\\n',
      '      x\\u0041     # two \\\\n',
      '      (\\\\w+)" ],',
    ]))).toEqual([[4, '(\\d+)', 'one'], [5, 'xA', 'two'], [6, '(\\w+)', '']]);
  });

  it('block literal and folded scalars', () => {
    expect(pieces([
      'g:',
      '  files: [ a.log ]',
      '  re:',
      '    - |-',
      '      (\\d+)   # one \\n',
      '      (\\w+)   # two \\n',
      '    - >',
      '      (\\d+)   # three \\n',
      '      (\\w+)',
      '  expected_matches: 2',
      '  date: { position: 1, format: unix }',
      '  key_prefix: k',
      '  metrics: { meter: [ { key_suffix: s, reference: [ [0] ] } ] }',
    ])).toEqual([[5, '(\\d+)', 'one'], [6, '(\\w+)', 'two']]);
    const r = parseConfigText([
      'g:', '  files: [ a.log ]', '  re:', '    - |-', '      (\\d+)   # one \\n', '      (\\w+)   # two \\n',
      '    - >', '      (\\d+)   # three \\n', '      (\\w+)', '  expected_matches: 2',
      '  date: { position: 1, format: unix }', '  key_prefix: k', '  metrics: { meter: [ { key_suffix: s, reference: [ [0] ] } ] }',
    ].join('\n'), '/x.conf');
    expect(r.config!.groups[0]!.re_pieces[1]!.map((p) => [p.line, p.comment])).toEqual([[8, 'three'], [9, '']]);
  });

  it('plain multi-line scalar', () => {
    expect(pieces(cfg([
      '    re: [ (\\d+)\\s+  \\n',
      '          (\\w+) ],',
    ]))).toEqual([[4, '(\\d+)\\s+', ''], [5, '(\\w+)', '']]);
  });
});
