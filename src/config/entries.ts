// The fast path of load.ts for a config without YAML errors: each top-level entry (split.ts) is
// parsed and read on its own, so its syntax tree is garbage before the next is parsed. A 10,000-group
// config (3.5 MB) loads in half the time, most of the difference being V8's garbage collection.
// Anything unusual (a YAML error or a key given twice, a piece that is not one key, a name seen twice, no group at all)
// returns null and load.ts parses the whole document, which words every such problem.
import path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, visit, type Document } from 'yaml';
import { Ctx } from './node.js';
import { splitTopLevel } from './split.js';
import { duplicateKeys, finish, newTop, readEntry, type LoadResult } from './load.js';
import type { ConfigIssue } from './types.js';

export function loadByEntry(text: string, abs: string): LoadResult | null {
  const pieces = splitTopLevel(text);
  if (!pieces) return null;
  const whole = lineCounter(text);
  const dir = path.dirname(abs);
  const top = newTop();
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  for (const p of pieces) {
    const src = p.wrap ? '{' + text.slice(p.start, p.end) + '}' : text.slice(p.start, p.end);
    const base = p.wrap ? p.start - 1 : p.start;
    const doc = parseDocument(src, { uniqueKeys: false });
    const root = doc.contents;
    if (doc.errors.length || !isMap(root) || root.items.length !== 1 || hasAlias(doc)) return null;
    const pair = root.items[0]!;
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== 'string' || names.has(key.value)) return null;
    names.add(key.value);
    // Positions in the piece are offsets in the file less `base`.
    const lc = new LineCounter();
    lc.linePos = (offset) => whole.linePos(base + offset);
    const ctx = new Ctx(abs, src, lc, doc);
    duplicateKeys(doc, ctx);
    // A key given twice is a YAML error, reported on its own (load.ts): the whole document words it.
    if (ctx.issues.length > 0) return null;
    readEntry(ctx, pair, root, dir, top);
    for (const i of ctx.issues) issues.push(i);
  }
  if (top.groups.length === 0) return null;
  return finish(abs, top, issues);
}

/** An alias may name an anchor of another entry: only the whole document can resolve it. */
function hasAlias(doc: Document): boolean {
  let found = false;
  visit(doc, { Alias() { found = true; return visit.BREAK; } });
  return found;
}

/** The line starts of `text`, as the yaml parser records them. */
function lineCounter(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}
