// The records rules marked in one input, in the order it was read, for the passes after the scan
// (clock estimation, correlations, violations): the ones a scan kept in memory, and the ones it
// wrote to disk past its budget (see ScanOptions.spill). Passes read them in batches, one input
// after another or merged into one time-ordered stream, so a flood of marked records is held once
// on disk instead of in memory.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compareEvents, compareRefs, type ForensicEvent } from './model/event.js';
import type { SharedStrings } from './model/shared-strings.js';
import type { Rule } from './rules/rule.js';
import { spilledMark, type ScanMark, type SpilledMark, type SpilledMarks } from './scan.js';
import { JsonLinesFile, readJsonLines } from './timeline/json-lines-file.js';
import { Heap } from './timeline/merge.js';

/** A marked record: a finding (detection rules marked it), a correlation match, or both. */
export interface Marked {
  event: ForensicEvent;
  /** the scan's time: the event's plus the input's manual offset */
  timeMs: number;
  finding?: Rule[];
  match?: Rule[];
}

/** Part of an input's marked records: in memory, or in a spill file (lines counted from a slice's start, shifted on reading). */
type Segment = { records: Marked[] } | { file: string; count: number; lineShift: number };

/** Records handed out per batch. */
const BATCH = 1024;

/** One input's marked records in read order, with the rule lists their ids stand for. */
export class InputMarks {
  private readonly segments: Segment[] = [];
  private readonly lists = new Map<string, Rule[]>();
  /** records that went to disk */
  spilledCount = 0;
  /** findings among all the records */
  findings = 0;
  /** sort() has put the records in order */
  private sorted = false;

  constructor(private readonly rules: Map<string, Rule>) {}

  /** The records a scan (of the whole input or of its next slice) kept and spilled, `lineShift` lines into the file. */
  add(findings: ScanMark[], matches: ScanMark[], spilled: SpilledMarks | undefined, lineShift: number): void {
    const records = pair(findings, matches, (ids) => this.toRules(ids));
    this.findings += findings.length + (spilled?.findings ?? 0);
    if (lineShift) {
      // Records of one line may share their reference: each reference moves once.
      const moved = new Set<object>();
      for (const { event } of records) {
        if (event.ref.line === undefined || moved.has(event.ref)) continue;
        moved.add(event.ref);
        event.ref.line += lineShift;
      }
    }
    if (records.length) this.segments.push({ records });
    if (spilled && spilled.count) {
      this.segments.push({ file: spilled.file, count: spilled.count, lineShift });
      this.spilledCount += spilled.count;
    }
  }

  /** How many records are held in memory. */
  get inMemory(): number {
    return this.segments.reduce((n, s) => n + ('records' in s ? s.records.length : 0), 0);
  }

  get empty(): boolean {
    return this.segments.length === 0;
  }

  /** Moves the records held in memory to a spill file in `folder` (the run holds too many). */
  spillTo(folder: string, name: string): void {
    for (let k = 0; k < this.segments.length; k++) {
      const s = this.segments[k]!;
      if (!('records' in s) || s.records.length === 0) continue;
      const file = new JsonLinesFile(join(folder, `${name}-${k}.jsonl`), 'marked records');
      for (const r of s.records) file.append(spilledMark(r.timeMs, r.event, r.finding, r.match));
      file.close();
      this.segments[k] = { file: file.path, count: s.records.length, lineShift: 0 };
      this.spilledCount += s.records.length;
    }
  }

  /** How many records wait on disk. */
  get onDisk(): number {
    return this.segments.reduce((n, s) => n + ('file' in s ? s.count : 0), 0);
  }

  /**
   * Reads the spill files back into memory, their strings shared through `strings`: the passes after
   * the reading (clocks, correlations, violations) then take the records without parsing each one again.
   */
  async reload(strings: SharedStrings): Promise<void> {
    for (let k = 0; k < this.segments.length; k++) {
      const s = this.segments[k]!;
      if (!('file' in s)) continue;
      const records: Marked[] = [];
      for await (const lines of readJsonLines(s.file)) {
        for (const text of lines) {
          const r = this.fromLine(JSON.parse(text) as SpilledMark, s.lineShift);
          strings.shareEvent(r.event);
          records.push(r);
        }
      }
      rmSync(s.file, { force: true });
      this.segments[k] = { records };
    }
  }

  /** Removes the spill files (the records are not needed: the input is read again). */
  dispose(): void {
    for (const s of this.segments) if ('file' in s) rmSync(s.file, { force: true });
    this.segments.length = 0;
    this.spilledCount = 0;
    this.findings = 0;
  }

  /** The records in read order, a batch at a time. */
  async *batches(): AsyncGenerator<Marked[]> {
    for (const s of this.segments) {
      if ('records' in s) {
        for (let i = 0; i < s.records.length; i += BATCH) yield s.records.slice(i, i + BATCH);
        continue;
      }
      for await (const lines of readJsonLines(s.file)) yield lines.map((text) => this.fromLine(JSON.parse(text) as SpilledMark, s.lineShift));
    }
  }

  /** How many records there are, in memory and on disk. */
  get count(): number {
    return this.segments.reduce((n, s) => n + ('records' in s ? s.records.length : s.count), 0);
  }

  /**
   * Puts the records in (time, position) order, once, for the passes that merge inputs (an input
   * not read in time order: a CloudTrail folder, flow logs). Up to `runSize` records are sorted in
   * memory; more are cut into sorted runs of that size in `folder`, merged back into one file.
   */
  async sort(folder: string | undefined, runSize: number): Promise<void> {
    // The clocks may need the order before the violations do (tool calls read through a window).
    if (this.sorted) return;
    this.sorted = true;
    if (folder === undefined || this.count <= runSize) {
      const all: Marked[] = [];
      for await (const b of this.batches()) for (const r of b) all.push(r);
      all.sort((a, b) => compareEvents(a.event, b.event));
      this.replace([{ records: all }]);
      return;
    }
    const runs: InputMarks[] = [];
    let run: Marked[] = [];
    const cut = () => {
      run.sort((a, b) => compareEvents(a.event, b.event));
      const marks = new InputMarks(this.rules);
      marks.segments.push({ records: run });
      marks.spillTo(folder, `run-${randomUUID()}`);
      runs.push(marks);
      run = [];
    };
    for await (const b of this.batches()) {
      for (const r of b) {
        run.push(r);
        if (run.length >= runSize) cut();
      }
    }
    if (run.length) cut();
    const merged = new JsonLinesFile(join(folder, `sorted-${randomUUID()}.jsonl`), 'marked records');
    let count = 0;
    await forEachMerged(runs.map((marks) => ({ marks, offsetMs: 0 })), (r) => {
      merged.append(spilledMark(r.timeMs, r.event, r.finding, r.match));
      count++;
    });
    merged.close();
    for (const r of runs) r.dispose();
    this.replace([{ file: merged.path, count, lineShift: 0 }]);
  }

  /** New segments in place of the old ones (whose files are removed); the counts stay. */
  private replace(segments: Segment[]): void {
    for (const s of this.segments) if ('file' in s) rmSync(s.file, { force: true });
    this.segments.length = 0;
    this.segments.push(...segments);
  }

  private fromLine(line: SpilledMark, lineShift: number): Marked {
    if (lineShift && line.e.ref.line !== undefined) line.e.ref.line += lineShift;
    return { event: line.e, timeMs: line.t, ...(line.f ? { finding: this.toRules(line.f) } : {}), ...(line.m ? { match: this.toRules(line.m) } : {}) };
  }

  // Records marked by the same rules share one list (a log of a million drops has a handful of lists).
  private toRules(ids: string[]): Rule[] {
    const key = ids.join('\0');
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = ids.map((id) => this.rules.get(id)!)));
    return list;
  }
}

/** The two lists of a scan as one list of records in read order (a record in both is one object in both). */
function pair(findings: ScanMark[], matches: ScanMark[], toRules: (ids: string[]) => Rule[]): Marked[] {
  const out: Marked[] = [];
  let i = 0, j = 0;
  while (i < findings.length || j < matches.length) {
    const f = findings[i], m = matches[j];
    if (f && m && f.event === m.event) {
      out.push({ event: f.event, timeMs: f.timeMs, finding: toRules(f.ruleIds), match: toRules(m.ruleIds) });
      i++;
      j++;
    } else if (f && (!m || compareRefs(f.event.ref, m.event.ref) < 0)) {
      out.push({ event: f.event, timeMs: f.timeMs, finding: toRules(f.ruleIds) });
      i++;
    } else {
      out.push({ event: m!.event, timeMs: m!.timeMs, match: toRules(m!.ruleIds) });
      j++;
    }
  }
  return out;
}

/** An input's records, in (time, position) order, and the offset that puts them on the corrected clock. */
export interface MarkSource {
  marks: InputMarks;
  offsetMs: number;
}

interface Cursor {
  it: AsyncIterator<Marked[]>;
  batch: Marked[];
  at: number;
  from: number;
  offsetMs: number;
}

const timeOf = (c: Cursor) => c.batch[c.at]!.event.timeMs + c.offsetMs;

/**
 * Every input's records merged by corrected time, then position, each handed to `visit` with that
 * time and its source's position in `sources`. Memory: one batch per input.
 */
export async function forEachMerged(sources: MarkSource[], visit: (record: Marked, timeMs: number, source: number) => void): Promise<void> {
  const order = (a: Cursor, b: Cursor) => timeOf(a) - timeOf(b) || compareRefs(a.batch[a.at]!.event.ref, b.batch[b.at]!.event.ref) || a.from - b.from;
  const heap = new Heap<Cursor>(order);
  const advance = async (c: Cursor): Promise<void> => {
    for (;;) {
      if (c.at < c.batch.length) return heap.push(c);
      const next = await c.it.next();
      if (next.done) return;
      c.batch = next.value;
      c.at = 0;
    }
  };
  for (let k = 0; k < sources.length; k++) {
    const s = sources[k]!;
    if (s.marks.empty) continue;
    await advance({ it: s.marks.batches()[Symbol.asyncIterator](), batch: [], at: 0, from: k, offsetMs: s.offsetMs });
  }
  while (heap.size > 0) {
    const c = heap.pop()!;
    // The rest of this batch goes out as long as it comes before every other input's next record.
    do {
      const r = c.batch[c.at]!;
      visit(r, r.event.timeMs + c.offsetMs, c.from);
      c.at++;
    } while (c.at < c.batch.length && (heap.size === 0 || order(c, heap.peek()!) < 0));
    await advance(c);
  }
}
