// Datapool tests: a log group from config text, a pool whose points are collected as Point objects,
// and a logger that keeps what it is told. The log clock is whatever time a test records a value at.
import type { LogGroup } from '../../src/config/types.js';
import type { Fields, Logger } from '../../src/core/log.js';
import type { Point } from '../../src/core/types.js';
import { parseConfigText } from '../../src/config/load.js';
import { GroupPool } from '../../src/datapool/pool.js';
import { PointList } from '../../src/output/pointlist.js';
import { Registry } from '../../src/selfstats/registry.js';

export const COUNTER = '{ counter: [ { key_suffix: n, reference: [ [0, ""] ] } ] }';
export const METER = '{ meter: [ { key_suffix: m, reference: [ [3, ""] ] } ] }';
export const HISTOGRAM = '{ histogram: [ { key_suffix: h, reference: [ [3, ""] ] } ] }';

/**
 * A group over lines `<unix time> id=<id> v=<value> host=<host>`: tags `id` ($2) and `host` ($4)
 * unless `tags` says otherwise; `extra` adds group keys.
 */
export function group(extra: Record<string, unknown> = {}, metrics = COUNTER, tags = '{ id: 2 }', name = 'g'): LogGroup {
  const kv = Object.entries(extra).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  const text = `{
  ${JSON.stringify(name)}: {
    files: ["/nonexistent/x.log"],
    re: [ '^(\\S+) id=(\\S+) v=(\\S+) host=(\\S+)' ],
    expected_matches: 4,
    date: { position: 1, format: "unix" },
    key_prefix: p,
    tags: ${tags},
    metrics: ${metrics}${kv ? ',\n    ' + kv : ''}
  },
  settings: { state_file: "" }
}`;
  const { config, issues } = parseConfigText(text, '/tmp/datapool-test.conf');
  if (!config) throw new Error(issues.map((i) => i.message).join('; '));
  return config.groups[0]!;
}

export class MemoryLog implements Logger {
  readonly lines: Array<{ level: string; msg: string; fields: Fields }> = [];
  debug(msg: string, fields: Fields = {}): void { this.lines.push({ level: 'debug', msg, fields }); }
  info(msg: string, fields: Fields = {}): void { this.lines.push({ level: 'info', msg, fields }); }
  warn(msg: string, fields: Fields = {}): void { this.lines.push({ level: 'warn', msg, fields }); }
  error(msg: string, fields: Fields = {}): void { this.lines.push({ level: 'error', msg, fields }); }
  find(re: RegExp): Array<{ level: string; msg: string; fields: Fields }> {
    return this.lines.filter((l) => re.test(l.msg));
  }
}

export interface TestPool {
  pool: GroupPool;
  registry: Registry;
  log: MemoryLog;
  /** Records one line: group-tag values in tag-name order, its log time, one value per reference. */
  /** Records one line; true when it is older than one of its keys' newest update. */
  rec(tags: string[], t: number, ...vals: number[]): boolean;
  /** Points pushed since the last call, as "metric ts value tags". */
  take(): string[];
}

export function testPool(g: LogGroup, wall: () => number = () => 0): TestPool {
  const registry = new Registry();
  const log = new MemoryLog();
  const out = new PointList();
  const pool = new GroupPool(g, registry, out, { log, wallClock: wall });
  const n = pool.refs.length;
  return {
    pool, registry, log,
    rec(tags, t, ...vals) {
      const v = new Float64Array(n).fill(NaN);
      vals.forEach((x, i) => { v[i] = x; });
      return pool.record(tags, t, v);
    },
    take: () => out.points().map(line),
  };
}

export const line = (p: Point): string => `${p.metric} ${p.ts} ${p.value}${p.tags ? ' ' + p.tags : ''}`;
