// --check's limits line and its unbounded-tag heuristics.
import { describe, expect, it } from 'vitest';
import { captureGroups, limitsReport, unboundedLooking } from '../../src/cmd/limits.js';
import { makeStyle } from '../../src/cmd/style.js';
import { group, HISTOGRAM } from '../datapool/helpers.js';

describe('captureGroups', () => {
  it('numbers capturing groups as the regex does, skipping non-capturing ones, classes and escapes', () => {
    expect(captureGroups('^(\\S+)\\s(?:x|y)(\\w+)\\((\\d{3})\\)[(]+(?<name>a|b)(?=z)((c)d)')).toEqual(
      ['\\S+', '\\w+', '\\d{3}', 'a|b', '(c)d', 'c']);
  });
});

describe('unboundedLooking', () => {
  it('is an open-ended quantifier outside a character class', () => {
    for (const b of ['\\S+', '.*', '[^ ]+', '\\w+', '\\d+', '([a-z])+\\d+\\.\\S+', 'a{2,}']) expect(unboundedLooking(b), b).toBe(true);
    for (const b of ['GET|POST', '[a-z]', '\\d{3}', '[+*]', '\\+', 'a{2,5}']) expect(unboundedLooking(b), b).toBe(false);
  });
});

describe('limitsReport', () => {
  const st = makeStyle(false);
  it('estimates the worst case from the limits and warns about an unbounded tag without transform', () => {
    const warnings: string[] = [];
    const s = limitsReport(group({}, HISTOGRAM), st, warnings);
    expect(s).toBe('  limits: max_tag_values 10000, max_keys 100000; worst case 10,001 keys, about 89.1 MiB\n' +
      '    tag id = $2 (\\S+) can take any number of values\n');
    expect(warnings).toEqual(['log group g: tag id comes from $2 (\\S+), which can take any number of values: past max_tag_values ' +
      '(10000) its new values count as _other_; bound it with a transform (match_or_default) or set max_tag_values']);
  });

  it('a transform on the position, or a max_tag_values of its own, silences the warning', () => {
    const warnings: string[] = [];
    limitsReport(group({ max_tag_values: 50, max_keys: 60 }), st, warnings);
    limitsReport(group({ transform: { 2: { operations: [['match_or_default', '^(a|b)$', 'other']] } } }), st, warnings);
    expect(warnings).toEqual([]);
    expect(limitsReport(group({ max_tag_values: 50, max_keys: 60 }), st, [])).toContain('worst case 51 keys');
  });
});
