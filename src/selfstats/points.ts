// Internal metrics as points (spec section 9): every registry series becomes
// `logmetrics_collector.<name>` with its own tags plus host=<hostname>, stamped with the wall time
// the stats tick passes in (internal stats are the one place wall time is the point's time).
import { sanitizeTagValue } from '../core/sanitize.js';
import type { Point } from '../core/types.js';
import { SELF_PREFIX, type Registry } from './registry.js';

/** Integers print without a decimal point, other values with at most 6 decimals (spec section 4). */
export function formatStatValue(v: number): string {
  if (!Number.isFinite(v)) return '0';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(6)));
}

export function registryPoints(registry: Registry, host: string, ts: number): Point[] {
  const hostTag = sanitizeTagValue(host);
  return registry.all().map((s) => {
    const tags: Array<[string, string]> = Object.entries(s.tags).filter(([k]) => k !== 'host');
    tags.push(['host', hostTag]);
    tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return {
      metric: SELF_PREFIX + s.name,
      ts,
      value: formatStatValue(s.value),
      tags: tags.map(([k, v]) => `${k}=${v}`).join(' '),
    };
  });
}
