// The windowed distinct statistic of one key: a 3-day replay closes three day windows whose final
// counts match exact per-day counts, on a DST day too; the clock can close a window without a value;
// late lines count in the total only; a restart from the saved state continues identically.
import { describe, expect, it } from 'vitest';
import { getZone } from '../../src/parse/date-zone.js';
import { Distinct, type DistinctState } from '../../src/stats/distinct.js';
import { Prng } from '../../src/stats/prng.js';
import { WindowCalendar } from '../../src/stats/window.js';

const utc = (iso: string): number => Date.parse(iso) / 1000;

interface Line { t: number; user: string }

// Three local days in Paris around the 2024 fall-back (27 October has 25 hours), with day 4's first
// line last. Day 1: few users (the exact range); day 2: many (dense); day 3: some, partly day 2's.
const PARIS_DAYS = [utc('2024-10-25T22:00:00Z'), utc('2024-10-26T22:00:00Z'), utc('2024-10-27T23:00:00Z'), utc('2024-10-28T23:00:00Z')];

function threeDays(seed: number): Line[] {
  const r = new Prng(seed);
  const lines: Line[] = [];
  const day = (d: number, n: number, user: () => string): void => {
    const from = PARIS_DAYS[d]!;
    const span = PARIS_DAYS[d + 1]! - from;
    for (let i = 0; i < n; i++) lines.push({ t: from + Math.floor(r.next() * span * 1000) / 1000, user: user() });
  };
  day(0, 3000, () => `u${Math.floor(r.next() * 400)}`);
  day(1, 120_000, () => `u${Math.floor(r.next() * 60_000)}`);
  day(2, 40_000, () => `u${50_000 + Math.floor(r.next() * 8000)}`);
  lines.sort((a, b) => a.t - b.t);
  lines.push({ t: PARIS_DAYS[3]! + 5, user: 'u1' });
  return lines;
}

interface Closed { at: number; count: number }

function replay(d: Distinct, lines: Line[], closed: Closed[] = []): Closed[] {
  for (const l of lines) if (d.add(l.user, l.t)) closed.push({ at: d.closedAt, count: d.closedCount });
  return closed;
}

/** Exact distinct users per window, with the windows' edges given independently of WindowCalendar. */
function exactPerWindow(lines: Line[], edges: number[]): number[] {
  return edges.slice(0, -1).map((from, i) => new Set(lines.filter((l) => l.t >= from && l.t < edges[i + 1]!).map((l) => l.user)).size);
}

const paris = (): WindowCalendar => new WindowCalendar(getZone('Europe/Paris'), 1440);

describe('a 3-day replay', () => {
  const lines = threeDays(1);

  it('closes three day windows, stamped at their last second, with the exact per-day counts (within 2% when dense)', () => {
    const d = new Distinct(paris());
    const closed = replay(d, lines);
    const exact = exactPerWindow(lines, PARIS_DAYS);
    expect(closed.map((c) => c.at)).toEqual([PARIS_DAYS[1]! - 1, PARIS_DAYS[2]! - 1, PARIS_DAYS[3]! - 1]);
    expect(closed[0]!.count).toBe(exact[0]); // below the sparse threshold: exact
    for (let i = 1; i < 3; i++) expect(Math.abs(closed[i]!.count - exact[i]!) / exact[i]!, `day ${i + 1}`).toBeLessThan(0.02);
    const all = new Set(lines.map((l) => l.user)).size;
    expect(Math.abs(d.countTotal - all) / all).toBeLessThan(0.02);
    expect(d.count).toBe(1); // day 4 so far: one user
    console.log(`per day exact ${exact.join(', ')}; closed ${closed.map((c) => c.count).join(', ')}; total exact ${all}, counted ${d.countTotal}`);
  });

  it('pushes a running count between the edges: exact in the sparse range', () => {
    const d = new Distinct(paris());
    const seen = new Set<string>();
    for (const l of lines.filter((x) => x.t < PARIS_DAYS[1]!)) {
      d.add(l.user, l.t);
      seen.add(l.user);
      expect(d.count).toBe(seen.size);
      expect(d.countTotal).toBe(seen.size);
    }
  });

  it('cuts the same lines at UTC midnights with a UTC calendar', () => {
    const d = new Distinct(new WindowCalendar(getZone('UTC'), 1440));
    const closed = replay(d, lines);
    const edges = [utc('2024-10-25T00:00:00Z'), utc('2024-10-26T00:00:00Z'), utc('2024-10-27T00:00:00Z'), utc('2024-10-28T00:00:00Z'), utc('2024-10-29T00:00:00Z')];
    const exact = exactPerWindow(lines, edges);
    expect(closed.map((c) => c.at)).toEqual(edges.slice(1, 4).map((e) => e - 1));
    expect(closed[0]!.count).toBe(exact[0]);
    for (let i = 1; i < 3; i++) expect(Math.abs(closed[i]!.count - exact[i]!) / exact[i]!).toBeLessThan(0.02);
  });

  it('cuts hourly windows on the fall-back day, the repeated hour in one window', () => {
    const d = new Distinct(new WindowCalendar(getZone('Europe/Paris'), 60));
    const closed = replay(d, lines);
    // Day 2 (25 hours) gives 24 windows: 02:00-03:00 local lasts two hours.
    const day2 = closed.filter((c) => c.at >= PARIS_DAYS[1]! && c.at < PARIS_DAYS[2]!);
    expect(day2).toHaveLength(24);
    expect(day2.map((c) => c.at)).toContain(utc('2024-10-27T02:00:00Z') - 1);
    expect(day2.map((c) => c.at)).not.toContain(utc('2024-10-27T01:00:00Z') - 1);
    const exact = exactPerWindow(lines, [utc('2024-10-27T00:00:00Z'), utc('2024-10-27T02:00:00Z')])[0]!;
    const got = closed.find((c) => c.at === utc('2024-10-27T02:00:00Z') - 1)!.count;
    expect(Math.abs(got - exact) / exact).toBeLessThan(0.02);
  });
});

describe('the log clock and late lines', () => {
  const day = (n: number): number => PARIS_DAYS[0]! + n * 86400 + 3600; // within local day n (0 .. 3)

  it('advance() closes the window once the clock passes its end, without a value', () => {
    const d = new Distinct(paris());
    d.add('a', day(0));
    d.add('b', day(0) + 10);
    expect(d.advance(day(0) + 20)).toBe(false); // still in the window
    expect(d.advance(day(1))).toBe(true);
    expect([d.closedAt, d.closedCount]).toEqual([PARIS_DAYS[1]! - 1, 2]);
    expect(d.count).toBe(0);
    expect(d.countTotal).toBe(2);
    expect(d.advance(day(1) + 100)).toBe(false);
    expect(d.advance(day(3) + 100)).toBe(false); // day 2 saw no value: nothing to push
    expect(d.advance(Number.NaN)).toBe(false);
  });

  it('a window the key skipped is not pushed; a line dated in a closed window counts in the total only', () => {
    const d = new Distinct(paris());
    expect(d.add('a', day(0))).toBe(false);
    expect(d.add('b', day(2))).toBe(true); // closes day 0; day 1 had nothing
    expect(d.closedAt).toBe(PARIS_DAYS[1]! - 1);
    expect(d.add('c', day(0) + 60)).toBe(false); // late: day 0 is closed
    expect([d.count, d.countTotal]).toEqual([1, 3]);
    expect(d.add('d', day(2) - 60)).toBe(false); // late too: day 1 ended by the clock
    expect([d.count, d.countTotal]).toEqual([1, 4]);
  });
});

describe('state', () => {
  const lines = threeDays(2);
  const snapshot = (d: Distinct): string => `${d.count} ${d.countTotal} ${d.windowStart} ${d.windowEnd}`;

  it('a restart from the saved state gives identical subsequent counts and closes', () => {
    // Cuts: before any line, in day 1 (sparse), in day 2 (dense window), at a window's last line.
    const lastOfDay1 = lines.findIndex((l) => l.t >= PARIS_DAYS[1]!) - 1;
    for (const cut of [0, 1500, 70_000, lastOfDay1, lastOfDay1 + 1]) {
      const a = new Distinct(paris());
      replay(a, lines.slice(0, cut));
      const b = Distinct.fromState(JSON.parse(JSON.stringify(a.toState())) as DistinctState, paris());
      expect(snapshot(b)).toBe(snapshot(a));
      const diffs: string[] = [];
      for (let i = cut; i < lines.length; i++) {
        const { user, t } = lines[i]!;
        const ca = a.add(user, t);
        if (b.add(user, t) !== ca || (ca && (b.closedAt !== a.closedAt || b.closedCount !== a.closedCount))) diffs.push(`line ${i}: close`);
        if ((i % 97 === 0 || ca) && snapshot(b) !== snapshot(a)) diffs.push(`line ${i}: ${snapshot(b)} vs ${snapshot(a)}`);
      }
      expect(diffs, `cut ${cut}`).toEqual([]);
      expect(b.toState()).toEqual(a.toState());
    }
  });

  it('rejects damaged state', () => {
    const good = new Distinct(paris()).toState();
    for (const bad of [null, { ...good, start: 5, end: 3 }, { ...good, start: null, end: 5 }, { ...good, start: 'x', end: 9 }, { ...good, total: null }]) {
      expect(() => Distinct.fromState(bad as DistinctState, paris())).toThrow();
    }
  });
});
