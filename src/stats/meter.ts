// Meter: a count plus exponentially weighted moving-average rates over 1, 5 and 15 minutes
// (behaviour spec section 4, "EWMA").
//
// Reference: the Unix load average as used by Coda Hale's Metrics / dropwizard `EWMA`
// (com.codahale.metrics.EWMA; go-metrics' StandardEWMA in the Go original):
//   alpha = 1 - exp(-dt / (60 * N)),  rate += alpha * (instant - rate)
// with two differences from dropwizard: time is LOG time passed in as an argument (seconds, a
// float, never read from a clock), and dt is the real log-time gap since the last recomputation
// (keeping its fraction) rather than a fixed 5-second tick. The first recomputation sets the rate to
// the instant rate instead of decaying up from 0.

import type { ByteReader, ByteWriter } from '../core/bytes.js';
import { DecodeError } from '../core/bytes.js';

export interface MeterState {
  count: number;
  pending: number;
  rate1: number;
  rate5: number;
  rate15: number;
  hasRates: boolean;
  /** null encodes NaN (no event yet): JSON has no NaN. */
  lastTick: number | null;
}

export class Meter {
  // Fields are `declare`d and assigned in the constructor: under target ES2022 a plain declaration
  // is emitted as a class field set to undefined first, which makes V8 keep numbers boxed (an
  // allocation per update) instead of in unboxed double fields.
  /** Sum of all recorded values. */
  declare count: number;
  /** Sum of values recorded since the last rate recomputation. */
  declare pending: number;
  /** Rates per second. Meaningful only once `hasRates` is true (0 before). */
  declare rate1: number;
  declare rate5: number;
  declare rate15: number;
  /** False until the first recomputation. */
  declare hasRates: boolean;
  /** Log time (s) of the last recomputation; the first event's time before that; NaN before any event. */
  declare lastTick: number;

  constructor() {
    this.count = 0;
    this.pending = 0;
    this.rate1 = 0;
    this.rate5 = 0;
    this.rate15 = 0;
    this.hasRates = false;
    this.lastTick = NaN;
  }

  /** Records `value` happening at log time `t` (seconds). Out-of-order `t` still counts. */
  update(value: number, t: number): void {
    this.count += value;
    this.pending += value;
    if (this.lastTick !== this.lastTick) this.lastTick = t;
  }

  /** update(), under the name the metrics libraries use. */
  mark(value: number, t: number): void {
    this.update(value, t);
  }

  /**
   * Called at a push with the push's log time. Recomputes the rates when at least `ewmaInterval`
   * seconds of log time have passed since `lastTick` (and that gap is > 0); returns whether it did.
   * Before the first event (lastTick NaN) it never recomputes.
   */
  tick(now: number, ewmaInterval: number): boolean {
    const dt = now - this.lastTick;
    // NaN (no event yet) fails both comparisons. dt > 0 guards ewmaInterval <= 0 against a 0/0.
    if (!(dt >= ewmaInterval) || !(dt > 0)) return false;
    const instant = this.pending / dt;
    if (this.hasRates) {
      this.rate1 += (1 - Math.exp(-dt / 60)) * (instant - this.rate1);
      this.rate5 += (1 - Math.exp(-dt / 300)) * (instant - this.rate5);
      this.rate15 += (1 - Math.exp(-dt / 900)) * (instant - this.rate15);
    } else {
      this.rate1 = instant;
      this.rate5 = instant;
      this.rate15 = instant;
      this.hasRates = true;
    }
    this.pending = 0;
    this.lastTick = now;
    return true;
  }

  toState(): MeterState {
    return {
      count: this.count,
      pending: this.pending,
      rate1: this.rate1,
      rate5: this.rate5,
      rate15: this.rate15,
      hasRates: this.hasRates,
      lastTick: this.lastTick === this.lastTick ? this.lastTick : null,
    };
  }

  /** The state for a binary checkpoint (read()). */
  write(w: ByteWriter): void {
    w.f64(this.count);
    w.f64(this.pending);
    w.f64(this.rate1);
    w.f64(this.rate5);
    w.f64(this.rate15);
    w.f64(this.lastTick);
    w.u8(this.hasRates ? 1 : 0);
  }

  static read(r: ByteReader): Meter {
    const m = new Meter();
    m.count = r.f64();
    m.pending = r.f64();
    m.rate1 = r.f64();
    m.rate5 = r.f64();
    m.rate15 = r.f64();
    m.lastTick = r.f64();
    m.hasRates = r.u8() === 1;
    if (!Number.isFinite(m.count + m.pending + m.rate1 + m.rate5 + m.rate15)) throw new DecodeError('invalid meter state');
    return m;
  }

  static fromState(state: MeterState): Meter {
    if (state === null || typeof state !== 'object') throw new Error('invalid meter state');
    const m = new Meter();
    m.count = finite(state.count, 'count');
    m.pending = finite(state.pending, 'pending');
    m.rate1 = finite(state.rate1, 'rate1');
    m.rate5 = finite(state.rate5, 'rate5');
    m.rate15 = finite(state.rate15, 'rate15');
    if (typeof state.hasRates !== 'boolean') throw new Error('invalid meter state: hasRates');
    m.hasRates = state.hasRates;
    m.lastTick = state.lastTick === null ? NaN : finite(state.lastTick, 'lastTick');
    return m;
  }
}

function finite(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`invalid meter state: ${name}`);
  return v;
}
