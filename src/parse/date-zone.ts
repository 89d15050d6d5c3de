// Time zones for layouts without an offset: 'UTC', 'local' (the process's zone, TZ respected) or an
// IANA name, looked up through Intl (no tz database of our own). Intl is slow (~10 us a call), so each
// zone keeps, per calendar year, a table of its offset changes, built once on first use (one sample a
// day, transitions found to the second by bisection), and a one-segment cursor in front of it: a log
// read in order hits the cursor on almost every line.
import { daysFromCivil, yearOfEpoch } from './date-civil.js';

export interface Zone {
  readonly id: string;
  /** Offset east of UTC, in seconds, in effect at the instant t (epoch s). */
  offsetAt(t: number): number;
  /** Epoch seconds of a wall-clock reading written as if it were UTC ("wall"), by Go's time.Date rule. */
  wallToUtc(wall: number): number;
  /** Offset of a zone abbreviation ("EST", "CEST") this zone uses, following Go's Location.lookupName;
   *  undefined when the zone never uses that name in the year of `wall`. */
  abbrevOffset(name: string, wall: number): number | undefined;
}

const DAY = 86400;

class UtcZone implements Zone {
  readonly id = 'UTC';
  offsetAt(): number { return 0; }
  wallToUtc(wall: number): number { return wall; }
  abbrevOffset(name: string): number | undefined { return name === 'UTC' ? 0 : undefined; }
}

interface YearTable {
  starts: number[];    // segment starts (epoch s), ascending; starts[0] = Jan 1 00:00 UTC
  offsets: number[];   // offset of each segment
  names: Array<string[] | undefined>; // abbreviations of each segment, filled on demand
  end: number;         // next Jan 1 00:00 UTC
}

// Locales whose CLDR short zone names are tz abbreviations for the common zones
// (en-US: EST/PDT, en-GB: CET/CEST/BST, en-AU: AEST, en-IN: IST). Others print "GMT+1".
const NAME_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN'];

class TableZone implements Zone {
  private readonly tables = new Map<number, YearTable>();
  private lo = 0;
  private hi = -1;
  private off = 0;
  private nameFormats: Intl.DateTimeFormat[] | undefined;

  constructor(
    readonly id: string,
    private readonly raw: (t: number) => number,
    private readonly intlZone: string | undefined,
  ) {}

  offsetAt(t: number): number {
    if (t >= this.lo && t < this.hi) return this.off;
    return this.seek(t);
  }

  // Go's Date: take the offset at the wall reading, and if the instant that gives lies in another
  // offset's span, use that one. Net effect: wall - offsetAt(wall - offsetAt(wall)).
  wallToUtc(wall: number): number {
    return wall - this.offsetAt(wall - this.offsetAt(wall));
  }

  abbrevOffset(name: string, wall: number): number | undefined {
    if (!Number.isFinite(wall)) return undefined;
    const tab = this.table(yearOfEpoch(wall));
    let first: number | undefined;
    for (let i = 0; i < tab.starts.length; i++) {
      if (!this.namesOf(tab, i).includes(name)) continue;
      const o = tab.offsets[i]!;
      first ??= o;
      // Go prefers a zone of that name actually in effect at the instant it would give.
      const t = wall - o;
      const j = this.segmentOf(t);
      if (j.tab.offsets[j.i] !== undefined && this.namesOf(j.tab, j.i).includes(name)) return j.tab.offsets[j.i];
    }
    return first;
  }

  private seek(t: number): number {
    if (!Number.isFinite(t)) return NaN;
    const { tab, i } = this.segmentOf(t);
    this.lo = tab.starts[i]!;
    this.hi = i + 1 < tab.starts.length ? tab.starts[i + 1]! : tab.end;
    this.off = tab.offsets[i]!;
    return this.off;
  }

  private segmentOf(t: number): { tab: YearTable; i: number } {
    const tab = this.table(yearOfEpoch(t));
    let i = tab.starts.length - 1;
    while (i > 0 && tab.starts[i]! > t) i--;
    return { tab, i };
  }

  private table(year: number): YearTable {
    let tab = this.tables.get(year);
    if (tab === undefined) {
      tab = this.build(year);
      this.tables.set(year, tab);
    }
    return tab;
  }

  private build(year: number): YearTable {
    const start = daysFromCivil(year, 1, 1) * DAY;
    const end = daysFromCivil(year + 1, 1, 1) * DAY;
    let prevT = start;
    let prevO = this.raw(start);
    const tab: YearTable = { starts: [start], offsets: [prevO], names: [undefined], end };
    for (let t = start + DAY; prevT < end - 1; t += DAY) {
      const s = Math.min(t, end - 1);
      const o = this.raw(s);
      if (o !== prevO) {
        let a = prevT;
        let b = s;
        while (b - a > 1) {
          const mid = Math.floor((a + b) / 2);
          if (this.raw(mid) === prevO) a = mid;
          else b = mid;
        }
        tab.starts.push(b);
        tab.offsets.push(o);
        tab.names.push(undefined);
        prevO = o;
      }
      prevT = s;
    }
    return tab;
  }

  private namesOf(tab: YearTable, i: number): string[] {
    let names = tab.names[i];
    if (names === undefined) {
      this.nameFormats ??= NAME_LOCALES.map(
        (l) => new Intl.DateTimeFormat(l, { timeZone: this.intlZone, timeZoneName: 'short' }),
      );
      const at = tab.starts[i]! * 1000;
      names = [];
      for (const f of this.nameFormats) {
        const v = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
        if (v !== undefined && /^[A-Za-z]{3,5}$/.test(v) && !names.includes(v)) names.push(v);
      }
      tab.names[i] = names;
    }
    return names;
  }
}

/** Offset at t from Intl: the zone's wall reading of t, minus t. */
function intlRaw(timeZone: string): (t: number) => number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', era: 'short',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return (t: number): number => {
    let y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, bc = false;
    for (const p of f.formatToParts(t * 1000)) {
      switch (p.type) {
        case 'year': y = Number(p.value); break;
        case 'month': mo = Number(p.value); break;
        case 'day': d = Number(p.value); break;
        case 'hour': h = Number(p.value); break;
        case 'minute': mi = Number(p.value); break;
        case 'second': s = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
        default:
      }
    }
    if (bc) y = 1 - y;
    return daysFromCivil(y, mo, d) * DAY + h * 3600 + mi * 60 + s - t;
  };
}

/** The process's zone, exactly as `new Date(y, m, d, ...)` sees it (minute precision, as V8 gives it). */
function localRaw(t: number): number {
  return -new Date(t * 1000).getTimezoneOffset() * 60;
}

const zones = new Map<string, Zone>();

/** The zone named by a `date.timezone` setting. Throws on an unknown name. */
export function getZone(name: string): Zone {
  const key = name === 'local' || name === 'Local' ? `local:${process.env['TZ'] ?? ''}` : name;
  let z = zones.get(key);
  if (z !== undefined) return z;
  if (name === 'UTC') {
    z = new UtcZone();
  } else if (key.startsWith('local:')) {
    z = new TableZone('local', localRaw, undefined);
  } else {
    let canonical: string;
    try {
      if (name.trim() === '') throw new RangeError('empty');
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      throw new Error(
        `unknown timezone ${JSON.stringify(name)}: expected "local", "UTC" or an IANA zone name such as "Europe/Paris"`,
      );
    }
    z = new TableZone(canonical, intlRaw(name), name);
  }
  zones.set(key, z);
  return z;
}
