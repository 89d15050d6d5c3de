// YAML text -> one validated, defaulted Config, or every problem found (spec section 2). The
// original's JSON-like flow style loads as YAML. Nothing stops at the first problem: YAML syntax
// errors are all reported (alone: the rest is checked once the text parses), then unknown keys,
// wrong types, ranges, regexes and OpenTSDB limits are all collected, each with file:line:column and
// a key path, and `config` is only returned when there are none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, visit, type Document, type Pair } from 'yaml';
import { readGroup } from './group.js';
import { Ctx, describe, isNull, type YNode } from './node.js';
import { loadByEntry } from './entries.js';
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
  return loadByEntry(text, abs) ?? parseWholeDocument(text, abs);
}

/** The whole document at once: the only path for YAML errors, anchors and odd layouts (entries.ts is the fast one). */
export function parseWholeDocument(text: string, abs: string): LoadResult {
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
  // A syntax error is reported on its own: what the parser recovered around it (a map cut short, a
  // key swallowed) would add missing-key and type errors that are only its consequences.
  if (ctx.issues.length > 0) return { issues: ctx.issues.sort((a, b) => a.line - b.line || a.column - b.column) };

  const top = newTop();
  const root = doc.contents;
  if (isNull(root)) {
    if (doc.errors.length === 0) ctx.report(root, '', 'the config is empty: it needs at least one log group');
  } else if (!isMap(root)) {
    ctx.report(root, '', `the config must be a mapping of log groups (and settings), got ${describe(root)}`);
  } else {
    const dir = path.dirname(abs);
    for (const pair of root.items) readEntry(ctx, pair, root, dir, top);
    if (top.groups.length === 0 && ctx.issues.length === 0) {
      ctx.report(root, '', 'no log group is defined: nothing to collect');
    }
  }
  return finish(abs, top, ctx.issues);
}

/** What the top-level entries add up to. */
export interface Top {
  settings: Settings;
  groups: LogGroup[];
}

export function newTop(): Top {
  return { settings: { ...SETTINGS_DEFAULTS, push_host: [...SETTINGS_DEFAULTS.push_host] }, groups: [] };
}

/** One top-level entry of `parent`: the settings or a log group. */
export function readEntry(ctx: Ctx, pair: Pair, parent: YNode, dir: string, top: Top): void {
  const key = ctx.deref(pair.key);
  const value = ctx.deref(pair.value);
  if (!isScalar(key) || typeof key.value !== 'string' || key.value === '') {
    ctx.report(key ?? parent, '', `a log group name must be a non-empty string, got ${describe(key)}`);
    return;
  }
  if (key.value === 'settings') top.settings = readSettings(ctx, key, value);
  else top.groups.push(readGroup(ctx, key.value, key, value, dir));
}

export function finish(abs: string, top: Top, found: ConfigIssue[]): LoadResult {
  const issues = found.sort((a, b) => a.line - b.line || a.column - b.column);
  if (issues.length > 0) return { issues };
  return { config: deepFreeze({ file: abs, settings: top.settings, groups: top.groups }), issues };
}

/** Reports a key written twice in one mapping, as the yaml package's own uniqueKeys check words it. */
export function duplicateKeys(doc: Document, ctx: Ctx): void {
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
