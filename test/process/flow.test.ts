// InOrder on its own: order, the in-flight window, the sink's pushback, idle() and atCut().
import { describe, expect, it } from 'vitest';
import { InOrder } from '../../src/process/flow.js';

interface E { ready: boolean; id: number }
const tick = () => new Promise((r) => setImmediate(r));

describe('InOrder', () => {
  it('applies in admission order, asks the caller to wait when the window is full', async () => {
    const applied: number[] = [];
    const f = new InOrder<E>((e) => { applied.push(e.id); }, () => 3);
    const es = [0, 1, 2, 3].map((id) => ({ ready: false, id }));
    expect(f.admit(es[0]!)).toBeUndefined();
    expect(f.admit(es[1]!)).toBeUndefined();
    const wait = f.admit(es[2]!);
    expect(wait).toBeInstanceOf(Promise);
    let roomy = false;
    void wait!.then(() => { roomy = true; });
    f.ready(es[2]!);
    f.ready(es[1]!);
    await tick();
    expect([applied, roomy]).toEqual([[], false]);
    f.ready(es[0]!);
    await tick();
    expect([applied, roomy, f.empty]).toEqual([[0, 1, 2], true, true]);
  });

  it('stops applying while the sink is full, and idle() waits for the rest', async () => {
    const applied: number[] = [];
    let drain!: () => void;
    const f = new InOrder<E>((e) => { applied.push(e.id); return e.id === 0 ? new Promise<void>((r) => { drain = r; }) : undefined; }, () => 10);
    f.admit({ ready: true, id: 0 });
    expect(f.admit({ ready: true, id: 1 })).toBeInstanceOf(Promise); // the sink is full: wait
    let idle = false;
    void f.idle().then(() => { idle = true; });
    await tick();
    expect([applied, idle]).toEqual([[0], false]);
    drain();
    await tick();
    expect([applied, idle]).toEqual([[0, 1], true]);
  });

  it('atCut holds reading, runs once everything is applied, then lets reading go on', async () => {
    const applied: number[] = [];
    const f = new InOrder<E>((e) => { applied.push(e.id); }, () => 10);
    const e0 = { ready: false, id: 0 };
    f.admit(e0);
    const cut = f.atCut(() => [...applied]);
    const e1 = { ready: false, id: 1 };
    const held = f.admit(e1); // the batch being handed in: reading stops after it
    expect(held).toBeInstanceOf(Promise);
    f.ready(e0);
    f.ready(e1);
    expect(await cut).toEqual([0, 1]);
    expect(f.held()).toBeUndefined();
  });

  it('a failure wakes the waiters and fails later admissions', async () => {
    const f = new InOrder<E>(() => {}, () => 1);
    const w = f.admit({ ready: false, id: 0 });
    f.fail(new Error('worker died'));
    await w;
    expect(() => f.admit({ ready: false, id: 1 })).toThrow('worker died');
    await expect(f.idle()).rejects.toThrow('worker died');
  });
});
