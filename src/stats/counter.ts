// Counter: a running sum of recorded values (behaviour spec section 4, "counter": stat `count`).
// Same model as the Go original's go-metrics Counter (Inc by the value), without a clock.

import type { ByteReader, ByteWriter } from '../core/bytes.js';
import { DecodeError } from '../core/bytes.js';

export interface CounterState {
  count: number;
}

export class Counter {
  // Fields are `declare`d and assigned in the constructor: under target ES2022 a plain declaration
  // is emitted as a class field set to undefined first, which makes V8 keep numbers boxed (an
  // allocation per update) instead of in unboxed double fields.
  /** Sum of all recorded values. */
  declare count: number;

  constructor() {
    this.count = 0;
  }

  add(value: number): void {
    this.count += value;
  }

  /** add(), under the name every statistic shares (a counter has no use for the time). */
  update(value: number, _t: number): void {
    this.count += value;
  }

  write(w: ByteWriter): void {
    w.f64(this.count);
  }

  static read(r: ByteReader): Counter {
    const c = new Counter();
    c.count = r.f64();
    if (!Number.isFinite(c.count)) throw new DecodeError('invalid counter state');
    return c;
  }

  toState(): CounterState {
    return { count: this.count };
  }

  static fromState(state: CounterState): Counter {
    if (state === null || typeof state !== 'object' || typeof state.count !== 'number' || !Number.isFinite(state.count)) {
      throw new Error('invalid counter state');
    }
    const c = new Counter();
    c.count = state.count;
    return c;
  }
}
