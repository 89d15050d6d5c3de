// A log group's `tags` and `metrics` (spec sections 2 and 4), with the static OpenTSDB checks: tag
// names and constant values in its character set, at most 8 tags per series, and a shortest
// possible `put` line within 1024 bytes.
import { isScalar, isSeq } from 'yaml';
import { MAX_LINE_BYTES, MAX_TAGS, isValidName, sanitizeTagValue } from '../core/sanitize.js';
import {
  Ctx, MapView, asMap, asSeq, describe, isNull, items, join, optionalPairs, readBool, readEnum, readNumber, readString,
  type Entry, type YNode,
} from './node.js';
import {
  DISTINCT_DEFAULTS, DISTINCT_ONLY_KEYS, DISTINCT_PRECISION, DISTINCT_REFUSED_KEYS, LONGEST_STAT, METRIC_DEFAULTS, METRIC_KEYS,
  METRIC_TYPES, REFERENCE_OP_KEYS,
} from './schema.js';
import { windowMinProblem } from '../stats/window.js';
import type { MetricDef, MetricType, Reference, TagDef } from './types.js';

/** What a group's positions can be: 0 (the line), 1..expected (regex groups), then filename_match groups, then journal fields. */
export interface Positions {
  expected: number | undefined;   // undefined when expected_matches is itself invalid
  extra: number | undefined;      // filename_match groups; undefined when that regex is invalid
  fields?: number;                // journal.fields
}

export function maxPosition(p: Positions): number | undefined {
  return p.expected === undefined || p.extra === undefined ? undefined : p.expected + p.extra + (p.fields ?? 0);
}

/** An integer position in min..max; the upper bound is only checked when it is known. */
export function readPosition(ctx: Ctx, node: YNode, path: string, p: Positions, min = 0): number | undefined {
  const v = readNumber(ctx, node, path, { integer: true, min });
  return v === undefined ? undefined : positionInRange(ctx, node, path, v, p, min);
}

/** Checks an integer position (at least min) against the group's highest position. */
export function positionInRange(ctx: Ctx, node: YNode, path: string, v: number, p: Positions, min = 0): number | undefined {
  const max = maxPosition(p);
  if (max !== undefined && v > max) {
    const first = p.expected! + 1;
    const fm = p.extra ? `, ${first}..${first + p.extra - 1} the filename_match groups` : '';
    const extra = fm + (p.fields ? `, ${first + p.extra!}..${max} the journal fields` : '');
    ctx.report(node, path, `position ${v} is out of range ${min}..${max} (0 is the whole line, ` +
      `1..${p.expected} the regex groups${extra})`);
    return undefined;
  }
  return v;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** `tags: { name: position, name: "constant" }`, sorted by name. */
export function readTags(ctx: Ctx, e: Entry, p: Positions): TagDef[] {
  const tags: TagDef[] = [];
  for (const pair of optionalPairs(ctx, e)) {
    const key = ctx.deref(pair.key);
    const value = ctx.deref(pair.value);
    if (!isScalar(key) || key.value == null || typeof key.value === 'object') {
      ctx.report(key ?? e.value, e.path, `a tag name must be a plain name, got ${describe(key)}`);
      continue;
    }
    const name = String(key.value);
    const path = join(e.path, name);
    if (!isValidName(name)) {
      ctx.report(key, path, `tag name "${name}" has characters OpenTSDB does not accept (allowed: a-z A-Z 0-9 - _ . / and letters)`);
      continue;
    }
    if (isScalar(value) && typeof value.value === 'number') {
      const pos = readPosition(ctx, value, path, p);
      if (pos !== undefined) tags.push({ name, position: pos, value: null });
    } else if (isScalar(value) && typeof value.value === 'string') {
      tags.push({ name, position: null, value: sanitizeTagValue(value.value) });
    } else {
      ctx.report(value ?? key, path, `must be a match position (integer) or a constant (string), got ${describe(value)}`);
    }
  }
  if (tags.length > MAX_TAGS) {
    ctx.report(e.key, e.path, `${tags.length} tags; OpenTSDB accepts at most ${MAX_TAGS} per series`);
  }
  return tags.sort(byName);
}

interface MetricScope {
  positions: Positions;
  tags: TagDef[];
  keyPrefix: string | undefined;
}

/** `metrics: { meter: [...], histogram: [...], counter: [...], distinct: [...] }`. */
export function readMetrics(ctx: Ctx, e: Entry, scope: MetricScope): MetricDef[] {
  const map = asMap(ctx, e.value, e.path);
  if (!map) return [];
  const before = ctx.issues.length;
  const v = new MapView(ctx, map, e.path, e.key, METRIC_TYPES);
  const out: MetricDef[] = [];
  for (const type of METRIC_TYPES) {
    const t = v.get(type);
    if (!t || isNull(t.value)) continue;
    const seq = asSeq(ctx, t.value, t.path);
    if (!seq) continue;
    items(ctx, seq).forEach((node, i) => {
      const m = readMetric(ctx, type, node, join(t.path, i), scope);
      if (m) out.push(m);
    });
  }
  if (out.length === 0 && ctx.issues.length === before) {
    ctx.report(e.key, e.path, 'defines no metric: give at least one meter, histogram, counter or distinct');
  }
  return out;
}

function readMetric(ctx: Ctx, type: MetricType, node: YNode, path: string, scope: MetricScope): MetricDef | undefined {
  const map = asMap(ctx, node, path);
  if (!map) return undefined;
  const v = new MapView(ctx, map, path, map, METRIC_KEYS);
  const m: MetricDef = { type, key_suffix: '', ...METRIC_DEFAULTS, reference: [] };
  let e = v.required('key_suffix');
  if (e) {
    const s = readString(ctx, e.value, e.path, { nonEmpty: true });
    if (s !== undefined && !isValidName(s)) {
      ctx.report(e.value, e.path, `"${s}" has characters OpenTSDB does not accept in a metric name (allowed: a-z A-Z 0-9 - _ . / and letters)`);
    } else if (s !== undefined) m.key_suffix = s;
  }
  if (type === 'distinct') {
    readDistinctKeys(ctx, v, m);
  } else {
    for (const k of DISTINCT_ONLY_KEYS) if ((e = v.get(k))) ctx.report(e.key, e.path, `${k} only applies to distinct metrics`);
    if ((e = v.get('format'))) m.format = readEnum(ctx, e.value, e.path, ['int', 'float'] as const) ?? m.format;
    if ((e = v.get('multiply'))) m.multiply = readNumber(ctx, e.value, e.path) ?? m.multiply;
    if ((e = v.get('divide'))) m.divide = readNumber(ctx, e.value, e.path, { nonZero: true }) ?? m.divide;
  }
  if ((e = v.get('never_stale'))) m.never_stale = readBool(ctx, e.value, e.path) ?? m.never_stale;
  const refs = v.required('reference');
  if (refs) {
    const seq = asSeq(ctx, refs.value, refs.path);
    if (seq && seq.items.length === 0) ctx.report(refs.value, refs.path, 'must list at least one reference');
    if (seq) {
      items(ctx, seq).forEach((r, i) => {
        const ref = readReference(ctx, type, r, join(refs.path, i), scope, m.key_suffix);
        if (ref) m.reference.push(ref);
      });
    }
  }
  return m;
}

/** `window_min` and `precision`; a distinct metric counts its values as written, so no format,
 *  multiply or divide. */
function readDistinctKeys(ctx: Ctx, v: MapView, m: MetricDef): void {
  for (const k of DISTINCT_REFUSED_KEYS) {
    const e = v.get(k);
    if (e) ctx.report(e.key, e.path, `does not apply to a distinct metric, which counts its values as written (strings, not numbers)`);
  }
  m.window_min = DISTINCT_DEFAULTS.window_min;
  m.precision = DISTINCT_DEFAULTS.precision;
  let e = v.get('window_min');
  if (e) {
    const n = readNumber(ctx, e.value, e.path, { integer: true, min: 1 });
    const problem = n === undefined ? null : windowMinProblem(n);
    if (problem !== null) ctx.report(e.value, e.path, `${problem}, got ${n}`);
    else if (n !== undefined) m.window_min = n;
  }
  if ((e = v.get('precision'))) m.precision = readNumber(ctx, e.value, e.path, { integer: true, ...DISTINCT_PRECISION }) ?? m.precision;
}

const REF_SHAPE = 'a reference is [position], [position, "tag=value"] or [position, "tag=value", {add: [...], sub: [...]}]';

function readReference(
  ctx: Ctx, type: MetricType, node: YNode, path: string, scope: MetricScope, suffix: string,
): Reference | undefined {
  if (!isSeq(node) || node.items.length < 1 || node.items.length > 3) {
    ctx.report(node, path, `${REF_SHAPE}, got ${isSeq(node) ? `a list of ${node.items.length}` : describe(node)}`);
    return undefined;
  }
  const [posNode, tagNode, opsNode] = items(ctx, node);
  const ref: Reference = { position: 0, tags: [], add: [], sub: [] };
  const pos = readPosition(ctx, posNode, join(path, 0), scope.positions);
  if (pos === 0 && type === 'histogram') {
    ctx.report(posNode, join(path, 0), 'a histogram needs a value: position 0 (the whole line) only counts lines for a meter or counter');
  } else if (pos === 0 && type === 'distinct') {
    ctx.report(posNode, join(path, 0), 'a distinct metric counts the values of a match group: position 0 (the whole line, its time stamp included) is not one');
  } else if (pos !== undefined) ref.position = pos;
  if (tagNode !== undefined) ref.tags = readRefTags(ctx, tagNode, join(path, 1));
  if (opsNode !== undefined) {
    const map = asMap(ctx, opsNode, join(path, 2));
    if (map && type === 'distinct') {
      ctx.report(opsNode, join(path, 2), 'add/sub do not apply to a distinct metric, which counts its values as written');
    } else if (map) {
      const v = new MapView(ctx, map, join(path, 2), map, REFERENCE_OP_KEYS);
      for (const op of REFERENCE_OP_KEYS) {
        const e = v.get(op);
        if (!e) continue;
        const seq = asSeq(ctx, e.value, e.path);
        if (!seq) continue;
        items(ctx, seq).forEach((n, i) => {
          const p = readPosition(ctx, n, join(e.path, i), scope.positions, 1);
          if (p !== undefined) ref[op].push(p);
        });
      }
      if (pos === 0 && ref.add.length + ref.sub.length > 0) {
        ctx.report(opsNode, join(path, 2), 'add/sub do not apply to position 0, which counts lines');
      }
    }
  }
  checkSeries(ctx, node, path, type, scope, suffix, ref.tags);
  return ref;
}

/** `""`, `"a=b"`, `"a=b c=d"` or `"a=b,c=d"`. */
function readRefTags(ctx: Ctx, node: YNode, path: string): Array<[string, string]> {
  const s = readString(ctx, node, path);
  if (s === undefined) return [];
  const out: Array<[string, string]> = [];
  for (const part of s.split(/[\s,]+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? '' : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (eq < 0 || !isValidName(name) || !isValidName(value)) {
      ctx.report(node, path, `tag "${part}" must be name=value, both in OpenTSDB's character set (a-z A-Z 0-9 - _ . / and letters)`);
      continue;
    }
    if (out.some(([n]) => n === name)) {
      ctx.report(node, path, `tag "${name}" is given twice`);
      continue;
    }
    out.push([name, value]);
  }
  return out;
}

/** Tag count, tag names clashing with the group's, and the shortest possible line of one series. */
function checkSeries(
  ctx: Ctx, node: YNode, path: string, type: MetricType, scope: MetricScope, suffix: string, own: Array<[string, string]>,
): void {
  for (const [name] of own) {
    if (scope.tags.some((t) => t.name === name)) {
      ctx.report(node, path, `tag "${name}" is already one of the group's tags`);
    }
  }
  const n = scope.tags.length + own.length;
  if (n > MAX_TAGS && scope.tags.length <= MAX_TAGS) {
    ctx.report(node, path, `${n} tags (${scope.tags.length} from the group's tags + ${own.length} of its own); ` +
      `OpenTSDB accepts at most ${MAX_TAGS} per series`);
  }
  if (scope.keyPrefix === undefined || suffix === '') return;
  // "put " metric " " 10-digit time " " 1-byte value, then " name=value" per tag (1 byte for a position).
  const metric = `${scope.keyPrefix}.${suffix}.${LONGEST_STAT[type]}`;
  let bytes = 4 + Buffer.byteLength(metric) + 1 + 10 + 1 + 1;
  for (const t of scope.tags) bytes += 2 + Buffer.byteLength(t.name) + (t.value === null ? 1 : Buffer.byteLength(t.value));
  for (const [k, v] of own) bytes += 2 + Buffer.byteLength(k) + Buffer.byteLength(v);
  if (bytes > MAX_LINE_BYTES) {
    ctx.report(node, path, `the shortest line this series can produce is ${bytes} bytes; OpenTSDB accepts at most ${MAX_LINE_BYTES}`);
  }
}
