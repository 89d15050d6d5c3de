// Internal metrics (spec section 9): every stage registers its series here once and then bumps
// `value` directly on the hot path (no lookups per line). The pusher pool turns them into points
// every stats_interval; the status endpoint serves the same figures.
import { sanitizeTagValue } from '../core/sanitize.js';

export type SeriesKind = 'counter' | 'gauge';

export interface Series {
  readonly name: string;     // without the "logmetrics_collector." prefix, e.g. "tail.line_read"
  readonly tags: Readonly<Record<string, string>>;
  readonly tagString: string;// "k=v k2=v2", sorted by name, sanitised
  readonly kind: SeriesKind;
  value: number;
  /** Its tags with host=, for the stats push (points.ts): made at its first push, kept with it. */
  pushTags: { host: string; tags: string } | null;
}

export const SELF_PREFIX = 'logmetrics_collector.';

export class Registry {
  private series = new Map<string, Series>();

  counter(name: string, tags: Record<string, string | number> = {}): Series {
    return this.get(name, tags, 'counter');
  }

  gauge(name: string, tags: Record<string, string | number> = {}): Series {
    return this.get(name, tags, 'gauge');
  }

  /** Forgets a series (a file no longer tailed, a pool removed by a reload). */
  remove(s: Series): void {
    this.series.delete(s.name + ' ' + s.tagString);
  }

  all(): Series[] {
    return [...this.series.values()];
  }

  private get(name: string, tags: Record<string, string | number>, kind: SeriesKind): Series {
    const clean: Record<string, string> = {};
    for (const k of Object.keys(tags).sort()) clean[k] = sanitizeTagValue(String(tags[k]));
    const tagString = Object.entries(clean).map(([k, v]) => `${k}=${v}`).join(' ');
    const id = name + ' ' + tagString;
    let s = this.series.get(id);
    if (!s) {
      s = { name, tags: clean, tagString, kind, value: 0, pushTags: null };
      this.series.set(id, s);
    }
    return s;
  }
}
