// The watchdog's judgement, from hand-set progress slots and a hand-set clock.
import { describe, expect, it } from 'vitest';
import { SLOT, Watch } from '../../../src/process/parallel/watch.js';

function at(w: Watch, seq: number, line: number, guarded: boolean): void {
  w.progress[SLOT.seq] = seq;
  w.progress[SLOT.line] = line;
  w.progress[SLOT.guarded] = guarded ? 1 : 0;
}

describe('Watch', () => {
  it('a guarded batch on the same line for the limit is stuck', () => {
    const w = new Watch();
    at(w, 3, 7, true);
    expect(w.stuck(1000, 750)).toBeNull();  // first sight
    expect(w.stuck(1500, 750)).toBeNull();
    expect(w.stuck(1750, 750)).toEqual({ seq: 3, line: 7 });
  });

  it('moving on (another line, another batch) starts the count again', () => {
    const w = new Watch();
    at(w, 3, 7, true);
    w.stuck(0, 750);
    at(w, 3, 8, true);
    expect(w.stuck(800, 750)).toBeNull();
    at(w, 4, 8, true);
    expect(w.stuck(1600, 750)).toBeNull();
    expect(w.stuck(2350, 750)).toEqual({ seq: 4, line: 8 });
  });

  it('never cuts off an unguarded group, nor a worker between lines', () => {
    const w = new Watch();
    at(w, 1, 2, false);
    for (const t of [0, 1000, 5000]) expect(w.stuck(t, 750)).toBeNull();
    at(w, 1, -1, true);
    for (const t of [6000, 7000, 9000]) expect(w.stuck(t, 750)).toBeNull();
    at(w, 1, 0, true);
    expect(w.stuck(9100, 750)).toBeNull();
    at(w, 1, 0, false); // the batch ended: forget what was seen
    w.stuck(9200, 750);
    at(w, 1, 0, true);
    expect(w.stuck(9900, 750)).toBeNull();
  });
});
