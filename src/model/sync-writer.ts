// Text written to an open file synchronously, gathered in one reused buffer: for files written from
// inside a synchronous loop (temporary files of records and calls, a report streamed as its
// violations are built). The texts die young instead of piling up in one large string.
import { writeSync } from 'node:fs';

/** Bytes gathered before a write. */
const WRITE_BYTES = 1 << 20;

export class SyncWriter {
  private readonly buffer = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;

  /** `failed`: the error to throw when a write fails (after whatever the owner does about it) */
  constructor(private readonly fd: number, private readonly failed: (err: unknown) => Error) {}

  /** `text`, followed by a newline when `line`. */
  put(text: string, line = false): void {
    // At most three bytes per UTF-16 unit: room is checked without measuring the text first (a
    // flood's report is gigabytes; measuring each piece was a second pass over all of it).
    const room = text.length * 3 + (line ? 1 : 0);
    if (this.used + room > this.buffer.length) {
      this.flush();
      if (room > this.buffer.length) {
        this.write(Buffer.from(line ? text + '\n' : text));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
    if (line) this.buffer[this.used++] = 10;
  }

  /** Writes what is gathered. */
  flush(): void {
    if (this.used === 0) return;
    this.write(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private write(bytes: Buffer): void {
    let waitMs = MIN_WAIT_MS;
    for (let at = 0; at < bytes.length;) {
      try {
        at += writeSync(this.fd, bytes, at, bytes.length - at);
        waitMs = MIN_WAIT_MS;
      } catch (err) {
        // A pipe Node has made non-blocking (standard output once touched) says EAGAIN while it is
        // full: the reader is slower than the report. Wait for it, a little longer each time.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw this.failed(err);
        Atomics.wait(PAUSE, 0, 0, waitMs);
        waitMs = Math.min(waitMs * 2, MAX_WAIT_MS);
      }
    }
  }
}

/** Slept on (Atomics.wait) while a full pipe drains: nothing ever wakes it early. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
/** A reader such as `jq` or `cat` drains a full pipe (64 KiB) in tens of microseconds; one that stopped (`| less`) is asked 50 times a second. */
const MIN_WAIT_MS = 0.02;
const MAX_WAIT_MS = 20;
