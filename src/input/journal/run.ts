// One journalctl process: its stdout handed on chunk by chunk, its stderr kept for classifying how it
// ended. Backpressure: while the consumer's promise for a chunk is pending, stdout is paused; Node
// then stops reading the pipe once its buffer is full, the pipe fills, and journalctl blocks in
// write(). Nothing is lost: it resumes writing where it stopped.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The start of what journalctl wrote on stderr (at most 16 KB). */
  stderr: string;
  /** The process could not be started (journalctl missing, not executable). */
  spawnError: NodeJS.ErrnoException | null;
  /** The consumer threw or rejected (the process was then killed). */
  consumerError: unknown;
}

const STDERR_KEEP = 16 * 1024;
const KILL_GRACE_MS = 2000;

export class JournalctlRun {
  readonly ended: Promise<RunEnd>;
  private readonly child: ChildProcess;
  private consumerError: unknown = undefined;
  private exited = false;
  private stopping = false;

  /** `command`: the program and any leading arguments (normally just `journalctl`). */
  constructor(command: readonly string[], args: readonly string[], onChunk: (chunk: Buffer) => void | Promise<void>) {
    const child = spawn(command[0]!, [...command.slice(1), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C.UTF-8', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' },
    });
    this.child = child;
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => { if (stderr.length < STDERR_KEEP) stderr += s.slice(0, STDERR_KEEP - stderr.length); });
    const out = child.stdout!;
    out.on('data', (chunk: Buffer) => {
      if (this.stopping) return; // what comes after a stop is not handed on
      let p: void | Promise<void>;
      try {
        p = onChunk(chunk);
      } catch (e) {
        this.fail(e);
        return;
      }
      if (p && typeof (p as Promise<void>).then === 'function') {
        out.pause();
        p.then(() => out.resume(), (e: unknown) => { this.fail(e); out.resume(); });
      }
    });
    this.ended = new Promise<RunEnd>((resolve) => {
      let spawnError: NodeJS.ErrnoException | null = null;
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          spawnError = e;
          this.exited = true;
          resolve({ code: null, signal: null, stderr, spawnError, consumerError: this.consumerError });
        }
      });
      child.on('close', (code, signal) => {
        this.exited = true;
        resolve({ code, signal, stderr, spawnError, consumerError: this.consumerError });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends the process (SIGTERM, then SIGKILL if it lingers); `ended` resolves once it is gone. */
  stop(): Promise<RunEnd> {
    if (!this.exited && !this.stopping) {
      this.stopping = true;
      this.child.kill('SIGTERM');
      const t = setTimeout(() => { if (!this.exited) this.child.kill('SIGKILL'); }, KILL_GRACE_MS);
      void this.ended.then(() => clearTimeout(t));
      this.child.stdout!.resume(); // a paused pipe must drain for 'close' to come
    }
    return this.ended;
  }

  private fail(e: unknown): void {
    if (this.consumerError === undefined) this.consumerError = e ?? new Error('consumer failed');
    void this.stop();
  }
}
