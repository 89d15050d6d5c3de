// The Extractor against a plain transcription of spec section 3 (every position copied, transforms run,
// each reference computed on its own, no per-line caches or fast paths), line by line: over every
// fixture config and log, and over configs built to reach the edge cases the fast paths skip work
// for: optional groups, several regexes, position 0 as a tag / date / value, transforms (also on an
// absent group and on a filename_match value), filename_match values, unparsable values, NaN and
// infinities, negative results, multiply/divide truncation, add/sub.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import type { LogGroup } from '../../src/config/types.js';
import { compileDateParser } from '../../src/parse/date.js';
import { Extractor, Outcome, type FileCtx } from '../../src/parse/extract.js';
import { compileMatcher } from '../../src/parse/matcher.js';
import { applyTransform, compileTransform } from '../../src/parse/transform.js';
import { valueParser } from '../../src/parse/values.js';
import { hash53 } from '../../src/stats/hash64.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const WALL = Date.UTC(2026, 10, 23, 12) / 1000;

interface Result {
  outcome: Outcome;
  matchedRegex: number;
  t?: number;
  tagVals?: Array<string | undefined>;
  vals?: number[];
  valueFails?: number;
  negatives?: number;
  defaults?: number;
  positions: Array<string | undefined>;
}

/** Spec section 3, spelled out. Keeps its positions from line to line as the Extractor does. */
class Reference {
  private readonly res;
  private readonly trs;
  private readonly date;
  private readonly pos: Array<string | undefined>;
  private matchedRegex = -1;

  constructor(private readonly g: LogGroup, nExtra: number) {
    this.res = g.re.map((r) => compileMatcher(r, g.regex_engine));
    this.trs = g.transform.map(compileTransform);
    this.date = compileDateParser(g.date.format, g.date.timezone);
    this.pos = new Array(g.expected_matches + 1 + nExtra).fill(undefined);
  }

  extract(line: string, file: FileCtx, wallNow: number): Result {
    const g = this.g;
    let m: ArrayLike<string | undefined> | null = null;
    for (let i = 0; i < this.res.length && m === null; i++) {
      m = this.res[i]!.exec(line);
      if (m !== null) this.matchedRegex = i;
    }
    const pos = this.pos;
    if (m === null) return { outcome: Outcome.NoMatch, matchedRegex: this.matchedRegex, positions: [...pos] };
    pos[0] = line;
    for (let i = 1; i <= g.expected_matches; i++) pos[i] = m[i];
    file.extra?.forEach((v, i) => { pos[g.expected_matches + 1 + i] = v; });
    let defaults = 0;
    for (const tr of this.trs) {
      const before = pos[tr.position];
      const r = applyTransform(tr, before ?? '', { value: '', defaulted: false });
      if (before !== undefined || r.value !== '') pos[tr.position] = r.value;
      if (r.defaulted) defaults++;
    }
    const bad = { outcome: Outcome.BadDate, matchedRegex: this.matchedRegex, positions: [...pos] };
    const dateText = pos[g.date.position];
    if (dateText === undefined) return bad;
    const t = this.date.parse(dateText, Number.isNaN(file.newest) ? wallNow : file.newest, wallNow);
    if (Number.isNaN(t)) return bad;
    if (t < 0 || t >= 2 ** 32) return { ...bad, outcome: Outcome.DateRange };

    let valueFails = 0;
    let negatives = 0;
    const vals: number[] = [];
    for (const metric of g.metrics) {
      const parse = valueParser(metric.format);
      const num = (p: number): number => (pos[p] === undefined ? NaN : parse(pos[p]!));
      for (const r of metric.reference) {
        if (r.position === 0 && metric.type !== 'histogram') { vals.push(1); continue; }
        if (metric.type === 'distinct') { // the value as written, hashed; empty or absent is none
          const raw = pos[r.position];
          if (raw === undefined || raw === '') { valueFails++; vals.push(NaN); } else vals.push(hash53(raw));
          continue;
        }
        let v = num(r.position);
        if (!Number.isNaN(v)) {
          v = (v * metric.multiply) / metric.divide;
          if (metric.format === 'int' && (metric.multiply !== 1 || metric.divide !== 1)) v = Math.trunc(v);
          for (const p of r.add) v += num(p);
          for (const p of r.sub) v -= num(p);
        }
        if (Number.isNaN(v)) { valueFails++; vals.push(NaN); } else if (v < 0) { negatives++; vals.push(NaN); } else vals.push(v);
      }
    }
    return {
      outcome: Outcome.Matched, matchedRegex: this.matchedRegex, t, vals, valueFails, negatives, defaults,
      tagVals: g.tags.map((tag) => (tag.position === null ? undefined : pos[tag.position])),
      positions: [...pos],
    };
  }
}

/** The Extractor's result; `positions` is only read (a getter) when `pos` is not given. */
function fromExtractor(ex: Extractor, outcome: Outcome, pos?: Result['positions']): Result {
  const r: Result = { outcome, matchedRegex: ex.matchedRegex, positions: pos ?? [...ex.positions] };
  if (outcome !== Outcome.Matched) return r;
  return {
    ...r, t: ex.t, tagVals: [...ex.tagVals], vals: [...ex.vals], valueFails: ex.valueFails, negatives: ex.negatives,
    defaults: ex.defaults,
  };
}

/**
 * Runs `lines` through an Extractor and the Reference side by side and expects the same result for
 * every line. `readPositions(i)` says whether to read `positions` after line i (--test-parser reads it
 * after some lines only; the rest of the time nothing does), `extraOf(i)` the FileCtx extras to use.
 */
function compare(g: LogGroup, lines: string[], opts: {
  path?: string; readPositions?: (i: number) => boolean; extraOf?: (i: number, ex: Extractor) => FileCtx['extra'];
} = {}): { matched: number; fails: number; negatives: number; badDates: number } {
  const ex = new Extractor(g);
  const path = opts.path ?? '/logs/app.log';
  const first = ex.fileExtra(path);
  const ref = new Reference(g, g.filename_match ? (new RegExp(g.filename_match + '|').exec('')!.length - 1) : 0);
  // FileCtx with a writable `extra`: extraOf switches files under the same Extractor.
  const fa: { -readonly [K in keyof FileCtx]: FileCtx[K] } = { path, extra: first, newest: NaN };
  const fb: typeof fa = { path, extra: first, newest: NaN };
  const stats = { matched: 0, fails: 0, negatives: 0, badDates: 0 };
  lines.forEach((line, i) => {
    if (opts.extraOf) { fa.extra = opts.extraOf(i, ex); fb.extra = fa.extra; }
    const o = ex.extract(line, fa, WALL);
    const want = ref.extract(line, fb, WALL);
    const read = opts.readPositions ? opts.readPositions(i) : true;
    const got = read ? fromExtractor(ex, o) : fromExtractor(ex, o, want.positions);
    expect(got, `line ${i + 1}: ${JSON.stringify(line)}`).toEqual(want);
    if (o === Outcome.Matched) {
      stats.matched++;
      stats.fails += ex.valueFails;
      stats.negatives += ex.negatives;
      if (!(ex.t <= fa.newest)) fa.newest = ex.t;
      if (!(want.t! <= fb.newest)) fb.newest = want.t!;
    } else if (o === Outcome.BadDate) stats.badDates++;
  });
  return stats;
}

function group(text: string): LogGroup {
  const r = parseConfigText(text, '/x/test.conf');
  expect(r.issues).toEqual([]);
  return r.config!.groups[0]!;
}

describe('Extractor against the reference, over the fixtures', () => {
  const confs = readdirSync(FIXTURES).filter((f) => f.endsWith('.conf')).sort();
  const logs = readdirSync(FIXTURES).filter((f) => f.endsWith('.log')).sort();
  for (const conf of confs) {
    // Every log through every group: the logs of the other groups exercise the no-match path.
    it(conf, () => {
      const g = loadConfig(FIXTURES + conf).config!.groups[0]!;
      let matched = 0;
      for (const log of logs) {
        const lines = readFileSync(FIXTURES + log, 'utf8').split('\n');
        matched += compare(g, lines, { path: FIXTURES + log }).matched;
        // positions read after some lines only (the Extractor may fill them lazily)
        compare(g, lines, { path: FIXTURES + log, readPositions: (i) => i % 3 === 2 });
      }
      expect(matched).toBeGreaterThan(0);
    });
  }
});

describe('Extractor against the reference, edge cases', () => {
  // Three regexes (one that does not match to the end of the line), optional groups, every value
  // rule; also with a tag on position 0 (the line), and with transforms (one on an optional group).
  const edgeConf = (lineTag: boolean, transform: boolean): LogGroup => group(`{
    edge: {
      files: ["/logs/*.log"],
      re: [ '^(\\d+)\\x20a=(\\S+)(?:\\x20b=(\\S+))?\\x20c=(\\S*)$', '^(\\d+|x+)\\x20alt\\x20(\\S+)(?:\\x20(\\S+))?(?:\\x20(\\S*))?$',
            '^(\\d+)\\x20third\\x20(\\d+)(\\d*)()' ],
      expected_matches: 4,
      date: { position: 1, format: "unix" },
      key_prefix: "edge",
      tags: { a: 2, b: 3, k: "const"${lineTag ? ', whole: 0' : ''} },${!transform ? '' : `
      transform: { 3: { operations: [ [ 'replace', '^$', '0' ], [ 'replace', '^(\\d)(\\d+)$', '@@2@@' ] ] },
                   2: { log_default_assign: true, operations: [ [ 'match_or_default', '^[0-9]', '-1' ] ] } },`}
      metrics: {
        meter: [ { key_suffix: "n", reference: [ [0, ""], [3, "x=b"] ] } ],
        counter: [ { key_suffix: "c", reference: [ [4, ""] ] } ],
        histogram: [
          { key_suffix: "h", reference: [ [2, "x=a"], [3, "x=b", {add: [4]}], [4, "x=c", {sub: [2, 3]}] ] },
          { key_suffix: "s", multiply: 3, divide: 2, reference: [ [2, "x=a"], [4, "x=c", {add: [3]}] ] },
          { key_suffix: "f", format: "float", reference: [ [2, "x=a"], [3, "x=b", {sub: [4]}] ] },
          { key_suffix: "g", format: "float", multiply: 0.5, divide: 4, reference: [ [4, "x=c"] ] }
        ]
      }
    }
  }`);
  const values = ['0', '7', '-3', '+5', '12abc', '0x1F', '1e3', '1.5', '-0', '', 'NaN', 'Infinity', '1e400',
    '.5', '5.', '-', '+', '9007199254740993', '123456789012345678', '007', ' 1'];
  const lines: string[] = [];
  let t = 1770523200;
  values.forEach((a, i) => {
    const b = values[(i * 7) % values.length]!;
    const c = values[(i * 11 + 3) % values.length]!;
    const at = t + (i % 4 === 3 ? -5 : i); // some lines out of order
    if (a !== '' && !a.includes(' ')) {
      lines.push(`${at} a=${a} b=${b === '' ? 'x' : b.trim()} c=${c}`, `${at} a=${a} c=${c}`);
      lines.push(`${at} alt ${a}`, `${at} alt ${a} ${b === '' ? '1' : b.trim()}`);
    }
    lines.push(`${at} alt ${a}  ${c}`, 'no match here', `x${at} a=1 c=2`);
  });
  t += 100;
  lines.push(`${t} a=5 b=3 c=1`, `${t} a=1 b=2 c=10`, `${t}.5 alt 3 4 5`, `-${t} alt 1`, `${t}x a=1 c=1`, 'xx alt 3 4', 'x alt 5',
    `${t} third 12 rest`, `${t} third 3`, `${t} third x`);

  const edge = edgeConf(false, false);
  const edgeLineTag = edgeConf(true, false);
  const edgeTransform = edgeConf(false, true);

  const variants = [['direct', edge], ['with a tag on position 0', edgeLineTag], ['with transforms', edgeTransform]] as const;
  for (const [name, g] of variants) {
    it(`matches line by line, positions read after every line (${name})`, () => {
      const s = compare(g, lines);
      // the cases are all reached
      expect(s.matched).toBeGreaterThan(50);
      expect(s.fails).toBeGreaterThan(50);
      expect(s.negatives).toBeGreaterThan(5);
      expect(s.badDates).toBeGreaterThan(0);
    });

    it(`matches line by line, positions read now and then (${name})`, () => {
      compare(g, lines, { readPositions: (i) => i % 5 === 0 });
      compare(g, lines, { readPositions: () => false });
    });
  }

  it('positions are those of the last matched line after a no-match, and after an unparsable date', () => {
    const ex = new Extractor(edge);
    const f: FileCtx = { path: '/logs/a.log', extra: [], newest: NaN };
    expect(ex.extract('1770523200 a=1 b=2 c=3', f, WALL)).toBe(Outcome.Matched);
    expect(ex.extract('nothing', f, WALL)).toBe(Outcome.NoMatch);
    expect(ex.positions).toEqual(['1770523200 a=1 b=2 c=3', '1770523200', '1', '2', '3']);
    expect(ex.extract('17705x23200 alt 4', f, WALL)).toBe(Outcome.NoMatch);
    expect(ex.extract('123456789012345678901234567890 alt 4', f, WALL)).toBe(Outcome.DateRange); // past 2^32 s
    expect(ex.extract('1770523201 alt 4', f, WALL)).toBe(Outcome.Matched);
    expect(ex.extract('1 a=1 c=3', f, WALL)).toBe(Outcome.Matched);
    expect(ex.tagVals).toEqual(['1', undefined, undefined]);
    expect(ex.positions).toEqual(['1 a=1 c=3', '1', '1', undefined, '3']);
    expect(ex.positions).toEqual(['1 a=1 c=3', '1', '1', undefined, '3']);
  });

  // Transforms (replace_only_one, match_or_default with log_default_assign, a transform on a group
  // that did not take part, one on a filename_match value) and filename_match values as tags and values.
  const trConf = (transform: boolean): LogGroup => group(`{
    tr: {
      files: ["/logs/*.log"],
      filename_match: '/(\\w+)-(\\d+)?\\.log$',
      re: [ '^(\\S+)\\x20(\\S+)(?:\\x20(\\S+))?$' ],
      expected_matches: 3,
      date: { position: 1, format: "2006-01-02T15:04:05Z07:00" },${!transform ? '' : `
      transform: {
        2: { replace_only_one: true, log_default_assign: true, operations: [
             [ 'replace', '^/api/(\\w+)/.*$', '/api/@@1@@' ], [ 'replace', '^/api', '/API' ],
             [ 'match_or_default', '^/(api|API)', 'other' ] ] },
        3: { operations: [ [ 'replace', '^-?$', '0' ], [ 'replace', '^$', '0' ] ] },
        5: { operations: [ [ 'replace', '^$', '99' ], [ 'match_or_default', '^\\d+$', '1' ] ] }
      },`}
      key_prefix: "tr",
      tags: { path: 2, site: 4 },
      metrics: { histogram: [ { key_suffix: "v", reference: [ [3, ""], [5, "", {sub: [3]}] ] } ] }
    }
  }`);
  const tr = trConf(true);
  const trPlain = trConf(false);
  const trLines = [
    '2026-02-08T04:00:00Z /api/users/1 5', '2026-02-08T04:00:01Z /api 7', '2026-02-08T04:00:01Z /home',
    '2026-02-08T04:00:02Z /api/x/y -', '2026-02-08T04:00:02+01:00 /api/x/y 200', 'bad-date /api 1',
    '2026-02-08T04:00:03Z /api/a/b 12abc', 'one-field', '2026-02-08T04:00:04Z / 3',
  ];

  for (const [name, g] of [['with transforms', tr], ['without transforms', trPlain]] as const) {
    it(`filename_match values (${name})`, () => {
      for (const path of ['/logs/www-12.log', '/logs/shop-.log', '/logs/www.log']) {
        const s = compare(g, trLines, { path });
        expect(s.matched).toBeGreaterThan(4);
        compare(g, trLines, { path, readPositions: (i) => i % 2 === 1 });
      }
    });

    it(`files switching between matching and non-matching filename_match (${name})`, () => {
      const paths = ['/logs/www-12.log', '/logs/nope.txt', '/logs/shop-.log'];
      compare(g, [...trLines, ...trLines, ...trLines], { extraOf: (i, ex) => ex.fileExtra(paths[i % 3]!) });
    });
  }

  it('a group without filename_match given extras anyway, and given none', () => {
    const extraOf = (i: number): FileCtx['extra'] => (i % 4 === 0 ? ['e1', 'e2'] : i % 4 === 1 ? null : []);
    compare(edge, lines, { extraOf });
    // positions read only after the lines given extras
    compare(edge, lines, { extraOf, readPositions: (i) => i % 4 === 0 });
  });

  it('takes the path that reads the match directly only when nothing needs the positions copied', () => {
    const direct = (g: LogGroup): boolean => (new Extractor(g) as unknown as { direct: boolean }).direct;
    expect(direct(edge)).toBe(true);
    expect(direct(edgeLineTag)).toBe(false);
    expect(direct(edgeTransform)).toBe(false);
    expect(direct(tr)).toBe(false);
    expect(direct(trPlain)).toBe(false);
  });
});

describe('the window of log time (spec section 3)', () => {
  const unixGroup = (): LogGroup => group(`{ u: { files: ["/x/a.log"], re: ['^(-?\\d+(?:\\.\\d+)?)\\s(\\w+)$'], expected_matches: 2,
    date: { position: 1, format: "unix" }, key_prefix: "u", tags: { k: 2 },
    metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } } }`);
  const outcome = (ex: Extractor, line: string, wall = WALL): Outcome => ex.extract(line, { path: 'a', extra: [], newest: NaN }, wall);

  it('refuses dates before 1970 and past 2^32 - 1 s, whatever the skew', () => {
    const ex = new Extractor(unixGroup());
    expect(outcome(ex, '-1 a')).toBe(Outcome.DateRange);
    expect(outcome(ex, '-0.5 a')).toBe(Outcome.DateRange);
    expect(outcome(ex, '0 a')).toBe(Outcome.Matched);
    expect(outcome(ex, '4294967295 a')).toBe(Outcome.Matched);
    expect(outcome(ex, '4294967295.5 a')).toBe(Outcome.DateRange);
    expect(outcome(ex, '4294967296 a')).toBe(Outcome.DateRange);
    expect(outcome(ex, '100000000000 a')).toBe(Outcome.DateRange); // 12 digits
  });

  it('refuses dates more than max_future_skew past the wall clock', () => {
    const ex = new Extractor(unixGroup(), { maxFutureSkew: 86400 });
    expect(outcome(ex, `${WALL + 86400} a`)).toBe(Outcome.Matched);
    expect(outcome(ex, `${WALL + 86400.5} a`)).toBe(Outcome.DateRange);
    expect(outcome(ex, '4102444800 a')).toBe(Outcome.DateRange); // 2100-01-01
    expect(outcome(ex, '4102444800 a', 4102444800 - 60)).toBe(Outcome.Matched);
    expect(outcome(new Extractor(unixGroup(), { maxFutureSkew: 0 }), `${WALL + 1} a`)).toBe(Outcome.DateRange);
  });

  it('layouts: dates before 1970 are refused as well', () => {
    const g = group(`{ l: { files: ["/x/a.log"], re: ['^(\\S+)\\s(\\w+)$'], expected_matches: 2,
      date: { position: 1, format: "2006-01-02T15:04:05Z07:00" }, key_prefix: "l",
      metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } } }`);
    const ex = new Extractor(g, { maxFutureSkew: 86400 });
    expect(outcome(ex, '1969-12-31T23:59:59Z a')).toBe(Outcome.DateRange);
    expect(outcome(ex, '1970-01-01T00:00:00Z a')).toBe(Outcome.Matched);
    expect(outcome(ex, '2100-01-01T00:00:00Z a')).toBe(Outcome.DateRange);
  });
});

describe('defaults assigned by match_or_default', () => {
  it('are counted always and listed (position, before, after) with log_default_assign', () => {
    const conf = (log: boolean): LogGroup => group(`{ d: { files: ["/x/a.log"], re: ['^(\\d+)\\s(\\w+)?\\s?(\\w+)$'], expected_matches: 3,
      date: { position: 1, format: "unix" }, key_prefix: "d", tags: { a: 2, b: 3 },
      transform: { 2: { log_default_assign: ${log}, operations: [ [match_or_default, '^ok$', 'other'] ] },
                   3: { operations: [ [match_or_default, '^ok$', 'else'] ] } },
      metrics: { counter: [ { key_suffix: "n", reference: [ [0, ""] ] } ] } } }`);
    const file = { path: 'a', extra: [], newest: NaN };
    const ex = new Extractor(conf(true));
    expect(ex.extract('1700000000 bad bad', file, WALL)).toBe(Outcome.Matched);
    expect(ex.defaults).toBe(2);
    expect(ex.assigned).toEqual([2, 'bad', 'other']);
    expect(ex.extract('1700000000 ok ok', file, WALL)).toBe(Outcome.Matched);
    expect([ex.defaults, ex.assigned]).toEqual([0, []]);
    expect(ex.extract('1700000000 x', file, WALL)).toBe(Outcome.Matched); // group 2 absent
    expect(ex.assigned).toEqual([2, undefined, 'other']);
    const quiet = new Extractor(conf(false));
    expect(quiet.extract('1700000000 bad bad', file, WALL)).toBe(Outcome.Matched);
    expect([quiet.defaults, quiet.assigned]).toEqual([2, []]);
  });
});
