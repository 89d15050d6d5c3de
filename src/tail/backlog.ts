// The backlog of each group: files read from a position (--once, parse_from_start, files that
// appear later, the rest of a checkpointed file), one at a time, oldest first (order.ts), each to
// its end (as it was when opened) before the next. Truncated files wait here until the copies of
// their old content are read. With --once, at most onceMaxOpen groups have a file open at once.
import { decide, liveIndex } from './decide.js';
import type { GroupState } from './group.js';
import { openAt } from './open.js';
import type { Slot } from './slot.js';
import type { TailManager } from './tailer.js';

export class Backlog {
  private onceOpen = 0;
  private readonly onceWaiting = new Set<GroupState>();

  constructor(private readonly m: TailManager) {}

  /** The backlog file of g reached its end, or a file g waited for was drained: opens the next. */
  advance(g: GroupState): void {
    if (g.removed || this.m.stopped || !g.scanned || g.scanning && g.scanFirst) return;
    if (g.active || g.activating || g.scanFirst || g.draining.size > 0) return;
    if (g.backlog.length === 0) {
      for (const s of g.held.splice(0)) {
        s.state = 'reading';
        this.m.pump.enqueue(s);
        this.m.open.updateBehind(s);
      }
      this.m.checkOnceDone();
      return;
    }
    if (!this.mayOpen(g)) return;
    this.activate(g).catch((e) => this.m.unexpected(g, 'opening the next file of the backlog', e));
  }

  /** s reached its end for the first time: if it is its group's backlog file, the next may start. */
  firstPassDone(s: Slot): void {
    const g = s.group;
    if (g.active !== s) return;
    g.active = null;
    if (this.m.opts.once) {
      this.onceOpen--;
      for (const w of [...this.onceWaiting]) {
        if (this.onceOpen >= this.m.tune.onceMaxOpen) break;
        this.onceWaiting.delete(w);
        if (w !== g) this.advance(w);
      }
    }
    this.advance(g);
  }

  /** --once: whether g may open its next file now (a bound on files open at once). */
  private mayOpen(g: GroupState): boolean {
    if (!this.m.opts.once || this.onceOpen < this.m.tune.onceMaxOpen) return true;
    this.onceWaiting.add(g);
    return false;
  }

  /** Opens the next backlog file of g, deciding again (the ledger may have learnt of a copy since). */
  private async activate(g: GroupState): Promise<void> {
    g.activating = true;
    try {
      while (g.backlog.length > 0 && !g.removed && !this.m.stopped) {
        const c = g.backlog.shift()!;
        const d = decide(g, c.probe, 'activate', liveIndex(g), this.m);
        if (d.kind !== 'read') { this.m.discovery.apply(g, c.probe, d, false); continue; }
        if (d.reuse) g.ledger.remove(d.reuse);
        const r = openAt(this.m, g, c.probe, d.start, d.why);
        if (!r) continue;
        const s = this.m.open.add(g, c.path, c.fsPath, r);
        s.firstPassEnd = r.format === 'plain' ? r.size : Infinity;
        g.active = s;
        if (this.m.opts.once) this.onceOpen++;
        return;
      }
    } finally {
      g.activating = false;
    }
    this.advance(g);
  }
}
