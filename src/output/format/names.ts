// The one name mapping from our OpenTSDB-style keys to the stores of push_type remote_write, influx
// and otlp (README "Pushing to Prometheus, InfluxDB and OpenTelemetry"): the metric name is the
// OpenTSDB metric with every character outside [a-zA-Z0-9_:] replaced by `_` (a leading digit gets a
// `_` in front, as Prometheus requires), so `rest.api.executions.rate._1min` becomes
// `rest_api_executions_rate__1min`. Tags keep their names where the format allows any (InfluxDB tags,
// OTLP attributes); Prometheus label names are mapped the same way without the `:`.
import type { PushType } from '../../config/types.js';

const METRIC_BAD = /[^a-zA-Z0-9_:]/gu;
const LABEL_BAD = /[^a-zA-Z0-9_]/gu;
const CACHE_MAX = 4096;

function mapped(name: string, bad: RegExp): string {
  const s = name.replace(bad, '_');
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57 ? '_' + s : s;
}

/** `rest.api.executions.rate._1min` -> `rest_api_executions_rate__1min`. */
export function metricName(name: string): string {
  return mapped(name, METRIC_BAD);
}

/** A tag name as a Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*. */
export function labelName(name: string): string {
  return mapped(name, LABEL_BAD);
}

/** The metric name a point gets under push_type `type` (unchanged for tsd and tcollector). */
export function pushedName(type: PushType, name: string): string {
  return type === 'tsd' || type === 'tcollector' ? name : metricName(name);
}

/** A tag's name under push_type `type`: a label name for remote_write, unchanged otherwise. */
export function pushedTagName(type: PushType, name: string): string {
  return type === 'remote_write' ? labelName(name) : name;
}

/**
 * Remembers mapped names: a key's names repeat on every push. Bounded (it starts over when full), so
 * it never grows with what the logs contain.
 */
export class NameCache {
  private readonly map = new Map<string, string>();
  constructor(private readonly fn: (s: string) => string) {}

  get(name: string): string {
    let v = this.map.get(name);
    if (v === undefined) {
      if (this.map.size >= CACHE_MAX) this.map.clear();
      v = this.fn(name);
      this.map.set(name, v);
    }
    return v;
  }
}
