// -j N: N parse workers. Every batch of a file goes to the same worker (its context evolves in
// order), files are spread over the workers in the order they first appear; results come back in any order and the engine applies them in the order the batches
// were handed in, so the output is the same for every N.
import { Worker } from 'node:worker_threads';
import type { LogGroup } from '../config/types.js';
import type { BatchResult, ToWorker, WorkerInit } from './protocol.js';

export class ParseWorkers {
  private readonly workers: Worker[];
  private failure: Error | null = null;
  /** Worker index of each file (group + NUL + path), and how many files each worker was given. */
  private readonly assigned = new Map<string, number>();
  private readonly load: number[];

  constructor(n: number, groups: LogGroup[], onResult: (r: BatchResult) => void, onError: (e: Error) => void) {
    const init: WorkerInit = { groups };
    this.workers = [];
    this.load = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
      w.on('message', onResult);
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
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
