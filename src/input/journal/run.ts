// One journalctl process: its stdout handed on chunk by chunk (pulled, so that nothing more is read
// while the consumer's promise is pending: journalctl then blocks writing to the full pipe and
// resumes where it stopped), its stderr kept for classifying how it ended.
import { spawn, type ChildProcess } from 'node:child_process';
import { pullChunks, type Pull } from '../pull.js';

export interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The start of what journalctl wrote on stderr (at most 16 KB). */
  stderr: string;
  /** The process could not be started (journalctl missing, not executable). */
  spawnError: NodeJS.ErrnoException | null;
  /** The consumer threw or rejected (the process was then stopped). */
  consumerError: unknown;
}

const STDERR_KEEP = 16 * 1024;
const KILL_GRACE_MS = 2000;

export class JournalctlRun {
  readonly ended: Promise<RunEnd>;
  private readonly child: ChildProcess;
  private readonly pull: Pull;
  private consumerError: unknown = undefined;
  private exited = false;
  private stopping = false;

  /** `command`: the program and any leading arguments (normally just `journalctl`). */
  /** `onStderr`: what journalctl writes on stderr, as it comes. */
  constructor(command: readonly string[], args: readonly string[], onChunk: (chunk: Buffer) => void | Promise<void>,
    onStderr?: (text: string) => void) {
    const child = spawn(command[0]!, [...command.slice(1), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C.UTF-8', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' },
    });
    this.child = child;
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (stderr.length < STDERR_KEEP) stderr += s.slice(0, STDERR_KEEP - stderr.length);
      onStderr?.(s);
    });
    this.pull = pullChunks(child.stdout!, (chunk) => {
      if (this.stopping) return; // what comes after a stop is not handed on
      try {
        const p = onChunk(chunk);
        if (p) return p.catch((e: unknown) => this.fail(e));
      } catch (e) {
        this.fail(e);
      }
    });
    this.pull.done.catch(() => { /* a read error on the pipe: the process's end says what happened */ });
    this.ended = new Promise<RunEnd>((resolve) => {
      const end = (code: number | null, signal: NodeJS.Signals | null, spawnError: NodeJS.ErrnoException | null) => {
        this.exited = true;
        resolve({ code, signal, stderr, spawnError, consumerError: this.consumerError });
      };
      child.on('error', (e: NodeJS.ErrnoException) => { if (child.pid === undefined) end(null, null, e); });
      // the end of the output is the end of the run only once its last chunk has been consumed
      child.on('close', (code, signal) => void this.pull.done.catch(() => undefined).then(() => end(code, signal, null)));
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
      this.pull.stop();
      const t = setTimeout(() => { if (!this.exited) this.child.kill('SIGKILL'); }, KILL_GRACE_MS);
      void this.ended.then(() => clearTimeout(t));
    }
    return this.ended;
  }

  private fail(e: unknown): void {
    if (this.consumerError === undefined) this.consumerError = e ?? new Error('consumer failed');
    void this.stop();
  }
}
