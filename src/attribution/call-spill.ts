// Tool calls past a memory budget (RL traces hold millions): they wait on disk as sorted runs of
// calls (written by the scans that read the transcripts, in workers or here, or here past the
// budget), merged into one stream in (corrected start, position) order. On that stream copies
// between inputs are found per instant, calls are linked to their session's next call, and the
// finished calls are written once more, in order, for the passes that read them through a window
// (call-window.ts). Under the budget, nothing changes: the records stay in memory.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { appendAll } from '../model/arrays.js';
import { sha256Base64 } from '../model/digest.js';
import { compareRefs, refFor, type ForensicEvent, type Ref } from '../model/event.js';
import { SharedStrings } from '../model/shared-strings.js';
import { CopyFinder, recordKey } from '../timeline/dedupe.js';
import { JsonLinesFile, LineReader } from '../timeline/json-lines-file.js';
import { Heap } from '../timeline/merge.js';
import { CommandFacts, toToolCall, type ToolCall } from './attribute.js';
import { linkToNext } from './calls.js';
import { CallFile, callHeadAt, commandOfCall, isLongCall, numberIn, parseCall, serializeCall, type CallReading } from './call-window.js';
import type { NamingIndex } from './naming-index.js';
import type { Inventory } from './inventory.js';
import { IntervalUnion } from './stats.js';

/**
 * Transcripts larger than this together (about half a million calls) have their calls on disk from
 * the start. Below it they stay in memory: the disk costs about 10 µs a call (twice the time of RL
 * traces), for a peak that no longer grows with them.
 */
export const CALLS_ON_DISK_BYTES = 128 * 1024 * 1024;

/** Calls sorted in memory at a time once they go to disk. */
const RUN_CALLS = 50_000;

/**
 * A call as the merge reads it from a run, without parsing the call itself: its times, session and
 * place, the digest of its record (copies between inputs have the same), and the rest as text.
 */
interface RunCall {
  startMs: number;
  endMs: number;
  openEnded: boolean;
  /** the session as JSON text (a key only; `""` for none) */
  session: string;
  ref: Ref;
  nextStartMs: number | undefined;
  /** the rest of the call (serializeCall) */
  rest: string;
  /** the call itself, for a long call, which stays in memory */
  call?: ToolCall;
  /**
   * its run line (`start<TAB>end<TAB>digest<TAB>call`), with where its digest is: the digest is read
   * only when calls of several inputs share an instant, the times as written when the end stays
   */
  line: string;
  digestFrom: number;
  digestTo: number;
  /** the end as read (linking may shorten an open end) */
  endRead: number;
}

/** The run's call records as the reading gives them, per input; on disk past the budget. */
export class CallRecords {
  private held: ForensicEvent[] = [];
  /** writes runs here, once past the budget */
  private writer: CallRunWriter | undefined;
  /** runs the scans wrote for their inputs (runsFor) */
  private readonly written: string[] = [];
  private readonly commands = new CommandFacts();
  /** the inputs' paths by number, as the runs and the calls file name them */
  private readonly paths: string[] = [];
  private readonly numbers = new Map<string, number>();
  private readonly reading: CallReading = { paths: this.paths, commands: this.commands, strings: new SharedStrings() };

  /**
   * `folder`: where runs go (undefined: everything stays in memory); `budget`: records held before
   * they go there (0: from the start); `offsetOf`: an agent input's manual offset, which puts its
   * calls in order with the others'.
   */
  constructor(private readonly folder: string | undefined, private readonly budget: number, readonly offsetOf: (path: string) => number, readonly inventory: Inventory) {}

  /** The calls go to disk from the start: scans may write their input's calls as runs themselves (runsFor). */
  get runsInScans(): boolean {
    return this.folder !== undefined && this.budget === 0;
  }

  /** Where a scan may write an input's calls as runs itself (see CallRunWriter), when they go to disk from the start. */
  runsFor(path: string): { folder: string; input: number } | undefined {
    return this.runsInScans ? { folder: this.folder!, input: this.inputNumber(path) } : undefined;
  }

  add(events: readonly ForensicEvent[]): void {
    if (this.writer) return this.writer.add(events);
    appendAll(this.held, events);
    if (this.folder === undefined || this.held.length <= this.budget) return;
    // Past the budget everything held goes; runs are as long as the budget when it is small (tests, so that many are merged).
    this.writer = new CallRunWriter(this.folder, this.inventory, this.offsetOf, (path) => this.inputNumber(path), this.commands, this.budget > 0 ? Math.min(this.budget, RUN_CALLS) : RUN_CALLS);
    this.writer.add(this.held);
    this.held = [];
  }

  /** Runs of sorted calls a scan wrote (CallRunWriter, with the number runsFor gave its input). */
  addRuns(runs: readonly string[]): void {
    appendAll(this.written, runs);
  }

  /** The records, when they all stayed in memory (the caller empties the list); undefined once runs went to disk. */
  get inMemory(): ForensicEvent[] | undefined {
    return this.writer === undefined && this.written.length === 0 ? this.held : undefined;
  }

  /**
   * The calls of the runs on disk, copies left out, linked, written in order: the calls longer than
   * an hour stay in memory (they reach violations hours away), the others go to a file.
   * `maxAfterMs`: the longest after-window of any rule (a session's next start matters within it only).
   * `naming`: gets the calls whose command names one of its destinations, for the clocks pass.
   */
  finish(maxAfterMs: number, naming?: NamingIndex): { calls: CallFile; copies: CopyFinder['copies'] } {
    const runs = fewerRuns([...(this.writer?.finish() ?? []), ...this.written], this.folder!, this.reading);
    const file = new JsonLinesFile(join(this.folder!, `calls-${randomUUID()}.jsonl`), 'tool calls');
    const long: ToolCall[] = [];
    let count = 0;
    const activity = new IntervalUnion();
    const linker = new SessionLinker<RunCall>(maxAfterMs, (c) => {
      // The times as the run wrote them, unless linking moved the end: writing numbers out costs.
      const times = c.endMs === c.endRead ? c.line.slice(0, c.digestFrom - 1) : `${c.startMs}\t${c.endMs}`;
      file.appendText(c.nextStartMs === undefined ? `${times}\t\t${c.rest}` : `${times}\t${c.nextStartMs}\t${c.rest}`);
      activity.add(c.startMs, c.endMs);
      count++;
      if (naming) this.noteNaming(naming, c);
    });
    const copies = new CopyFinder();
    forEachInstant(runs, this.reading, (instant) => {
      const path = instant[0]!.ref.path;
      // One input's calls are never copies of each other (CopyFinder.keep's rule).
      const keep = instant.every((c) => c.ref.path === path) ? undefined : copies.keepByKey(instant.map((c) => c.ref.path), (i) => digestOf(instant[i]!));
      instant.forEach((c, i) => {
        if (keep && !keep[i]) return;
        if (c.call) long.push(c.call);
        linker.add(c);
      });
    });
    linker.finish();
    file.close();
    for (const run of runs) rmSync(run, { force: true });
    if (naming) {
      for (const c of long) naming.add(c, naming.named(c.facts));
      naming.sort();
    }
    return { calls: new CallFile(file.path, count, long, this.reading, activity.with(long)), copies: copies.copies };
  }

  /** A call (linked: its end is final) whose command names a destination of `naming` goes there; the others are not parsed. */
  private noteNaming(naming: NamingIndex, c: RunCall): void {
    const named = naming.named(this.commands.of(commandOfCall(c.rest) ?? ''));
    if (named.length > 0) naming.add(parseCall(c.rest, c.startMs, c.endMs, c.nextStartMs, this.reading), named);
  }

  private inputNumber(path: string): number {
    let n = this.numbers.get(path);
    if (n === undefined) {
      n = this.paths.push(path) - 1;
      this.numbers.set(path, n);
    }
    return n;
  }
}

/**
 * Call records made into calls, with the digest of their record, and written to disk in runs sorted
 * by (start, position): by the main thread past the budget, or by a scan worker for the input it
 * reads (the calls then never cross threads). Each record goes as its call is made: the records and
 * the calls are not held together.
 */
export class CallRunWriter {
  private held: ForensicEvent[] = [];
  private readonly runs: string[] = [];

  /** `inputNumber`: the number runs give an input's path (CallRecords.paths); `runCalls`: calls per run */
  constructor(private readonly folder: string, private readonly inventory: Inventory, private readonly offsetOf: (path: string) => number,
    private readonly inputNumber: (path: string) => number, private readonly commands = new CommandFacts(), private readonly runCalls = RUN_CALLS) {}

  add(events: readonly ForensicEvent[]): void {
    for (const e of events) this.push(e);
  }

  push(event: ForensicEvent): void {
    this.held.push(event);
    if (this.held.length >= this.runCalls) this.cut();
  }

  /** The runs written, the last of them with the records still held. */
  finish(): string[] {
    if (this.held.length) this.cut();
    return this.runs;
  }

  private cut(): void {
    const records: (ForensicEvent | undefined)[] = this.held;
    this.held = [];
    const calls: ToolCall[] = new Array(records.length);
    const digests: string[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) {
      const e = records[i]!;
      calls[i] = toToolCall(e, this.inventory, this.offsetOf(e.ref.path), this.commands);
      digests[i] = sha256Base64(recordKey(e, calls[i]!.startMs));
      records[i] = undefined;
    }
    const order = Array.from(calls.keys()).sort((a, b) => calls[a]!.startMs - calls[b]!.startMs || compareRefs(calls[a]!.ref, calls[b]!.ref));
    // Named at random: scan workers write runs into the same folder at the same time.
    const run = new JsonLinesFile(join(this.folder, `call-run-${randomUUID()}.jsonl`), 'tool calls');
    for (const i of order) {
      const c = calls[i]!;
      run.appendText(`${c.startMs}\t${c.endMs}\t${digests[i]!}\t${serializeCall(c, this.inputNumber(c.ref.path))}`);
    }
    run.close();
    this.runs.push(run.path);
  }
}

function readRunCall(line: string, reading: CallReading): RunCall {
  // Tabs found one after another and the call's head read in place (CallHead): the rest is not parsed.
  const t1 = line.indexOf('\t');
  const t2 = line.indexOf('\t', t1 + 1);
  const t3 = line.indexOf('\t', t2 + 1);
  const head = callHeadAt(line, t3 + 1);
  const startMs = numberIn(line, 0, t1);
  const endMs = numberIn(line, t1 + 1, t2);
  const rest = line.slice(t3 + 1);
  const c: RunCall = {
    startMs, endMs, openEnded: head.openEnded, session: head.session, ref: refFor(reading.paths[head.input]!, head.line, head.index), nextStartMs: undefined, rest,
    line, digestFrom: t2 + 1, digestTo: t3, endRead: endMs,
  };
  if (isLongCall(c)) c.call = parseCall(rest, c.startMs, c.endMs, undefined, reading);
  return c;
}

function digestOf(c: RunCall): string {
  return c.line.slice(c.digestFrom, c.digestTo);
}

/** The calls of sorted runs merged, handed over one instant (start) at a time, in position order. */
function forEachInstant(runs: string[], reading: CallReading, visit: (instant: RunCall[]) => void): void {
  let instant: RunCall[] = [];
  forEachRunCall(runs, reading, (call) => {
    if (instant.length && call.startMs !== instant[0]!.startMs) {
      visit(instant);
      instant = [];
    }
    instant.push(call);
  });
  if (instant.length) visit(instant);
}

/** The calls of sorted runs merged in (start, position, run) order, each with its line. */
function forEachRunCall(runs: string[], reading: CallReading, visit: (call: RunCall, line: string) => void): void {
  interface Cursor { reader: LineReader; call: RunCall; line: string; from: number }
  const heap = new Heap<Cursor>((a, b) => a.call.startMs - b.call.startMs || compareRefs(a.call.ref, b.call.ref) || a.from - b.from);
  const advance = (c: Cursor): void => {
    const line = c.reader.next();
    if (line === undefined) return;
    c.line = line;
    c.call = readRunCall(line, reading);
    heap.push(c);
  };
  runs.forEach((path, from) => advance({ reader: new LineReader(path), call: undefined!, line: '', from }));
  while (heap.size > 0) {
    const c = heap.pop()!;
    visit(c.call, c.line);
    advance(c);
  }
}

/** Runs merged at once at most: each holds a descriptor and a read buffer while the merge goes on. */
const RUNS_AT_ONCE = 128;

/**
 * At most RUNS_AT_ONCE runs in the same order: consecutive groups merged into one run each, until
 * few enough. Scans write a run per input at least, and RL training leaves thousands of episode
 * transcripts (a descriptor and 256 KiB each, all at once, would exhaust both).
 */
function fewerRuns(runs: string[], folder: string, reading: CallReading, atOnce = RUNS_AT_ONCE): string[] {
  while (runs.length > atOnce) {
    const merged: string[] = [];
    for (let g = 0; g < runs.length; g += atOnce) {
      const group = runs.slice(g, g + atOnce);
      if (group.length === 1) {
        merged.push(group[0]!);
        continue;
      }
      const run = new JsonLinesFile(join(folder, `call-run-${randomUUID()}.jsonl`), 'tool calls');
      forEachRunCall(group, reading, (_, line) => run.appendText(line));
      run.close();
      for (const r of group) rmSync(r, { force: true });
      merged.push(run.path);
    }
    runs = merged;
  }
  return runs;
}

/** What the linker reads and sets of a call. */
interface Linkable {
  startMs: number;
  endMs: number;
  openEnded: boolean;
  session: string;
  ref: { path: string };
  nextStartMs?: number;
  /** a long call kept in memory, whose copy is linked too */
  call?: ToolCall;
}

/** The calls of one session (of one input) that started last, waiting for the session's next start. */
interface Waiting<C> {
  startMs: number;
  calls: C[];
}

/**
 * Links calls that come in (start, position) order to their session's next call, as buildToolCalls
 * does for a list, and hands each on, in that order, once nothing can change it: once its session's
 * next call has come, or once the stream has passed its end plus the longest after-window (a later
 * next start changes no score: scoring reads it only for a violation within that window, and an
 * open end only shrinks to a next start before it). Long calls are linked but not handed on.
 */
export class SessionLinker<C extends Linkable> {
  private readonly queue: C[] = [];
  private head = 0;
  private readonly sessions = new Map<string, Map<string, Waiting<C>>>();
  private added = 0;

  /** `session`: what a call without a session has there */
  constructor(private readonly maxAfterMs: number, private readonly emit: (call: C) => void, private readonly noSession = '""') {}

  add(call: C): void {
    if (call.session !== this.noSession) this.link(call);
    if (!isLongCall(call)) this.queue.push(call);
    this.flush(call.startMs);
    if (++this.added % 65_536 === 0) this.forget(call.startMs);
  }

  finish(): void {
    this.flush(Infinity);
  }

  private link(call: C): void {
    let byPath = this.sessions.get(call.session);
    if (!byPath) this.sessions.set(call.session, (byPath = new Map()));
    const waiting = byPath.get(call.ref.path);
    if (!waiting) {
      byPath.set(call.ref.path, { startMs: call.startMs, calls: [call] });
      return;
    }
    if (waiting.startMs === call.startMs) {
      waiting.calls.push(call);
      return;
    }
    for (const c of waiting.calls) {
      linkToNext(c, call.startMs);
      if (c.call) linkToNext(c.call, call.startMs);
    }
    waiting.startMs = call.startMs;
    waiting.calls = [call];
  }

  /** Hands on the calls at the head of the queue that nothing can change once the stream is at `now`. */
  private flush(now: number): void {
    const q = this.queue;
    while (this.head < q.length) {
      const c = q[this.head]!;
      if (c.session !== this.noSession && c.nextStartMs === undefined && c.endMs + this.maxAfterMs >= now) break;
      this.emit(c);
      q[this.head++] = undefined!;
    }
    if (this.head > 4096 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Drops the sessions whose waiting calls nothing can change any more (RL traces run thousands of episodes). */
  private forget(now: number): void {
    for (const [session, byPath] of this.sessions) {
      for (const [path, w] of byPath) if (w.calls.every((c) => !isLongCall(c) && c.endMs + this.maxAfterMs < now)) byPath.delete(path);
      if (byPath.size === 0) this.sessions.delete(session);
    }
  }
}
