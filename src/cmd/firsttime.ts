// The tail stage orders a rotated family by the log time of each file's first parsable line, but it
// does not parse lines: the run modes hand it this function, built from each group's extractor.
import type { Config } from '../config/types.js';
import type { WallClock } from '../core/clock.js';
import type { FirstTime } from '../tail/types.js';
import { Extractor, Outcome } from '../parse/extract.js';

export function firstTimeOf(config: Config, wallClock: WallClock): FirstTime {
  const groups = new Map(config.groups.map((g) => [g.name, g]));
  const extractors = new Map<string, Extractor>();
  return (group, lines) => {
    const g = groups.get(group);
    if (!g) return NaN;
    let ex = extractors.get(group);
    if (!ex) extractors.set(group, (ex = new Extractor(g)));
    // a file of its own: year-less dates resolve against the wall clock, as for the file's first line
    const file = { path: '', extra: [], newest: NaN };
    const wallSec = wallClock() / 1000;
    for (const line of lines) if (ex.extract(line, file, wallSec) === Outcome.Matched) return ex.t;
    return NaN;
  };
}
