// Windows of log time for distinct counts: window_min minutes aligned to midnight in a zone, with
// DST days one hour shorter or longer, never split or overlapping.
import { describe, expect, it } from 'vitest';
import { getZone } from '../../src/parse/date-zone.js';
import { WindowCalendar, windowMinProblem, windowZone } from '../../src/stats/window.js';

const utc = (iso: string): number => Date.parse(iso) / 1000;
const locate = (zone: string, min: number, t: number): [number, number] => {
  const c = new WindowCalendar(getZone(zone), min);
  c.locate(t);
  return [c.start, c.end];
};

describe('day windows (window_min 1440)', () => {
  it('run from midnight to midnight in the zone', () => {
    expect(locate('UTC', 1440, utc('2026-03-15T09:00:01Z'))).toEqual([utc('2026-03-15T00:00:00Z'), utc('2026-03-16T00:00:00Z')]);
    expect(locate('Europe/Paris', 1440, utc('2026-03-15T23:30:00Z'))).toEqual([utc('2026-03-15T23:00:00Z'), utc('2026-03-16T23:00:00Z')]);
    expect(locate('Asia/Kolkata', 1440, utc('2026-03-15T18:29:59Z'))).toEqual([utc('2026-03-14T18:30:00Z'), utc('2026-03-15T18:30:00Z')]);
  });

  it('are 23 hours on a spring-forward day and 25 on a fall-back day', () => {
    const len = (zone: string, iso: string): number => {
      const [s, e] = locate(zone, 1440, utc(iso));
      return (e - s) / 3600;
    };
    expect(len('Europe/Paris', '2024-03-31T12:00:00Z')).toBe(23);
    expect(len('Europe/Paris', '2024-10-27T12:00:00Z')).toBe(25);
    expect(len('Europe/Paris', '2024-10-28T12:00:00Z')).toBe(24);
    expect(len('America/New_York', '2024-03-10T12:00:00Z')).toBe(23);
    expect(len('America/New_York', '2024-11-03T12:00:00Z')).toBe(25);
    expect(len('Australia/Lord_Howe', '2024-04-07T12:00:00Z')).toBe(24.5); // a half-hour DST shift
  });

  it('start at the first instant of the day where midnight itself is skipped', () => {
    // America/Havana springs forward at midnight: 2024-03-10 begins at 01:00 local (05:00Z).
    const [s, e] = locate('America/Havana', 1440, utc('2024-03-10T12:00:00Z'));
    expect(s).toBe(utc('2024-03-10T05:00:00Z'));
    expect(e).toBe(utc('2024-03-11T04:00:00Z'));
  });
});

describe('hour windows across DST', () => {
  it('skip the hour that does not exist (it never opens) on a spring-forward day', () => {
    // Paris, 2024-03-31 01:00Z: 02:00 CET becomes 03:00 CEST.
    expect(locate('Europe/Paris', 60, utc('2024-03-31T00:59:59Z'))).toEqual([utc('2024-03-31T00:00:00Z'), utc('2024-03-31T01:00:00Z')]);
    expect(locate('Europe/Paris', 60, utc('2024-03-31T01:00:00Z'))).toEqual([utc('2024-03-31T01:00:00Z'), utc('2024-03-31T02:00:00Z')]);
  });

  it('give the repeated hour to the window of its first occurrence on a fall-back day', () => {
    // Paris, 2024-10-27 01:00Z: 03:00 CEST becomes 02:00 CET; wall 02:00-03:00 lasts two hours.
    const w = [utc('2024-10-27T00:00:00Z'), utc('2024-10-27T02:00:00Z')];
    expect(locate('Europe/Paris', 60, utc('2024-10-27T00:30:00Z'))).toEqual(w); // 02:30 CEST
    expect(locate('Europe/Paris', 60, utc('2024-10-27T01:30:00Z'))).toEqual(w); // 02:30 CET
    // Quarter hours: the repeated 02:00-02:45 falls in the window that ends when 03:00 is first read.
    expect(locate('Europe/Paris', 15, utc('2024-10-27T01:10:00Z'))).toEqual([utc('2024-10-27T00:45:00Z'), utc('2024-10-27T02:00:00Z')]);
  });

  it('tile the timeline with no gap or overlap, whatever the zone and the length', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham',
      'America/Havana', 'America/Santiago', 'local'];
    for (const zone of zones) {
      for (const min of [1, 15, 60, 90, 1440, 10080]) {
        const cal = new WindowCalendar(getZone(zone), min);
        // Around both 2024 DST changes of the northern and southern zones.
        for (const from of [utc('2024-03-09T00:00:00Z'), utc('2024-03-30T12:00:00Z'), utc('2024-04-06T00:00:00Z'), utc('2024-10-26T00:00:00Z')]) {
          let t = from;
          let prevStart = NaN;
          let prevEnd = NaN;
          const step = Math.max(60, min * 7);
          for (let i = 0; i < 300; i++, t += step) {
            cal.locate(t);
            const where = `${zone} ${min} min at ${new Date(t * 1000).toISOString()}`;
            expect(cal.start <= t && t < cal.end, where).toBe(true);
            expect(Number.isInteger(cal.start) && Number.isInteger(cal.end), where).toBe(true);
            if (cal.start === prevStart) expect(cal.end, where).toBe(prevEnd);
            else if (!Number.isNaN(prevEnd)) expect(cal.start, where).toBeGreaterThanOrEqual(prevEnd);
            // The window just before ends exactly where this one starts.
            const before = new WindowCalendar(getZone(zone), min);
            before.locate(cal.start - 1);
            expect(before.end, where).toBe(cal.start);
            prevStart = cal.start;
            prevEnd = cal.end;
          }
        }
      }
    }
  });
});

describe('other lengths', () => {
  it('tile the day from midnight (90 minutes: 16 a day)', () => {
    // 23:50 CET is in the day's last window, 22:30 to midnight.
    expect(locate('Europe/Paris', 90, utc('2026-01-15T22:50:00Z'))).toEqual([utc('2026-01-15T21:30:00Z'), utc('2026-01-15T23:00:00Z')]);
    expect(locate('Europe/Paris', 90, utc('2026-01-15T23:10:00Z'))).toEqual([utc('2026-01-15T23:00:00Z'), utc('2026-01-16T00:30:00Z')]);
  });

  it('of whole weeks run Monday to Sunday, from local midnight', () => {
    const [s, e] = locate('Europe/Paris', 10080, utc('2026-03-19T10:00:00Z')); // a Thursday
    expect(new Date(s * 1000).toISOString()).toBe('2026-03-15T23:00:00.000Z'); // Monday 16 March, 00:00 CET
    expect(e - s).toBe(7 * 86400);
    // 2 days: counted from Monday 1970-01-05 as well.
    expect(locate('UTC', 2880, utc('1970-01-06T12:00:00Z'))).toEqual([utc('1970-01-05T00:00:00Z'), utc('1970-01-07T00:00:00Z')]);
  });

  it('must divide a day or be whole days', () => {
    for (const ok of [1, 5, 15, 60, 90, 720, 1440, 2880, 10080]) expect(windowMinProblem(ok), `${ok}`).toBeNull();
    for (const bad of [0, -60, 1.5, 7, 100, 1441, 2000]) expect(windowMinProblem(bad), `${bad}`).not.toBeNull();
    expect(() => new WindowCalendar(getZone('UTC'), 7)).toThrow(/window_min 7 must divide a day/);
  });
});

describe('the zone of a group\'s windows', () => {
  it('is UTC for dates written with their own offset, date.timezone otherwise', () => {
    const zone = (format: string, timezone: string, source?: 'journal'): string => windowZone({ format, timezone, source }).id;
    expect(zone('02/Jan/2006:15:04:05 -0700', 'Europe/Paris')).toBe('UTC');
    expect(zone('2006-01-02T15:04:05Z07:00', 'Europe/Paris')).toBe('UTC');
    expect(zone('RFC3339', 'Europe/Paris')).toBe('UTC');
    expect(zone('Jan _2 15:04:05', 'Europe/Paris')).toBe('Europe/Paris');
    expect(zone('Mon Jan _2 15:04:05 MST 2006', 'America/New_York')).toBe('America/New_York');
    expect(zone('unix', 'Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(zone('unix_ms', 'UTC')).toBe('UTC');
    expect(zone('', 'Europe/Paris', 'journal')).toBe('Europe/Paris'); // the journal entry's own time
  });
});
