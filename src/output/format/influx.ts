// InfluxDB line protocol (push_type influx), second precision:
//   <metric>[,<tag>=<value>...] value=<value> <seconds>
// The measurement is the mapped metric name (names.ts), tags keep their names and are sorted by name
// (as InfluxDB recommends), the one field is `value` and always a float (an integer field would
// conflict with the same statistic printed with decimals another time). Tag values are sanitised
// upstream; commas, equals signs and spaces are escaped all the same.
import type { Point } from '../../core/types.js';
import { metricName, NameCache } from './names.js';
import { parseTags } from './opentsdb.js';

const CACHE_MAX = 4096;

function escape(s: string, special: RegExp): string {
  return special.test(s) ? s.replace(/[,= \\]/g, (c) => '\\' + c) : s;
}

const MEASUREMENT_SPECIAL = /[, \\]/;
const TAG_SPECIAL = /[,= \\]/;

/** `,a=x,b=y` for a tag string (empty for none). */
export function influxTags(tags: string): string {
  return Object.entries(parseTags(tags)).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `,${escape(k, TAG_SPECIAL)}=${escape(v, TAG_SPECIAL)}`).join('');
}

export class InfluxEncoder {
  private readonly names = new NameCache((m) => escape(metricName(m), MEASUREMENT_SPECIAL));
  private readonly tags = new Map<string, string>();

  /** One point's line, without its newline. */
  text(p: Point): string {
    let t = this.tags.get(p.tags);
    if (t === undefined) {
      if (this.tags.size >= CACHE_MAX) this.tags.clear();
      t = influxTags(p.tags);
      this.tags.set(p.tags, t);
    }
    return `${this.names.get(p.metric)}${t} value=${p.value} ${p.ts}`;
  }

  /** The POST body: one line per point, each newline-terminated. */
  body(points: readonly Point[]): Buffer {
    let s = '';
    for (const p of points) s += this.text(p) + '\n';
    return Buffer.from(s, 'utf8');
  }
}
