// Backpressure on a byte stream (a pipe: standard input, journalctl's stdout): chunks are pulled with
// read() on 'readable' and handed on one at a time; while the consumer's promise is pending nothing is
// read, so Node's buffer fills, it stops reading the pipe, the pipe fills and the writer blocks.
// Pulled rather than paused: Node resumes a paused stdout of a child process when the child exits
// (child_process flushStdio), which would hand on chunks while the consumer is still busy.
import type { Readable } from 'node:stream';

export interface Pull {
  /**
   * Resolves at the end of the stream once the last chunk's promise has settled ('end' comes as soon
   * as the last chunk is read, not when it is consumed); rejects with the consumer's or the stream's error.
   */
  readonly done: Promise<void>;
  /** Stops handing on chunks and destroys the stream (a writer at its other end then gets EPIPE). */
  stop(): void;
}

export function pullChunks(stream: Readable, onChunk: (chunk: Buffer) => void | Promise<void>): Pull {
  let waiting = false;
  let ended = false;
  let finished = false;
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  const finish = (e?: unknown) => {
    if (finished) return;
    finished = true;
    if (e === undefined) resolve(); else reject(e);
  };
  const fail = (e: unknown) => {
    finish(e ?? new Error('consumer failed'));
    stream.destroy();
  };
  const pump = (): void => {
    while (!waiting && !finished) {
      const chunk = stream.read() as Buffer | string | null;
      if (chunk === null) return;
      let p: void | Promise<void>;
      try {
        p = onChunk(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      } catch (e) {
        fail(e);
        return;
      }
      if (p && typeof (p as Promise<void>).then === 'function') {
        waiting = true;
        p.then(() => { waiting = false; pump(); endIfDone(); }, fail);
      }
    }
  };
  const endIfDone = () => { if (ended && !waiting) finish(); };
  const atEnd = () => { ended = true; endIfDone(); };
  stream.on('readable', pump);
  stream.on('end', atEnd);
  stream.on('close', atEnd); // destroyed, or closed without an end
  stream.on('error', (e) => finish(e));
  return {
    done,
    stop() {
      finish();
      stream.destroy();
    },
  };
}
