// What --dry-run prints for each push_type, read back as points comparable with what a store holds
// (helpers/collector.ts `P`: series "metric tag=v ..." with tags sorted, ts in seconds, value).
import type { P } from './collector.js';
import { parsePoints } from './collector.js';

export type PushType = 'tsd' | 'tcollector' | 'remote_write' | 'influx' | 'otlp';

const series = (metric: string, tags: string[]) => [metric, ...[...tags].sort()].join(' ');

/** `name{a="x",b="y"} value ms` (remote_write, otlp). */
function parseExposition(line: string): P {
  const m = /^([^{ ]+)(?:\{(.*)\})? (\S+) (\d+)$/.exec(line);
  if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
  const tags = m[2] ? [...m[2].matchAll(/([^=,]+)="((?:[^"\\]|\\.)*)"/g)].map((t) => `${t[1]}=${t[2]!.replace(/\\(.)/g, '$1')}`) : [];
  return { series: series(m[1]!, tags), ts: Number(m[4]) / 1000, value: Number(m[3]) };
}

/** `name,a=x,b=y value=V ts` (influx). */
function parseInflux(line: string): P {
  const m = /^([^, ]+)((?:,[^ ]+)?) value=(\S+) (\d+)$/.exec(line);
  if (!m) throw new Error(`not a line protocol line: ${JSON.stringify(line)}`);
  const tags = m[2] ? m[2].slice(1).split(',') : [];
  return { series: series(m[1]!, tags), ts: Number(m[4]), value: Number(m[3]) };
}

export function parseDryRun(type: PushType, text: string): P[] {
  if (type === 'tsd' || type === 'tcollector') return parsePoints(text);
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map(type === 'influx' ? parseInflux : parseExposition);
}

/** The export match of the seed config's series under push_type `type`. */
export function seedMatch(type: PushType): string {
  return type === 'tsd' || type === 'tcollector' ? '{__name__=~"rest\\\\.api\\\\..*"}' : '{__name__=~"rest_api_.*"}';
}
