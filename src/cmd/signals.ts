// Signals (spec section 10), caught from the first moment the collector runs: cli.ts installs them
// before it loads anything else, so no signal finds the process half-started with the default
// action (which for SIGHUP is to die silently, a clean exit in systemd's eyes).
// - SIGHUP reloads the config. One that comes before the daemon is up is queued and applied once it
//   is; several are coalesced; two reloads never run at once.
// - SIGTERM, SIGINT, SIGQUIT stop: `stopped` resolves, and the run mode flushes and drains (daemon
//   and --once alike) and exits 0. One that comes during start-up is acted on once start-up is done.
//   A second one forces the exit at once, with 128 + the signal's number.
// --check and --test-parser have nothing to flush: there, any of them ends the process as it would
// by default (exit 128 + n).
// No heavy imports here: this module is loaded before the rest of the collector.

export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT';
type Caught = StopSignal | 'SIGHUP';

const STOPS: readonly StopSignal[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];
const NUMBER: Record<Caught, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

export interface SignalHost {
  on(sig: Caught, fn: () => void): unknown;
  off(sig: Caught, fn: () => void): unknown;
  exit(code: number): void;
}

export class Signals {
  /** Resolves with the first stop signal. */
  readonly stopped: Promise<StopSignal>;
  private resolveStop!: (s: StopSignal) => void;
  private stopSignal: StopSignal | null = null;
  private exitNow = false;
  private hupsPending = 0;
  private reloader: (() => Promise<void>) | null = null;
  private looping = false;
  private running: Promise<void> = Promise.resolve();
  /** Called before a forced exit (log it, flush the log). */
  onForcedExit: (sig: Caught, code: number) => void = () => {};
  private readonly handlers = new Map<Caught, () => void>();

  private constructor(private readonly host: SignalHost) {
    this.stopped = new Promise((r) => { this.resolveStop = r; });
  }

  static install(host: SignalHost = process as unknown as SignalHost): Signals {
    const s = new Signals(host);
    for (const sig of [...STOPS, 'SIGHUP'] as Caught[]) {
      const fn = () => s.caught(sig);
      s.handlers.set(sig, fn);
      host.on(sig, fn);
    }
    return s;
  }

  /** --check, --test-parser: nothing to flush, so a signal exits as by default (also one already caught). */
  exitOnSignal(): void {
    this.exitNow = true;
    const first = this.stopSignal ?? (this.hupsPending ? 'SIGHUP' : null);
    if (first) this.force(first);
  }

  /**
   * The run mode is up: each SIGHUP (and the ones queued before) runs `reload`; null stops
   * reloading (shutdown). Returns once the queued reload, if any, is done.
   */
  async onReload(reload: (() => Promise<void>) | null): Promise<void> {
    this.reloader = reload;
    await this.runReloads();
  }

  /** Removes the handlers (tests). */
  uninstall(): void {
    for (const [sig, fn] of this.handlers) this.host.off(sig, fn);
    this.handlers.clear();
  }

  private caught(sig: Caught): void {
    if (this.exitNow) return this.force(sig);
    if (sig === 'SIGHUP') {
      this.hupsPending++;
      void this.runReloads();
      return;
    }
    if (this.stopSignal) return this.force(sig);
    this.stopSignal = sig;
    this.resolveStop(sig);
  }

  private force(sig: Caught): void {
    const code = 128 + NUMBER[sig];
    this.onForcedExit(sig, code);
    this.host.exit(code);
  }

  /** The reload loop, one at a time; callers (onReload: shutdown) wait for the one running. */
  private runReloads(): Promise<void> {
    if (!this.looping) {
      this.looping = true;
      this.running = this.reloadLoop();
    }
    return this.running;
  }

  private async reloadLoop(): Promise<void> {
    try {
      // Every SIGHUP that came while a reload ran asks for one more: the config may have changed again.
      while (this.hupsPending > 0 && this.reloader && !this.stopSignal) {
        this.hupsPending = 0;
        await this.reloader();
      }
    } finally {
      this.looping = false; // synchronously with the last check: a SIGHUP after it starts a new loop
    }
  }
}
