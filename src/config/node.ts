// Reading the YAML tree with positions: every issue names the file, the 1-based line and column of
// the offending node (the key for unknown/missing keys, the value for wrong values) and a key path.
// Readers never throw: they report and return undefined, and the caller falls back to a default so
// the walk continues and every problem is found in one pass.
import { Scalar, isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { ConfigIssue } from './types.js';

export type YNode = Node | null | undefined;

export class Ctx {
  readonly issues: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    readonly src: string,
    readonly lc: LineCounter,
    readonly doc: Document,
  ) {}

  report(node: YNode, path: string, message: string): void {
    this.reportAt(node?.range?.[0] ?? 0, path, message);
  }

  reportAt(offset: number, path: string, message: string): void {
    const { line, col } = this.lc.linePos(offset);
    this.issues.push({ file: this.file, line, column: col, path, message });
  }

  /** Follows YAML aliases (`*name`) to the node they stand for. */
  deref(node: unknown): YNode {
    if (isAlias(node)) return node.resolve(this.doc) as YNode;
    return node as YNode;
  }
}

export const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export function describe(node: YNode): string {
  if (node == null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return `a string (${JSON.stringify(v)})`;
    if (typeof v === 'number') return `${Number.isInteger(v) ? 'an integer' : 'a number'} (${v})`;
    if (typeof v === 'boolean') return `a boolean (${v})`;
    return `a value of an unsupported type (${v instanceof Uint8Array ? "binary" : typeof v})`;
  }
  return 'an unsupported value';
}

export interface Entry {
  name: string;      // canonical key name
  written: string;   // the key as written (may be an alias)
  key: YNode;
  value: YNode;
  path: string;
}

/**
 * A mapping whose keys are checked against a fixed list. take() marks a key used; finish() reports
 * the unused ones as unknown. `aliases` maps an accepted spelling to its canonical name.
 */
export class MapView {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ctx: Ctx,
    readonly node: YAMLMap,
    readonly path: string,
    /** Where "missing key" issues point: the key that owns this mapping, or the mapping itself. */
    private readonly anchor: YNode,
    allowed: readonly string[],
    aliases: Readonly<Record<string, string>> = {},
  ) {
    for (const pair of node.items) {
      const key = ctx.deref(pair.key);
      const value = ctx.deref(pair.value) ?? nullAt(key);
      if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
        ctx.report(key ?? node, path, `a key must be a plain name, got ${describe(key)}`);
        continue;
      }
      const written = String(key.value);
      const name = aliases[written] ?? written;
      const entry: Entry = { name, written, key, value, path: join(path, written) };
      if (!allowed.includes(name)) {
        ctx.report(key, entry.path, `unknown key "${written}"${suggest(written, allowed)}`);
        continue;
      }
      const prev = this.entries.get(name);
      if (prev) {
        ctx.report(key, entry.path, prev.written === written
          ? `"${written}" is given twice`
          : `"${written}" and "${prev.written}" are the same setting; give only one`);
        continue;
      }
      this.entries.set(name, entry);
    }
  }

  get(name: string): Entry | undefined {
    return this.entries.get(name);
  }

  /** The entry, or an issue at the anchor when it is missing. */
  required(name: string): Entry | undefined {
    const e = this.entries.get(name);
    if (!e) this.ctx.report(this.anchor ?? this.node, join(this.path, name), `missing required key "${name}"`);
    return e;
  }
}

/** A `{ key }` pair has no value node; stand one in at the key so issues point there. */
function nullAt(key: YNode): Scalar {
  const n = new Scalar(null);
  if (key?.range) n.range = [key.range[0], key.range[1], key.range[2]];
  return n;
}

function suggest(written: string, allowed: readonly string[]): string {
  let best = '';
  let bestD = 3;
  for (const a of allowed) {
    const d = distance(written, a);
    if (d < bestD) { best = a; bestD = d; }
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

// ---- typed readers -------------------------------------------------------------------------------

export function asMap(ctx: Ctx, node: YNode, path: string): YAMLMap | undefined {
  if (isMap(node)) return node;
  ctx.report(node, path, `must be a mapping ({ key: value, ... }), got ${describe(node)}`);
  return undefined;
}

/** The pairs of an optional mapping: none when it is null (absent), or not a mapping (reported). */
export function optionalPairs(ctx: Ctx, e: Entry): YAMLMap['items'] {
  if (isNull(e.value)) return [];
  return asMap(ctx, e.value, e.path)?.items ?? [];
}

export function asSeq(ctx: Ctx, node: YNode, path: string): YAMLSeq | undefined {
  if (isSeq(node)) return node;
  ctx.report(node, path, `must be a list ([ ... ]), got ${describe(node)}`);
  return undefined;
}

/** The items of a list, aliases followed. */
export function items(ctx: Ctx, seq: YAMLSeq): YNode[] {
  return seq.items.map((n) => ctx.deref(n));
}

export function isNull(node: YNode): boolean {
  return node == null || (isScalar(node) && node.value == null);
}

export function readString(ctx: Ctx, node: YNode, path: string, opts: { nonEmpty?: boolean } = {}): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'string') {
    ctx.report(node, path, `must be a string, got ${describe(node)}`);
    return undefined;
  }
  if (opts.nonEmpty && node.value === '') {
    ctx.report(node, path, 'must not be empty');
    return undefined;
  }
  return node.value;
}

export function readBool(ctx: Ctx, node: YNode, path: string): boolean | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  ctx.report(node, path, `must be true or false, got ${describe(node)}`);
  return undefined;
}

export interface NumRule {
  integer?: boolean;
  min?: number;       // inclusive
  max?: number;       // inclusive
  positive?: boolean; // > 0
  nonZero?: boolean;
}

export function readNumber(ctx: Ctx, node: YNode, path: string, rule: NumRule = {}): number | undefined {
  const v = isScalar(node) ? node.value : undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    ctx.report(node, path, `must be ${rule.integer ? 'an integer' : 'a number'}, got ${describe(node)}`);
    return undefined;
  }
  if (rule.integer && !Number.isInteger(v)) {
    ctx.report(node, path, `must be an integer, got ${v}`);
    return undefined;
  }
  const fail = (what: string): undefined => {
    ctx.report(node, path, `must be ${what}, got ${v}`);
    return undefined;
  };
  if (rule.positive && v <= 0) return fail('greater than 0');
  if (rule.nonZero && v === 0) return fail('non-zero');
  if (rule.min !== undefined && rule.max !== undefined && (v < rule.min || v > rule.max)) {
    return fail(`between ${rule.min} and ${rule.max}`);
  }
  if (rule.min !== undefined && v < rule.min) return fail(`at least ${rule.min}`);
  if (rule.max !== undefined && v > rule.max) return fail(`at most ${rule.max}`);
  return v;
}

export function readEnum<T extends string>(ctx: Ctx, node: YNode, path: string, values: readonly T[]): T | undefined {
  const v = isScalar(node) ? node.value : undefined;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  ctx.report(node, path, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${describe(node)}`);
  return undefined;
}

