// A log group's `transform` mapping (spec section 3): position -> {replace_only_one,
// log_default_assign, operations: [[kind, regex, arg], ...]}. The regexes are compiled as written
// (no extended-style clean-up) with JavaScript's RegExp, as src/parse/transform.ts compiles them.
import { isScalar, isSeq } from 'yaml';
import { Ctx, MapView, asMap, asSeq, describe, items, join, optionalPairs, readBool, readEnum, readString, type Entry, type YNode } from './node.js';
import { positionInRange, readPosition, type Positions } from './metrics.js';
import { TRANSFORM_KEYS, TRANSFORM_OPS } from './schema.js';
import type { Transform, TransformOp } from './types.js';

export function readTransforms(ctx: Ctx, e: Entry, p: Positions): Transform[] {
  const out: Transform[] = [];
  for (const pair of optionalPairs(ctx, e)) {
    const key = ctx.deref(pair.key);
    const raw = isScalar(key) ? key.value : undefined;
    const path = join(e.path, String(raw));
    const asNum = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof asNum !== 'number') {
      ctx.report(key ?? e.value, path, `a transform key must be a match position (integer), got ${describe(key)}`);
      continue;
    }
    const pos = typeof raw === 'number' ? readPosition(ctx, key, path, p) : positionInRange(ctx, key, path, asNum, p);
    if (pos === undefined) continue;
    if (out.some((t) => t.position === pos)) {
      ctx.report(key, path, `position ${pos} has two transforms; put all its operations in one`);
      continue;
    }
    const t = readTransform(ctx, key, ctx.deref(pair.value), path, pos);
    if (t) out.push(t);
  }
  return out.sort((a, b) => a.position - b.position);
}

function readTransform(ctx: Ctx, key: YNode, node: YNode, path: string, position: number): Transform | undefined {
  const map = asMap(ctx, node, path);
  if (!map) return undefined;
  const v = new MapView(ctx, map, path, key, TRANSFORM_KEYS);
  const t: Transform = { position, replace_only_one: false, log_default_assign: false, operations: [] };
  let e = v.get('replace_only_one');
  if (e) t.replace_only_one = readBool(ctx, e.value, e.path) ?? false;
  e = v.get('log_default_assign');
  if (e) t.log_default_assign = readBool(ctx, e.value, e.path) ?? false;
  const ops = v.required('operations');
  if (!ops) return t;
  const seq = asSeq(ctx, ops.value, ops.path);
  if (!seq) return t;
  items(ctx, seq).forEach((n, i) => {
    const op = readOperation(ctx, n, join(ops.path, i));
    if (op) t.operations.push(op);
  });
  return t;
}

function readOperation(ctx: Ctx, node: YNode, path: string): TransformOp | undefined {
  if (!isSeq(node) || node.items.length !== 3) {
    ctx.report(node, path, `an operation is [kind, regex, argument], e.g. ['replace', '^-$', '0'], got ${
      isSeq(node) ? `a list of ${node.items.length}` : describe(node)}`);
    return undefined;
  }
  const [kindNode, reNode, argNode] = items(ctx, node);
  const kind = readEnum(ctx, kindNode, join(path, 0), TRANSFORM_OPS);
  const regex = readString(ctx, reNode, join(path, 1));
  const arg = readString(ctx, argNode, join(path, 2));
  if (kind === undefined || regex === undefined || arg === undefined) return undefined;
  let groups: number;
  try {
    new RegExp(regex);
    groups = (new RegExp(regex + '|').exec('')?.length ?? 1) - 1;
  } catch (err) {
    ctx.report(reNode, join(path, 1), `does not compile: ${(err as Error).message}`);
    return undefined;
  }
  if (kind === 'replace') {
    for (const m of arg.matchAll(/@@(\d+)@@/g)) {
      if (Number(m[1]) > groups) {
        ctx.report(argNode, join(path, 2), `@@${m[1]}@@ refers to group ${m[1]}, but the regex has ${groups} group${groups === 1 ? '' : 's'}`);
      }
    }
  }
  return { kind, regex, arg };
}
