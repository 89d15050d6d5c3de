// Transforms (spec section 3) run on named positions before anything else, in order.
// `replace`: when the regex matches the value, the WHOLE value becomes the template, where @@N@@ is
// the regex's group N and @@0@@ the whole value. `match_or_default`: keep the value if the regex
// matches, else assign the default. With replace_only_one, once a replace has matched the remaining
// replaces are skipped; match_or_default operations still run.
import type { Transform } from '../config/types.js';

interface CompiledOp {
  replace: boolean;
  re: RegExp;
  /** Template split into literal parts and group numbers: [lit, group, lit, group, ..., lit]. */
  parts: Array<string | number>;
  def: string;
}

export interface CompiledTransform {
  position: number;
  replaceOnlyOne: boolean;
  logDefaultAssign: boolean;
  ops: CompiledOp[];
}

export function compileTransform(t: Transform): CompiledTransform {
  return {
    position: t.position,
    replaceOnlyOne: t.replace_only_one,
    logDefaultAssign: t.log_default_assign,
    ops: t.operations.map((op) => ({
      replace: op.kind === 'replace',
      re: new RegExp(op.regex),
      parts: op.kind === 'replace' ? splitTemplate(op.arg) : [],
      def: op.arg,
    })),
  };
}

function splitTemplate(tpl: string): Array<string | number> {
  const parts: Array<string | number> = [];
  const re = /@@(\d+)@@/g;
  let last = 0;
  for (let m = re.exec(tpl); m; m = re.exec(tpl)) {
    parts.push(tpl.slice(last, m.index), Number(m[1]));
    last = m.index + m[0].length;
  }
  parts.push(tpl.slice(last));
  return parts;
}

/** Result of applying one transform to a value: the new value, and whether a default was assigned. */
export interface TransformResult { value: string; defaulted: boolean }

export function applyTransform(t: CompiledTransform, value: string, out: TransformResult): TransformResult {
  let v = value;
  let replaced = false;
  let defaulted = false;
  for (const op of t.ops) {
    if (op.replace) {
      if (replaced && t.replaceOnlyOne) continue;
      const m = op.re.exec(v);
      if (!m) continue;
      replaced = true;
      const p = op.parts;
      let s = p[0] as string;
      for (let i = 1; i < p.length; i += 2) {
        const g = p[i] as number;
        s += (g === 0 ? v : (m[g] ?? '')) + (p[i + 1] as string);
      }
      v = s;
    } else if (!op.re.test(v)) {
      v = op.def;
      defaulted = true;
    }
  }
  out.value = v;
  out.defaulted = defaulted;
  return out;
}
