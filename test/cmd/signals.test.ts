// Signals (spec section 10) on a fake process: SIGHUP before the run mode is up is queued and run
// once it is (coalesced, never two reloads at once); the first stop signal resolves `stopped`; a
// second one forces the exit with 128 + n; --check / --test-parser exit on any of them.
import { describe, expect, it } from 'vitest';
import { Signals, type SignalHost } from '../../src/cmd/signals.js';

type Sig = 'SIGHUP' | 'SIGTERM' | 'SIGINT' | 'SIGQUIT';

function fakeHost() {
  const handlers = new Map<Sig, () => void>();
  const exits: number[] = [];
  const host: SignalHost = {
    on: (s, fn) => handlers.set(s, fn),
    off: (s) => handlers.delete(s),
    exit: (code) => { exits.push(code); },
  };
  return { host, exits, send: (s: Sig) => handlers.get(s)!(), handlers };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('signals', () => {
  it('installs the four handlers at once', () => {
    const f = fakeHost();
    Signals.install(f.host);
    expect([...f.handlers.keys()].sort()).toEqual(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM']);
  });

  it('queues SIGHUPs that come before the run mode is up, and runs one reload for them', async () => {
    const f = fakeHost();
    const s = Signals.install(f.host);
    f.send('SIGHUP');
    f.send('SIGHUP');
    let reloads = 0;
    await s.onReload(async () => { reloads++; });
    expect(reloads).toBe(1);
    f.send('SIGHUP');
    await tick();
    expect(reloads).toBe(2);
    expect(f.exits).toEqual([]);
  });

  it('never runs two reloads at once; a SIGHUP during one asks for one more', async () => {
    const f = fakeHost();
    const s = Signals.install(f.host);
    let running = 0;
    let most = 0;
    let calls = 0;
    let release!: () => void;
    await s.onReload(async () => {
      calls++;
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => { release = r; });
      running--;
    });
    f.send('SIGHUP');
    await tick();
    f.send('SIGHUP');
    f.send('SIGHUP');
    release();
    await tick(); await tick();
    release();
    await tick();
    expect(calls).toBe(2);
    expect(most).toBe(1);
  });

  it('the first stop signal resolves `stopped` (even during start-up); the second forces the exit', async () => {
    const f = fakeHost();
    const s = Signals.install(f.host);
    const forced: Array<[string, number]> = [];
    s.onForcedExit = (sig, code) => forced.push([sig, code]);
    f.send('SIGINT');
    expect(await s.stopped).toBe('SIGINT');
    expect(f.exits).toEqual([]);
    f.send('SIGTERM');
    expect(f.exits).toEqual([143]);
    expect(forced).toEqual([['SIGTERM', 143]]);
  });

  it('no reload once stopping', async () => {
    const f = fakeHost();
    const s = Signals.install(f.host);
    let reloads = 0;
    await s.onReload(async () => { reloads++; });
    f.send('SIGQUIT');
    f.send('SIGHUP');
    await tick();
    expect(reloads).toBe(0);
  });

  it('--check and --test-parser: any signal exits as by default, one caught before included', () => {
    const f = fakeHost();
    const s = Signals.install(f.host);
    f.send('SIGHUP');
    s.exitOnSignal();
    expect(f.exits).toEqual([129]);
    f.send('SIGINT');
    expect(f.exits).toEqual([129, 130]);
  });
});
