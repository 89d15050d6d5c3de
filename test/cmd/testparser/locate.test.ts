// The failure locator of --test-parser: tokens, valid prefixes, pieces, columns.
import { describe, expect, it } from 'vitest';
import { RegexLocator, locateFailure, prefixSource, tokenize } from '../../../src/cmd/testparser/locate.js';
import { loadRe2 } from '../../../src/parse/matcher.js';
import { cleanExtended } from '../../../src/config/extended.js';
import type { RegexPiece } from '../../../src/config/types.js';

const texts = (src: string, engine: 'js' | 're2' = 'js') => tokenize(src, engine).tokens.map((t) => src.slice(t.start, t.end));

function locator(extended: string, engine: 'js' | 're2' = 'js', index = 0): RegexLocator {
  const { pattern, pieces } = cleanExtended(extended);
  return new RegexLocator(index, pattern, pieces, engine);
}

describe('tokenize', () => {
  it('keeps quantifiers with their atom and cuts groups into head, content and closing', () => {
    expect(texts('^(\\d+)\\s[a-z]{3}x*?(?:ab)+$')).toEqual(['^', '(', '\\d+', ')', '\\s', '[a-z]{3}', 'x*?', '(?:', 'a', 'b', ')+', '$']);
  });

  it('keeps groups with alternatives, lookarounds and escapes whole', () => {
    expect(texts('(GET|POST)\\s(?=x)(?<!y)\\x41\\u{1F600}\\p{L}+\\12')).toEqual(['(GET|POST)', '\\s', '(?=x)', '(?<!y)', '\\x41', '\\u{1F600}', '\\p{L}+', '\\12']);
  });

  it('reads classes as the engine does: `]` first is a member for re2 only', () => {
    expect(texts('[]a]b', 're2')).toEqual(['[]a]', 'b']);
    expect(texts('[\\]a]b')).toEqual(['[\\]a]', 'b']);
    expect(texts('(?<name>x)')).toEqual(['(?<name>', 'x', ')']);
  });

  it('makes the whole regex one token when it has a top-level |', () => {
    const t = tokenize('ab|cd', 'js');
    expect(t.topLevelAlternation).toBe(true);
    expect(t.tokens).toHaveLength(1);
  });
});

describe('prefixSource', () => {
  it('closes open groups with the quantifier of their real closing parenthesis', () => {
    const src = '(a(bc)?d)+e';
    const { tokens } = tokenize(src, 'js');
    expect(prefixSource(src, tokens, 0)).toBe('');
    expect(prefixSource(src, tokens, 2)).toBe('(a)+');
    expect(prefixSource(src, tokens, 4)).toBe('(a(b)?)+');
    expect(prefixSource(src, tokens, tokens.length)).toBe(src);
  });
});

describe('RegexLocator', () => {
  it('finds the piece and column; a group may open in one piece and close in a later one', () => {
    const l = locator('^(([a-z])+   # server \\n  \\d+\\.\\S+)\\s+   # domain \\n  end  # end');
    const loc = l.locate('abc-x.y end');
    expect(loc.piece).toBe(1);
    expect(l.pieces[loc.piece]!.comment).toBe('domain');
    expect(loc.column).toBe(4);
    expect(loc.token).toBe('\\d+');
    const loc2 = l.locate('abc1.y  nope');
    expect(loc2.piece).toBe(2);
    expect(loc2.column).toBe(9);
  });

  it('a prefix inside an optional group stays optional', () => {
    const l = locator('^a(\\s+b)?  # opt \\n c  # cee');
    const loc = l.locate('a  x');
    expect(loc.piece).toBe(1);
    expect(loc.token).toBe('c');
    expect(loc.column).toBe(2);
  });

  it('`.*` then the next piece backs up to where that piece could start', () => {
    const l = locator('\\[c:(\\S+)\\].*  # call \\n \\(([0-9]+)\\) # time');
    const line = '[c:get] (http-1) [x] (q)';
    const loc = l.locate(line);
    expect(loc.piece).toBe(1);
    expect(line[loc.column - 1]).toBe('q');
  });

  it('a regex with a top-level | is not cut: piece 1, column 1', () => {
    const l = locator('a  # one \\n b|c  # two');
    const loc = l.locate('zzz');
    expect(loc.whole).toBe(true);
    expect(loc.piece).toBe(0);
    expect(loc.column).toBe(1);
  });

  it('falls back to one piece when the pieces do not spell the regex', () => {
    const pieces: RegexPiece[] = [{ pattern: 'x', comment: 'c', line: 3 }];
    const l = new RegexLocator(0, 'ab', pieces, 'js');
    expect(l.pieces).toEqual([{ pattern: 'ab', comment: 'c', line: 3 }]);
    expect(l.locate('ax').column).toBe(2);
  });

  it('locateFailure prefers the regex with more pieces matched, then the longer column', () => {
    const a = locator('^x  # 1 \\n y  # 2 \\n z  # 3', 'js', 0);
    const b = locator('^x  # 1 \\n yq  # 2', 'js', 1);
    expect(locateFailure([a, b], 'xyw')).toMatchObject({ regex: 0, piece: 2, column: 3 });
    expect(locateFailure([a, b], 'xw')).toMatchObject({ regex: 0, piece: 1, column: 2 });
    const c = locator('^x  # 1 \\n y  # 2 \\n w  # 3 \\n v # 4', 'js', 2);
    expect(locateFailure([a, b, c], 'xywq')).toMatchObject({ regex: 2, piece: 3, column: 4 });
  });

  it.skipIf(loadRe2() === null)('works with regex_engine re2', () => {
    const l = locator('^(\\d+)\\s  # num \\n (?P<w>\\w+)  # word \\n \\s[]x]  # bracket', 're2');
    const loc = l.locate('12 abc y');
    expect(loc.piece).toBe(2);
    expect(loc.column).toBe(8);
    expect(loc.token).toBe('[]x]');
  });
});
