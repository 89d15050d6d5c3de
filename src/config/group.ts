// One log group (spec section 2): files, regexes, date, key prefix, tags, metrics, transforms and
// the tuning knobs. Regexes are compiled here with the same functions the parse stage uses, so a
// config that passes --check compiles at run time too.
import path from 'node:path';
import { isScalar } from 'yaml';
import { compileDateParser } from '../parse/date.js';
import { compileMatcher, groupCount, loadRe2 } from '../parse/matcher.js';
import { isValidName } from '../core/sanitize.js';
import { cleanExtended, scalarLineLocator } from './extended.js';
import { readMetrics, readPosition, readTags, type Positions } from './metrics.js';
import {
  Ctx, MapView, asMap, asSeq, isNull, items, join, readBool, readEnum, readNumber, readString,
  type Entry, type NumRule, type YNode,
} from './node.js';
import { DATE_KEYS, DATE_SOURCES, DATE_TIMEZONE_DEFAULT, GROUP_ALIASES, GROUP_DEFAULTS, GROUP_KEYS } from './schema.js';
import { checkInputs, readJournal } from './journal.js';
import { STDIN_PATH } from '../input/stdin.js';
import { readTransforms } from './transforms.js';
import type { DateDef, LogGroup, RegexEngine, RegexPiece } from './types.js';

export function readGroup(ctx: Ctx, name: string, key: YNode, node: YNode, configDir: string): LogGroup {
  const g: LogGroup = {
    name, files: [], re: [], re_pieces: [], expected_matches: 0,
    date: { position: 1, format: '', timezone: DATE_TIMEZONE_DEFAULT },
    key_prefix: '', tags: [], metrics: [], transform: [],
    ...GROUP_DEFAULTS,
  };
  const map = asMap(ctx, node, name);
  if (!map) return g;
  const v = new MapView(ctx, map, name, key, GROUP_KEYS, GROUP_ALIASES);

  let e = v.get('regex_engine');
  if (e) g.regex_engine = readEnum(ctx, e.value, e.path, ['js', 're2'] as const) ?? g.regex_engine;
  const engineOk = g.regex_engine === 'js' || loadRe2() !== null;
  if (!engineOk) {
    ctx.report(e?.value, join(name, 'regex_engine'), 'regex_engine re2 needs the optional "re2" package, which is not installed (npm install re2)');
  }

  const filesEntry = v.get('files');
  if (filesEntry) g.files = readFiles(ctx, filesEntry, configDir);

  const positions: Positions = { expected: undefined, extra: 0 };
  if ((e = v.get('filename_match')) && !isNull(e.value)) {
    const src = readString(ctx, e.value, e.path, { nonEmpty: true });
    positions.extra = undefined;
    if (src !== undefined) {
      try {
        new RegExp(src);
        g.filename_match = src;
        positions.extra = groupCount(src, 'js');
      } catch (err) {
        ctx.report(e.value, e.path, `does not compile: ${(err as Error).message}`);
      }
    }
  }

  const journalEntry = v.get('journal');
  if (journalEntry) {
    g.journal = readJournal(ctx, journalEntry, configDir);
    positions.fields = g.journal.fields.length;
  }

  const counts: Array<{ node: YNode; path: string; groups: number }> = [];
  const reEntry = v.required('re');
  if (reEntry) {
    const seq = asSeq(ctx, reEntry.value, reEntry.path);
    if (seq && seq.items.length === 0) ctx.report(seq, reEntry.path, 'must list at least one regex');
    if (seq) {
      items(ctx, seq).forEach((n, i) => {
        const p = join(reEntry.path, i);
        const r = readRegex(ctx, n, p, engineOk ? g.regex_engine : null);
        if (!r) return;
        g.re.push(r.pattern);
        g.re_pieces.push(r.pieces);
        if (r.groups !== undefined) counts.push({ node: n, path: p, groups: r.groups });
      });
    }
  }

  if ((e = v.required('expected_matches'))) {
    const n = readNumber(ctx, e.value, e.path, { integer: true, min: 0 });
    if (n !== undefined) {
      g.expected_matches = n;
      positions.expected = n;
      for (const c of counts) {
        if (c.groups !== n) {
          ctx.report(c.node, c.path, `has ${c.groups} capture group${c.groups === 1 ? '' : 's'} but expected_matches is ${n}`);
        }
      }
    }
  }

  const dateEntry = v.required('date');
  if (dateEntry) g.date = readDate(ctx, dateEntry, positions);

  if ((e = v.required('key_prefix'))) {
    const s = readString(ctx, e.value, e.path, { nonEmpty: true });
    if (s !== undefined && !isValidName(s)) {
      ctx.report(e.value, e.path, `"${s}" has characters OpenTSDB does not accept in a metric name (allowed: a-z A-Z 0-9 - _ . / and letters)`);
    } else if (s !== undefined) g.key_prefix = s;
  }

  if ((e = v.get('tags'))) g.tags = readTags(ctx, e, positions);
  if ((e = v.get('transform'))) g.transform = readTransforms(ctx, e, positions);
  if ((e = v.required('metrics'))) {
    g.metrics = readMetrics(ctx, e, { positions, tags: g.tags, keyPrefix: g.key_prefix || undefined });
  }

  if ((e = v.get('histogram_kind'))) g.histogram_kind = readEnum(ctx, e.value, e.path, ['forward_decay', 'hdr'] as const) ?? g.histogram_kind;
  const num = (k: NumericKey, rule: NumRule): void => {
    const x = v.get(k);
    if (x) g[k] = readNumber(ctx, x.value, x.path, rule) ?? g[k];
  };
  num('histogram_size', { integer: true, min: 1 });
  num('histogram_alpha_decay', { min: 0 });
  num('histogram_rescale_threshold_min', { positive: true });
  num('ewma_interval', { positive: true });
  num('stale_threshold_min', { positive: true });
  num('goroutines', { integer: true, min: 1 });
  num('interval', { positive: true });
  num('max_files', { integer: true, min: 1 });
  num('max_tag_values', { integer: true, min: 1 });
  num('max_keys', { integer: true, min: 1 });
  for (const k of BOOL_KEYS) {
    const x = v.get(k);
    if (x) g[k] = readBool(ctx, x.value, x.path) ?? g[k];
  }
  checkInputs(ctx, g, { files: filesEntry, journal: journalEntry, filenameMatch: v.get('filename_match'), date: dateEntry }, key);
  return g;
}

type NumericKey = 'histogram_size' | 'histogram_alpha_decay' | 'histogram_rescale_threshold_min' | 'ewma_interval'
  | 'stale_threshold_min' | 'goroutines' | 'interval' | 'max_files' | 'max_tag_values' | 'max_keys';

const BOOL_KEYS = [
  'stale_removal', 'send_duplicates', 'poll_file', 'live_poll', 'parse_from_start', 'warn_on_regex_fail',
  'warn_on_operation_fail', 'warn_on_out_of_order_time', 'log_stale_metrics',
] as const;

/** Non-empty list of globs; relative ones resolve against the config file's directory; "-" is standard input. */
function readFiles(ctx: Ctx, e: Entry, configDir: string): string[] {
  const seq = asSeq(ctx, e.value, e.path);
  if (!seq) return [];
  if (seq.items.length === 0) ctx.report(seq, e.path, 'must list at least one file glob');
  const out: string[] = [];
  items(ctx, seq).forEach((n, i) => {
    const s = readString(ctx, n, join(e.path, i), { nonEmpty: true });
    if (s !== undefined) out.push(s === STDIN_PATH ? s : path.resolve(configDir, s));
  });
  return out;
}

interface ReadRegex { pattern: string; pieces: RegexPiece[]; groups: number | undefined }

/** One `re` entry: extended-style clean-up, then compile with the group's engine (null: unavailable). */
function readRegex(ctx: Ctx, node: YNode, path: string, engine: RegexEngine | null): ReadRegex | undefined {
  const raw = readString(ctx, node, path);
  if (raw === undefined || !isScalar(node)) return undefined;
  const { pattern, pieces } = cleanExtended(raw, scalarLineLocator(node, raw, ctx.src, ctx.lc));
  if (pattern === '') {
    ctx.report(node, path, 'is empty once spaces and comments are removed');
    return undefined;
  }
  if (engine === null) return { pattern, pieces, groups: undefined };
  try {
    compileMatcher(pattern, engine);
    return { pattern, pieces, groups: groupCount(pattern, engine) };
  } catch (err) {
    ctx.report(node, path, `does not compile with regex_engine ${engine} (after removing spaces and comments: ${pattern}): ${(err as Error).message}`);
    return { pattern, pieces, groups: undefined };
  }
}

function readDate(ctx: Ctx, e: Entry, positions: Positions): DateDef {
  const d: DateDef = { position: 1, format: '', timezone: DATE_TIMEZONE_DEFAULT };
  const map = asMap(ctx, e.value, e.path);
  if (!map) return d;
  const v = new MapView(ctx, map, e.path, e.key, DATE_KEYS);
  let x = v.get('source');
  if (x) {
    const source = readEnum(ctx, x.value, x.path, DATE_SOURCES);
    if (source === 'journal') return journalDate(ctx, v, d);
    if (source === undefined) return d; // reported; which keys are required depends on it
  }
  x = v.required('position');
  if (x) d.position = readPosition(ctx, x.value, x.path, positions, 1) ?? d.position;
  let tzOk = true;
  if ((x = v.get('timezone'))) {
    const tz = readString(ctx, x.value, x.path, { nonEmpty: true });
    tzOk = tz !== undefined && validTimezone(tz);
    if (tz !== undefined && !tzOk) {
      ctx.report(x.value, x.path, `unknown time zone "${tz}": use "local", "UTC" or an IANA name such as "Europe/Paris"`);
    }
    if (tzOk) d.timezone = tz!;
  }
  const f = v.required('format');
  if (f) {
    const format = readString(ctx, f.value, f.path, { nonEmpty: true });
    if (format !== undefined) {
      d.format = format;
      if (tzOk) {
        try {
          compileDateParser(format, d.timezone);
        } catch (err) {
          ctx.report(f.value, f.path, `is not a usable date layout: ${(err as Error).message}`);
        }
      }
    }
  }
  return d;
}

/** `date: {source: journal}`: the entry's own time (absolute, so no layout and no zone apply). */
function journalDate(ctx: Ctx, v: MapView, d: DateDef): DateDef {
  for (const k of ['position', 'format', 'timezone'] as const) {
    const x = v.get(k);
    if (x) ctx.report(x.key, x.path, `does not apply with source: journal (the entry's own time is used)`);
  }
  return { source: 'journal', position: 0, format: '', timezone: 'UTC' };
}

function validTimezone(tz: string): boolean {
  if (tz === 'local' || tz === 'UTC') return true;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
