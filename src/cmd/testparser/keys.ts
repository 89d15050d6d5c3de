// --show-keys: the keys one matched line produces and the raw value it records for each, before any
// statistics. One line per metric reference, in config order (meter, histogram, counter as the
// extractor flattens them):
//   <key_prefix>.<key_suffix> (<type>) <log time, s> <value> <tags>
//   <key_prefix>.<key_suffix> (<type>) <log time, s> - <tags>  (not recorded: <why>)
// A distinct reference shows the value it counts as written, quoted (the collector keeps only its hash).
// Tags as the pushed points carry them: the group's tags sorted by name (values sanitised,
// constants as configured), then the reference's own tags. Names as push_type sends them (remote_write,
// influx, otlp: the mapped metric name; remote_write: label names too; output/format/names.ts).
import type { LogGroup, MetricType, PushType, ValueFormat } from '../../config/types.js';
import { pushedName, pushedTagName } from '../../output/format/names.js';
import type { Extractor } from '../../parse/extract.js';
import { sanitizeTagValue } from '../../core/sanitize.js';
import { formatPlain } from '../../stats/format.js';
import type { Style } from '../style.js';

export interface RefInfo {
  type: MetricType;
  base: string;        // key_prefix.key_suffix
  ownTags: string;     // "a=b c=d" or ""
  format: ValueFormat;
}

/** The group's references, in the order the extractor flattens them (its `vals` index). */
export function refInfos(g: LogGroup, push: PushType = 'tsd'): RefInfo[] {
  const out: RefInfo[] = [];
  for (const m of g.metrics) {
    for (const r of m.reference) {
      out.push({ type: m.type, base: pushedName(push, `${g.key_prefix}.${m.key_suffix}`),
        ownTags: r.tags.map(([k, v]) => `${pushedTagName(push, k)}=${v}`).join(' '), format: m.format });
    }
  }
  return out;
}

/** The positions (after transforms) of the line last given to `ex.extract`. */
export function positions(ex: Extractor): ReadonlyArray<string | undefined> {
  return ex.positions;
}

/** The group tags of the line last extracted, as `name=value` sorted by name (constants included). */
export function groupTagString(g: LogGroup, ex: Extractor, push: PushType = 'tsd'): string {
  return g.tags.map((t, i) => `${pushedTagName(push, t.name)}=${t.position === null ? t.value : sanitizeTagValue(ex.tagVals[i] ?? '')}`).join(' ');
}

/** Why reference `i` recorded nothing for the line last extracted. */
export function notRecordedReason(ex: Extractor, i: number, format: ValueFormat): string {
  const r = ex.refs[i]!;
  const pos = positions(ex);
  if (r.hashes) return pos[r.position] === undefined ? `$${r.position} did not take part in the match` : `$${r.position} is empty`;
  const check = (p: number): string | null => {
    const raw = pos[p];
    if (raw === undefined) return `$${p} did not take part in the match`;
    if (Number.isNaN(r.parse(raw))) return `$${p} ${JSON.stringify(raw)} is not a valid ${format}`;
    return null;
  };
  const why = check(r.position) ?? r.add.map(check).find((x) => x !== null) ?? r.sub.map(check).find((x) => x !== null);
  if (why) return why;
  let v = r.parse(pos[r.position]!);
  if (r.multiply !== 1) v *= r.multiply;
  if (r.divide !== 1) v /= r.divide;
  if (r.truncate) v = Math.trunc(v);
  for (const a of r.add) v += r.parse(pos[a]!);
  for (const s of r.sub) v -= r.parse(pos[s]!);
  const parts = [`$${r.position}`, ...r.add.map((a) => `+ $${a}`), ...r.sub.map((s) => `- $${s}`)].join(' ');
  return `${parts} = ${formatPlain(v)} is below 0`;
}

/** The key lines for the line last extracted (Outcome.Matched). */
export function keyLines(g: LogGroup, ex: Extractor, refs: RefInfo[], st: Style, push: PushType = 'tsd'): string[] {
  const gt = groupTagString(g, ex, push);
  const ts = Math.floor(ex.t);
  const out: string[] = [];
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    const tags = gt && ref.ownTags ? `${gt} ${ref.ownTags}` : gt || ref.ownTags;
    const v = ex.vals[i]!;
    const head = `${st.cyan(ref.base)} ${st.dim(`(${ref.type})`)} ${ts}`;
    if (Number.isNaN(v)) {
      out.push(`${head} ${st.red('-')}${tags ? ' ' + tags : ''}  ${st.red(`(not recorded: ${notRecordedReason(ex, i, ref.format)})`)}`);
    } else {
      const shown = ex.refs[i]!.hashes ? JSON.stringify(positions(ex)[ex.refs[i]!.position]) : formatPlain(v);
      out.push(`${head} ${shown}${tags ? ' ' + tags : ''}`);
    }
  }
  return out;
}
