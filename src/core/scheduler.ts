// Timers and "now" for the stages that wait on the wall clock (the tailer's stat poll, rescans,
// rotation grace, back-off). They come from a Scheduler handed in by the run mode, as google/mtail
// hands its tailer a waker: the daemon gets the system one, tests a ManualScheduler whose clock
// they move, so nothing below the run modes reads the clock or sleeps.
import type { WallClock } from './clock.js';

export interface Timer {
  cancel(): void;
}

export interface Scheduler {
  /** Wall time in ms. */
  now(): number;
  /** Runs fn once after ms. */
  after(ms: number, fn: () => void): Timer;
  /** Runs fn every ms. */
  every(ms: number, fn: () => void): Timer;
  /** Resolves after pending I/O callbacks and events have run (a busy loop yields with it). */
  yieldIO(): Promise<void>;
}

/** The real one: Node's timers and setImmediate, "now" from the run mode's wall clock. */
export function systemScheduler(now: WallClock = Date.now): Scheduler {
  return {
    now,
    after(ms, fn) { const t = setTimeout(fn, ms); return { cancel: () => clearTimeout(t) }; },
    every(ms, fn) { const t = setInterval(fn, ms); return { cancel: () => clearInterval(t) }; },
    yieldIO: () => new Promise<void>((r) => setImmediate(r)),
  };
}

interface Pending { at: number; seq: number; fn: () => void; period: number; live: boolean }

/**
 * A scheduler whose clock only moves when told: advance(ms) runs, in time order, every timer that
 * falls due, letting promise callbacks and I/O run between them. yieldIO stays real, so file
 * events and reads behave as in production; only the passing of time is simulated.
 */
export class ManualScheduler implements Scheduler {
  private t: number;
  private seq = 0;
  private timers: Pending[] = [];

  constructor(start = 1_700_000_000_000) { this.t = start; }

  now(): number { return this.t; }

  after(ms: number, fn: () => void): Timer { return this.add(ms, fn, 0); }

  every(ms: number, fn: () => void): Timer { return this.add(ms, fn, Math.max(1, ms)); }

  yieldIO(): Promise<void> { return new Promise<void>((r) => setImmediate(r)); }

  /** Timers not yet run or cancelled. */
  get pending(): number { return this.timers.length; }

  /** Moves the clock by ms, running due timers in order (each after the previous one's callbacks settled). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await this.yieldIO();
      let next: Pending | undefined;
      for (const p of this.timers) if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      if (next.period > 0) { next.at += next.period; next.seq = this.seq++; } else this.remove(next);
      next.fn();
    }
    this.t = end;
    await this.yieldIO();
  }

  private add(ms: number, fn: () => void, period: number): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, period, live: true };
    this.timers.push(p);
    return { cancel: () => this.remove(p) };
  }

  private remove(p: Pending): void {
    if (!p.live) return;
    p.live = false;
    const i = this.timers.indexOf(p);
    if (i >= 0) this.timers.splice(i, 1);
  }
}
