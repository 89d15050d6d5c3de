// The group's limits (spec section 4): `max_tag_values` distinct values per line tag, beyond which
// new values are folded into `_other_` (the line still counts, in an overflow series), and
// `max_keys`, beyond which updates that would create a key are dropped. Each limit warns once per
// group and tag, with an example; every fold and drop is counted.
import type { LogGroup } from '../config/types.js';
import type { EventSource, Events } from '../core/events.js';
import type { Registry, Series } from '../selfstats/registry.js';
import { own } from '../core/own.js';

/** The value a tag takes once it has `max_tag_values` others. */
export const OTHER = '_other_';

/** Log lines can be 1 MB: an example value is cut short. */
const clip = (v: string): string => (v.length > 200 ? v.slice(0, 200) + '…' : v);

export interface TagCount {
  tag: string;
  /** Distinct values held now (`_other_` included). */
  values: number;
  /** Lines counted in the tag's `_other_` series so far (folded values, and a literal `_other_`). */
  folded: number;
}

export class TagLimits {
  /** Per group tag (constants: null): value -> number of series sets holding it. */
  private readonly held: Array<Map<string, number> | null>;
  private readonly warned: boolean[];
  /** Per line tag: the tag_values_full event, counted per line folded. */
  private readonly folds: Array<EventSource | null>;
  private readonly gauges: Array<Series | null>;
  private readonly dropped: EventSource;
  private readonly maxValues: number;
  readonly maxKeys: number;

  constructor(private readonly group: LogGroup, registry: Registry, events: Events) {
    this.maxValues = group.max_tag_values;
    this.maxKeys = group.max_keys;
    const line = (i: number) => group.tags[i]!.position !== null;
    this.held = group.tags.map((_, i) => (line(i) ? new Map() : null));
    this.warned = group.tags.map(() => false);
    const tags = (i: number) => ({ log_group: group.name, tag: group.tags[i]!.name });
    this.folds = group.tags.map((_, i) => (line(i) ? events.source('tag_values_full', tags(i)) : null));
    this.gauges = group.tags.map((_, i) => (line(i) ? registry.gauge('data_pool.tag_values', tags(i)) : null));
    this.dropped = events.source('max_keys_reached', { log_group: group.name });
  }

  /**
   * The value tag `i` takes for a new series set: `v` itself when the tag already holds it or has
   * room, else `_other_` (the first time, a warning with `raw` as the example).
   */
  admit(i: number, v: string, raw: string): string {
    const m = this.held[i]!;
    if (v === OTHER || m.has(v) || m.size - (m.has(OTHER) ? 1 : 0) < this.maxValues) return v;
    if (!this.warned[i]) {
      // Counted per line folded (countFolds); said once per group and tag.
      this.warned[i] = true;
      this.folds[i]!.say(this.group.name, { tag: this.group.tags[i]!.name, max_tag_values: this.maxValues, example: clip(raw) });
    }
    return OTHER;
  }

  /** Lines counted in an overflow series: `mask` has bit i set for each tag i folded. */
  countFolds(mask: number): void {
    for (let i = 0; mask !== 0; i++, mask >>>= 1) if (mask & 1) this.folds[i]!.count(1);
  }

  /**
   * A series set with these values (one per group tag; constants ignored) was created or restored.
   * `copy`: the values may be slices of a log line, which they would keep alive; copy new ones.
   */
  hold(values: readonly string[], copy: boolean): void {
    for (let i = 0; i < values.length; i++) {
      const m = this.held[i];
      if (!m) continue;
      const v = values[i]!;
      const n = m.get(v);
      if (n === undefined) m.set(copy ? own(v) : v, 1);
      else m.set(v, n + 1);
      this.gauges[i]!.value = m.size;
    }
  }

  /** A series set was forgotten (stale): its values no longer take room. */
  release(values: readonly string[]): void {
    for (let i = 0; i < values.length; i++) {
      const m = this.held[i];
      if (!m) continue;
      const v = values[i]!;
      const n = m.get(v) ?? 0;
      if (n <= 1) m.delete(v); else m.set(v, n - 1);
      this.gauges[i]!.value = m.size;
    }
  }

  /** `n` updates dropped because the group holds max_keys keys; `example` names the first key refused. */
  drop(n: number, example: () => string): void {
    // Once per group (the event's limit): the example is only made for the first.
    if (this.dropped.total === 0) this.dropped.report(this.group.name, { max_keys: this.maxKeys, example: clip(example()) }, n);
    else this.dropped.count(n);
  }

  get droppedCount(): number {
    return this.dropped.total;
  }

  /** The line tags with the most distinct values, most first. */
  top(n: number): TagCount[] {
    const out: TagCount[] = [];
    this.held.forEach((m, i) => { if (m) out.push({ tag: this.group.tags[i]!.name, values: m.size, folded: this.folds[i]!.total }); });
    return out.sort((a, b) => b.values - a.values).slice(0, n);
  }
}
