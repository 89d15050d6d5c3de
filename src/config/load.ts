// YAML text -> one validated, defaulted Config, or every problem found (spec section 2). The
// original's JSON-like flow style loads as YAML. Nothing stops at the first problem: YAML syntax
// errors (the parser recovers), unknown keys, wrong types, ranges, regexes and OpenTSDB limits are all
// collected, each with file:line:column and a key path, and `config` is only returned when there are
// none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, visit, type Document } from 'yaml';
import { readGroup } from './group.js';
import { Ctx, describe, isNull } from './node.js';
import { readSettings } from './settings.js';
import { SETTINGS_DEFAULTS } from './schema.js';
import type { Config, ConfigIssue, LogGroup, Settings } from './types.js';

export interface LoadResult {
  config?: Config;
  issues: ConfigIssue[];
}

export function loadConfig(file: string): LoadResult {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { issues: [{ file: abs, line: 1, column: 1, path: '', message: `cannot read the config file: ${e.code ?? ''} ${e.message}`.trim() }] };
  }
  return parseConfigText(text, abs);
}

/** Parses config text as if read from `file` (relative `files` globs resolve against its directory). */
export function parseConfigText(text: string, file: string): LoadResult {
  const abs = path.resolve(file);
  const lc = new LineCounter();
  // The yaml package checks key uniqueness by scanning the map at each key (O(keys²): 10,000 groups
  // took seconds); duplicateKeys() does the same check with a Set.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: false });
  const ctx = new Ctx(abs, text, lc, doc);
  duplicateKeys(doc, ctx);

  for (const err of doc.errors) {
    const pos = err.linePos?.[0];
    // The pretty message repeats the position and quotes the source line; the first line is enough.
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    ctx.issues.push({ file: abs, line: pos?.line ?? 1, column: pos?.col ?? 1, path: '', message: `YAML: ${message}` });
  }

  let settings: Settings = { ...SETTINGS_DEFAULTS, push_host: [...SETTINGS_DEFAULTS.push_host] };
  const groups: LogGroup[] = [];
  const root = doc.contents;
  if (isNull(root)) {
    if (doc.errors.length === 0) ctx.report(root, '', 'the config is empty: it needs at least one log group');
  } else if (!isMap(root)) {
    ctx.report(root, '', `the config must be a mapping of log groups (and settings), got ${describe(root)}`);
  } else {
    const dir = path.dirname(abs);
    for (const pair of root.items) {
      const key = ctx.deref(pair.key);
      const value = ctx.deref(pair.value);
      if (!isScalar(key) || typeof key.value !== 'string' || key.value === '') {
        ctx.report(key ?? root, '', `a log group name must be a non-empty string, got ${describe(key)}`);
        continue;
      }
      if (key.value === 'settings') settings = readSettings(ctx, key, value);
      else groups.push(readGroup(ctx, key.value, key, value, dir));
    }
    if (groups.length === 0 && ctx.issues.length === 0) {
      ctx.report(root, '', 'no log group is defined: nothing to collect');
    }
  }

  const issues = ctx.issues.sort((a, b) => a.line - b.line || a.column - b.column);
  if (issues.length > 0) return { issues };
  return { config: deepFreeze({ file: abs, settings, groups }), issues };
}

/** Reports a key written twice in one mapping, as the yaml package's own uniqueKeys check words it. */
function duplicateKeys(doc: Document, ctx: Ctx): void {
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) ctx.report(key, '', 'YAML: Map keys must be unique');
        else seen.add(key.value);
      }
    },
  });
}

/** One newline-terminated line per issue, `FILE:LINE:COLUMN: KEY.PATH: message` (no key path for YAML syntax errors). */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => `${i.file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}\n`)
    .join('');
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
