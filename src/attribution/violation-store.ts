// The violations of one run, in report order, with memory that does not grow with their number:
// the first ones stay in memory (the human reports describe those), and past a bound the rest go
// as JSON lines to a private temporary file, read back in order by the formats that list every
// violation (json, jsonl, csv). JSON.parse(JSON.stringify(v)) gives back an object that prints
// byte for byte the same, so a spilled report is identical to one held in memory.
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Violation, ViolationSource } from '../model/report.js';
import { privateTempFolder, tempError } from '../timeline/temp.js';

/** The violations that went to disk, after the ones the report holds; batches() and texts() give them all. */
export interface SpilledViolations extends ViolationSource {
  /** how many are on disk */
  count: number;
  /** the temporary file that holds them */
  file: string;
  /** removes the temporary file (also done when the process exits) */
  dispose(): void;
}

export interface StoreLimits {
  /** violations kept in memory at the head of the report */
  head: number;
  /** with no more than this many in all, every violation stays in memory and nothing spills */
  inMemory: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = { head: 10_000, inMemory: 10_000 };

/** Bytes gathered before a write to the spill file. */
const WRITE_BYTES = 1 << 20;
/** Violations per batch read back. */
const BATCH = 256;
/** Bytes read back from the spill file at a time. */
const READ_BYTES = 64 * 1024;

export class ViolationStore {
  private readonly head: Violation[] = [];
  private pending: Violation[] = [];
  private spill?: SpillFile;
  private spilledCount = 0;

  constructor(private readonly limits: StoreLimits = DEFAULT_STORE_LIMITS) {}

  add(v: Violation): void {
    if (this.head.length < this.limits.head) {
      this.head.push(v);
      return;
    }
    if (this.spill) {
      this.spill.append(v);
      this.spilledCount++;
      return;
    }
    this.pending.push(v);
    if (this.head.length + this.pending.length > this.limits.inMemory) {
      this.spill = new SpillFile();
      for (const p of this.pending) this.spill.append(p);
      this.spilledCount += this.pending.length;
      this.pending = [];
    }
  }

  /** The violations the report holds (all of them unless some spilled), and the spilled rest. */
  finish(): { violations: Violation[]; spilled?: SpilledViolations } {
    if (!this.spill) return { violations: this.head.concat(this.pending) };
    const spill = this.spill;
    spill.close();
    const head = this.head;
    return {
      violations: head,
      spilled: {
        count: this.spilledCount,
        file: spill.path,
        batches: () => inOrder(head, spill),
        texts: () => textsInOrder(head, spill),
        dispose: () => spill.remove(),
      },
    };
  }
}

async function* inOrder(head: readonly Violation[], spill: SpillFile): AsyncGenerator<readonly Violation[]> {
  for (let i = 0; i < head.length; i += BATCH) yield head.slice(i, i + BATCH);
  for await (const texts of spill.read()) yield texts.map((t) => JSON.parse(t) as Violation);
}

async function* textsInOrder(head: readonly Violation[], spill: SpillFile): AsyncGenerator<readonly string[]> {
  for (let i = 0; i < head.length; i += BATCH) yield head.slice(i, i + BATCH).map((v) => JSON.stringify(v));
  yield* spill.read();
}

/** One JSON text per line in a file only this user can read, removed at the latest when the process exits. */
class SpillFile {
  private readonly folder = privateTempFolder('violations');
  readonly path = join(this.folder.path, 'violations.jsonl');
  private fd: number | undefined;
  // One reused buffer: the JSON texts die young instead of piling up in one large string.
  private readonly buffer = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;

  constructor() {
    try {
      this.fd = openSync(this.path, 'wx', 0o600);
    } catch (err) {
      this.folder.remove();
      throw tempError('cannot create the temporary file for violations', err, this.path);
    }
  }

  append(v: Violation): void {
    const text = JSON.stringify(v);
    // At most three bytes per UTF-16 unit: room is checked without measuring the text first.
    if (this.used + text.length * 3 + 1 > this.buffer.length) {
      this.flush();
      if (text.length * 3 + 1 > this.buffer.length) {
        this.write(Buffer.from(text + '\n'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
    this.buffer[this.used++] = 10;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** The JSON texts, in order (the file is kept until remove()). */
  async *read(): AsyncGenerator<string[]> {
    let rest = '';
    let batch: string[] = [];
    // Reads of 64 KiB: strings of a mebibyte would go to V8's large-object space and pile up as garbage.
    for await (const chunk of createReadStream(this.path, { highWaterMark: READ_BYTES, encoding: 'utf8' })) {
      const text = rest + (chunk as string);
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

  remove(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.folder.remove();
  }

  private flush(): void {
    if (this.used === 0) return;
    this.write(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private write(bytes: Buffer): void {
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd!, bytes, off, bytes.length - off);
    } catch (err) {
      // A full disk is the user's to fix, with one line saying where.
      this.remove();
      throw tempError('cannot write violations to the temporary file', err, this.path);
    }
  }
}
