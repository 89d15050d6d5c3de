// The shipped Apache fixtures: client IPs per status per day, counted with the distinct statistic
// (dates parsed by the collector's own date parser, windows from the group's date settings) and
// compared with an exact Set count per (status, UTC day).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDateParser } from '../../src/parse/date.js';
import { Distinct } from '../../src/stats/distinct.js';
import { WindowCalendar, windowZone } from '../../src/stats/window.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures');

interface Hit { ip: string; t: number; status: string }

/** What the statistic gives and what an exact count gives, per "status day" key. */
function perStatusPerDay(hits: Hit[], format: string): { counted: Map<string, number>; exact: Map<string, number> } {
  const cal = new WindowCalendar(windowZone({ format, timezone: 'local' }), 1440);
  const keys = new Map<string, Distinct>();
  const counted = new Map<string, number>();
  const sets = new Map<string, Set<string>>();
  for (const h of hits) {
    let d = keys.get(h.status);
    if (!d) keys.set(h.status, (d = new Distinct(cal)));
    // The close of a window gives the final count of the day it ended.
    if (d.add(h.ip, h.t)) counted.set(`${h.status} ${dayOf(d.closedAt)}`, d.closedCount);
    counted.set(`${h.status} ${dayOf(h.t)}`, d.count);
    const k = `${h.status} ${dayOf(h.t)}`;
    if (!sets.has(k)) sets.set(k, new Set());
    sets.get(k)!.add(h.ip);
  }
  return { counted, exact: new Map([...sets].map(([k, s]) => [k, s.size])) };
}

const ACCESS_FORMAT = '02/Jan/2006:15:04:05 -0700';

/** The lines of fixtures/apache_access.log whose date parses (the collector drops the others). */
function accessLogHits(): Hit[] {
  const date = compileDateParser(ACCESS_FORMAT, 'local');
  const hits: Hit[] = [];
  for (const line of readFileSync(path.join(FIXTURES, 'apache_access.log'), 'utf8').split('\n')) {
    const m = /^(\S+) \S+ \S+ \[([^\]]+)\] "[^"]*" (\d{3}) /.exec(line);
    const t = m ? date.parse(m[2]!, NaN, NaN) : NaN;
    if (m && !Number.isNaN(t)) hits.push({ ip: m[1]!, t, status: m[3]! });
  }
  return hits;
}

const dayOf = (t: number): string => new Date(Math.floor(t) * 1000).toISOString().slice(0, 10);

describe('client IPs per status per day on the shipped Apache fixtures', () => {
  it('fixtures/apache_access.log (combined format, conf/logmetrics_collector.conf\'s date layout)', () => {
    const hits = accessLogHits();
    expect(hits.length).toBeGreaterThan(55);
    const { counted, exact } = perStatusPerDay(hits, ACCESS_FORMAT);
    expect(counted).toEqual(exact);
    expect(exact.get('200 2026-03-15')).toBe(31);
  });

  it('fixtures/httpd_www.log (the apache_transform golden\'s tab-separated log and layout)', () => {
    const format = '2/Jan/2006:15:04:05 -0700';
    const date = compileDateParser(format, 'local');
    const hits: Hit[] = [];
    for (const line of readFileSync(path.join(FIXTURES, 'httpd_www.log'), 'utf8').split('\n')) {
      const f = line.split('\t');
      if (f.length > 5) hits.push({ ip: f[0]!, t: date.parse(f[3]!, NaN, NaN), status: f[5]! });
    }
    expect(hits).toHaveLength(6);
    const { counted, exact } = perStatusPerDay(hits, format);
    expect(counted).toEqual(exact);
    expect(Object.fromEntries(counted)).toEqual({ '200 2026-02-08': 1, '404 2026-02-08': 1, '500 2026-02-08': 1 });
  });

  it('the same lines spread over three days close each day with its exact count', () => {
    // Each fixture line repeated on three days, a different share of the IPs each day.
    const base = accessLogHits();
    const hits = [0, 1, 2].flatMap((day) => base.filter((_, i) => i % (day + 1) === 0).map((h) => ({ ...h, t: h.t + day * 86400 })));
    const { counted, exact } = perStatusPerDay(hits, ACCESS_FORMAT);
    expect(counted).toEqual(exact);
    expect([...exact.keys()].filter((k) => k.startsWith('200 '))).toEqual(['200 2026-03-15', '200 2026-03-16', '200 2026-03-17']);
  });
});
