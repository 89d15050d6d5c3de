// Internal metrics as points (spec section 9): every registry series becomes
// `logmetrics_collector.<name>` with its own tags plus host=<hostname>, stamped with the wall time
// the stats tick passes in (internal stats are the one place wall time is the point's time).
import { sanitizeTagValue } from '../core/sanitize.js';
import type { Point } from '../core/types.js';
import { SELF_PREFIX, type Registry, type Series } from './registry.js';
import { formatStatValue } from '../stats/format.js';

/** A series' metric name and tags with host=, built at its first push (10,000 groups: 100,000 series a push). */
const named = new WeakMap<Series, { host: string; metric: string; tags: string }>();

export function registryPoints(registry: Registry, host: string, ts: number): Point[] {
  const hostTag = sanitizeTagValue(host);
  return registry.all().map((s) => {
    let n = named.get(s);
    if (!n || n.host !== hostTag) named.set(s, (n = { host: hostTag, metric: SELF_PREFIX + s.name, tags: pointTags(s, hostTag) }));
    return { metric: n.metric, ts, value: formatStatValue(s.value), tags: n.tags };
  });
}

function pointTags(s: Series, hostTag: string): string {
  const tags: Array<[string, string]> = Object.entries(s.tags).filter(([k]) => k !== 'host');
  tags.push(['host', hostTag]);
  tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return tags.map(([k, v]) => `${k}=${v}`).join(' ');
}
