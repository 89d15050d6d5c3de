// Metric references flattened for the Extractor (spec section 3): one entry per reference of every
// metric, in config order, with where its value comes from and how it is computed, and a per-line
// cache of parsed values: every (position, format) some reference reads is parsed once a line (the
// seed config reads 11 positions 18 times).
import type { LogGroup } from '../config/types.js';
import { valueParser, type ValueParser } from './values.js';

/** A flattened metric reference: where its value comes from and how it is computed. */
export interface FlatRef {
  position: number;
  counts: boolean;           // meter/counter on position 0: adds 1
  /** distinct: records the hash53() of the value as written (the string itself is never kept). */
  hashes: boolean;
  /** counts or hashes: the value is not parsed as a number. */
  unparsed: boolean;
  parse: ValueParser;
  multiply: number;
  divide: number;
  /** `int` values stay integers: the scaled value is truncated, as the original did. */
  truncate: boolean;
  add: number[];
  sub: number[];
  /** Index into the per-line parsed-value cache for `position` (-1 when counts or hashes). */
  slot: number;
  addSlots: number[];
  subSlots: number[];
}

export interface FlatRefs {
  refs: FlatRef[];
  /** Per cache slot: the position parsed, and with which parser. */
  slotPos: number[];
  slotParse: ValueParser[];
}

export function flattenRefs(group: LogGroup): FlatRefs {
  const out: FlatRefs = { refs: [], slotPos: [], slotParse: [] };
  const slots = new Map<string, number>();
  const slotOf = (position: number, format: string, parse: ValueParser): number => {
    const id = `${position} ${format}`;
    let s = slots.get(id);
    if (s === undefined) {
      s = out.slotPos.length;
      slots.set(id, s);
      out.slotPos.push(position);
      out.slotParse.push(parse);
    }
    return s;
  };
  for (const m of group.metrics) {
    const parse = valueParser(m.format);
    for (const r of m.reference) {
      const counts = r.position === 0 && m.type !== 'histogram';
      const hashes = m.type === 'distinct';
      out.refs.push({
        position: r.position,
        counts,
        hashes,
        unparsed: counts || hashes,
        parse,
        multiply: m.multiply,
        divide: m.divide,
        truncate: m.format === 'int' && (m.multiply !== 1 || m.divide !== 1),
        add: r.add,
        sub: r.sub,
        slot: counts || hashes ? -1 : slotOf(r.position, m.format, parse),
        addSlots: r.add.map((p) => slotOf(p, m.format, parse)),
        subSlots: r.sub.map((p) => slotOf(p, m.format, parse)),
      });
    }
  }
  return out;
}
