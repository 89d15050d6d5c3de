// A few file descriptors held in reserve (on /dev/null): when the process runs out of descriptors
// because of the files it tails, the reserve is given up, so that the status endpoint can still
// accept a connection, a pusher reconnect and the state file be written; the tailer opens nothing
// more until it could take its reserve back.
import * as fs from 'node:fs';

export class FdReserve {
  private fds: number[] = [];

  constructor(private readonly size = 16) {
    this.refill();
  }

  /** Takes the reserve back (if it was given up); false when there are not enough descriptors for it. */
  refill(): boolean {
    try {
      while (this.fds.length < this.size) this.fds.push(fs.openSync('/dev/null', 'r'));
      return true;
    } catch {
      return false;
    }
  }

  release(): void {
    for (const fd of this.fds.splice(0)) {
      try { fs.closeSync(fd); } catch { /* closed */ }
    }
  }
}
