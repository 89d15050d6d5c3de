// -j N: N parse workers. Every batch of a file goes to the same worker (its context evolves in
// order), files are spread over the workers in the order they first appear; results come back in any order and the engine applies them in the order the batches
// were handed in, so the output is the same for every N.
import { Worker } from 'node:worker_threads';
import type { LogGroup } from '../../config/types.js';
import type { BatchResult, Profiled, ToWorker, WorkerInit } from './protocol.js';
import { workerProfileFile } from '../../core/profile.js';

/** How long close() waits for the workers' profiles to be written. */
const PROFILE_WAIT_MS = 10_000;

export class ParseWorkers {
  private readonly workers: Worker[];
  private failure: Error | null = null;
  /** Worker index of each file (group + NUL + path), and how many files each worker was given. */
  private readonly assigned = new Map<string, number>();
  private readonly load: number[];
  private readonly profiling: boolean;
  private profiled: Array<() => void> = [];

  /** `profile`: -P's file; each worker writes its own profile next to it (see workerProfileFile). */
  constructor(n: number, groups: LogGroup[], onResult: (r: BatchResult) => void, onError: (e: Error) => void, profile?: string) {
    this.workers = [];
    this.load = new Array<number>(n).fill(0);
    this.profiling = profile !== undefined;
    for (let i = 0; i < n; i++) {
      const init: WorkerInit = { groups, profile: profile === undefined ? undefined : workerProfileFile(profile, i + 1) };
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
      w.on('message', (m: BatchResult | Profiled) => {
        if (m.kind === 'profiled') this.profiled.shift()?.();
        else onResult(m);
      });
      w.on('error', (e) => { this.failure = e; onError(e); });
      w.unref(); // kept alive only while batches are in flight (see busy())
      this.workers.push(w);
    }
  }

  /** While batches are in flight the workers keep the process alive; when idle they don't. */
  busy(yes: boolean): void {
    for (const w of this.workers) if (yes) w.ref(); else w.unref();
  }

  get size(): number {
    return this.workers.length;
  }

  private pick(group: string, path: string): Worker {
    const id = group + '\0' + path;
    let w = this.assigned.get(id);
    if (w === undefined) {
      w = this.load.indexOf(Math.min(...this.load));
      this.load[w]!++;
      this.assigned.set(id, w);
    }
    return this.workers[w]!;
  }

  batch(seq: number, group: string, path: string, lines: string[], wallSec: number): void {
    if (this.failure) throw this.failure;
    const m: ToWorker = { kind: 'batch', seq, group, path, text: lines.join('\n'), count: lines.length, wallSec };
    this.pick(group, path).postMessage(m);
  }

  fileTime(group: string, path: string, newest: number): void {
    const m: ToWorker = { kind: 'file-time', group, path, newest };
    this.pick(group, path).postMessage(m);
  }

  setGroups(groups: LogGroup[]): void {
    const m: ToWorker = { kind: 'groups', groups };
    for (const w of this.workers) w.postMessage(m);
  }

  async close(): Promise<void> {
    if (this.profiling && !this.failure) {
      this.busy(true);
      const written = this.workers.map(() => new Promise<void>((r) => this.profiled.push(r)));
      const m: ToWorker = { kind: 'stop-profile' };
      for (const w of this.workers) w.postMessage(m);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(written), new Promise((r) => { timer = setTimeout(r, PROFILE_WAIT_MS); })]);
      clearTimeout(timer);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
