// The violations of one run, in report order, with memory that does not grow with their number:
// the first ones stay in memory (the human reports describe those), and past a bound the rest go
// as JSON lines to a private temporary file, read back in order by the formats that list every
// violation (json, jsonl, csv). JSON.parse(JSON.stringify(v)) gives back an object that prints
// byte for byte the same, so a spilled report is identical to one held in memory.
import { join } from 'node:path';
import type { Violation, ViolationSource } from '../model/report.js';
import { JsonLinesFile } from '../timeline/json-lines-file.js';
import { privateTempFolder } from '../timeline/temp.js';

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

/** Violations per batch read back. */
const BATCH = 256;

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

/** One violation per line in a file only this user can read, removed at the latest when the process exits. */
class SpillFile extends JsonLinesFile {
  constructor() {
    const folder = privateTempFolder('violations');
    super(join(folder.path, 'violations.jsonl'), 'violations', () => folder.remove());
  }
}
