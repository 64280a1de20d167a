// One JSON text per line in a private temporary file: what does not fit in memory (violations past
// the report's head, records rules marked past the scan's budget) waits there, in order, until it
// is read back. Writes are gathered in one reused buffer and reads come in batches of lines.
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { SyncWriter } from '../model/sync-writer.js';
import { tempError } from './temp.js';

/** Lines per batch read back. */
const BATCH = 256;
/** Bytes read back at a time. */
const READ_BYTES = 64 * 1024;

export class JsonLinesFile {
  private fd: number | undefined;
  private readonly writer: SyncWriter;

  /**
   * Creates `path` (it must not exist; mode 0600). `what` names the data in error messages;
   * `onRemove` also runs when the file is removed (the caller's folder goes with it).
   */
  constructor(readonly path: string, private readonly what: string, private readonly onRemove?: () => void) {
    try {
      this.fd = openSync(this.path, 'wx', 0o600);
    } catch (err) {
      this.onRemove?.();
      throw tempError(`cannot create the temporary file for ${what}`, err, this.path);
    }
    this.writer = new SyncWriter(this.fd, (err) => {
      // A full disk is the user's to fix, with one line saying where.
      this.remove();
      return tempError(`cannot write ${this.what} to the temporary file`, err, this.path);
    });
  }

  append(value: unknown): void {
    this.appendText(JSON.stringify(value));
  }

  appendText(text: string): void {
    this.writer.put(text, true);
  }

  close(): void {
    if (this.fd !== undefined) {
      this.writer.flush();
      closeSync(this.fd);
    }
    this.fd = undefined;
  }

  /** The JSON texts, in order (the file is kept until remove()). */
  async *read(): AsyncGenerator<string[]> {
    yield* readJsonLines(this.path);
  }

  remove(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.onRemove?.();
  }

}

/**
 * The lines of a file written by JsonLinesFile, in batches, in order. The file is opened for each
 * read and closed again: a merge reads the marked records of every input side by side, and an
 * evidence folder of a thousand logs would otherwise hold a thousand descriptors (commonly the
 * process's limit) between two batches.
 */
export async function* readJsonLines(path: string): AsyncGenerator<string[]> {
  let rest = '';
  let batch: string[] = [];
  const decoder = new StringDecoder('utf8');
  // Reads of 64 KiB: strings of a mebibyte would go to V8's large-object space and pile up as garbage.
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  for (let position = 0; ;) {
    const read = await readAt(path, buffer, position);
    if (read === 0) break;
    position += read;
    const text = rest + decoder.write(buffer.subarray(0, read));
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      batch.push(text.slice(from, nl));
      from = nl + 1;
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
      }
    }
    rest = text.slice(from);
  }
  if (batch.length) yield batch;
}

async function readAt(path: string, buffer: Buffer, position: number): Promise<number> {
  const file = await open(path, 'r');
  try {
    return (await file.read(buffer, 0, buffer.length, position)).bytesRead;
  } finally {
    await file.close();
  }
}

/**
 * The lines of a file, one at a time and synchronously: for passes that read a temporary file of
 * their own from inside a synchronous loop (the tool calls, read through a moving window while the
 * violations are built). Reads of 256 KiB, decoded up to their last newline (a byte no multi-byte
 * character contains), the rest carried to the next read.
 */
export class LineReader {
  private readonly fd: number;
  private buffer = Buffer.allocUnsafe(256 * 1024);
  /** bytes at the start of `buffer` that belong to the next text (a line cut by the last read) */
  private carried = 0;
  private text = '';
  private at = 0;
  private ended = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  /** The next line without its newline; undefined at the end (the file is then closed). */
  next(): string | undefined {
    for (;;) {
      const nl = this.text.indexOf('\n', this.at);
      if (nl >= 0) {
        const line = this.text.slice(this.at, nl);
        this.at = nl + 1;
        return line;
      }
      if (this.ended) return undefined;
      this.fill();
    }
  }

  close(): void {
    if (!this.ended) closeSync(this.fd);
    this.ended = true;
  }

  private fill(): void {
    // A line longer than the buffer: the buffer grows to hold it.
    if (this.carried === this.buffer.length) {
      const larger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(larger);
      this.buffer = larger;
    }
    const n = readSync(this.fd, this.buffer, this.carried, this.buffer.length - this.carried, null);
    const filled = this.carried + n;
    this.at = 0;
    if (n === 0) {
      // the last line, without a newline
      this.text = this.carried ? this.buffer.toString('utf8', 0, filled) + '\n' : '';
      this.carried = 0;
      this.close();
      return;
    }
    const last = this.buffer.lastIndexOf(10, filled - 1);
    if (last < 0) {
      this.text = '';
      this.carried = filled;
      return;
    }
    this.text = this.buffer.toString('utf8', 0, last + 1);
    this.buffer.copy(this.buffer, 0, last + 1, filled);
    this.carried = filled - last - 1;
  }
}
