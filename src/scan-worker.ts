// Worker thread entry: scans whole inputs sent by the main thread and posts back their ScanResult.
// It compiles the rules the main thread loaded (rule objects cannot cross threads; their documents can).
// For the timeline command it also reads inputs a second time and posts their output lines.
import { parentPort } from 'node:worker_threads';
import type { Container, Head, InputFormat } from './ingest/format.js';
import { detectInput, parseInput, type DetectedInput, type ReadSettings } from './ingest/ingest.js';
import { formatByName } from './ingest/registry.js';
import { UserError } from './model/errors.js';
import type { ForensicEvent } from './model/event.js';
import { lineFormatter, type LineFormat } from './report/timeline.js';
import { orderCheck, shifted, shiftEvent, stillInOrder, withinRange } from './timeline/shift.js';
import { ruleSetFromPortable, type PortableRuleSet, type RuleSet } from './rules/load.js';
import { scanInput, type ScanMark, type ScanOptions } from './scan.js';

export interface ScanTask {
  id: number;
  path: string;
  format: string;
  read: ReadSettings;
  manualOffsetMs: number;
  strict: boolean;
  /** a slice of the file (line numbers then count from the slice's first line) */
  range?: { start: number; end: number };
  /**
   * A slice's layout: the whole file's (JSON lines or lines), whatever its own first line looks
   * like (a damaged line there made a slice of JSON lines look like a document).
   */
  container?: Container;
  /** the file's size when listed (sizes the read buffers) */
  size?: number;
  /**
   * A whole file's detection by the main thread, without its probe head (withoutProbeHead): the
   * worker need not read the file's head again (a slice is detected here, from its own head).
   */
  head?: Head;
  /** marked records past `keep` go to a file in `folder` (ScanOptions.spill) */
  spill?: { folder: string; keep: number };
  /** the input's tool calls go to sorted runs on disk (ScanOptions.callRuns) */
  callRuns?: ScanOptions['callRuns'];
}

/** An error as it crosses back to the main thread, which rebuilds it (scan-pool.ts). */
export interface WorkerError {
  name: string;
  message: string;
  path?: string;
  line?: number;
  stack?: string;
}

export type ScanReply =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof scanInput>> }
  /** marks found so far, sent while the scan goes on (cloning them all at the end kept the main thread waiting) */
  | { id: number; marks: { findings: ScanMark[]; correlationMatches: ScanMark[] } }
  | { id: number; ok: false; error: WorkerError };

/**
 * Reads an input again for the timeline command, as the main thread would: each event on the
 * corrected clock, within --since/--until, checked to come in the order of the first reading, and
 * posted as its output line with the time and reference that place it in the merged timeline.
 */
export interface TimelineTask {
  timeline: true;
  id: number;
  path: string;
  format: string;
  read: ReadSettings;
  offsetMs: number;
  sinceMs?: number;
  untilMs?: number;
  /** the output format, a line per event (report/timeline.ts: lineFormatter) */
  lines: string;
  size?: number;
  head: Head;
}

/** Output lines in timeline order, with what places each: time, and line or record index (-1: none). */
export interface TimelineBatch {
  timesMs: number[];
  lines: number[];
  indexes: number[];
  texts: string[];
}

export type TimelineReply =
  | { id: number; batch: TimelineBatch }
  | { id: number; done: true; sha256: string }
  | { id: number; failed: WorkerError };

/** The main thread took a batch: the task may post another. */
export interface TimelineCredit {
  credit: number;
}

/**
 * Lines per batch, and batches a task may have posted and not yet seen taken. Up to 32 inputs are
 * read side by side: batches of 2048 lines held about 200 MB here and there for 424 MB of RL traces
 * (1.04 GB at the peak; 512: 0.83 GB, in the same time).
 */
const TIMELINE_BATCH = 512;
const TIMELINE_CREDIT = 2;

/** Sent once, before any task: the rules every scan of this worker applies. */
export interface ScanRulesMessage {
  rules: PortableRuleSet;
}

let ruleSet: RuleSet | undefined;

/** Per timeline task: batches it may still post, and the task waiting for more. */
const credits = new Map<number, { left: number; wake?: () => void }>();

async function runTimeline(task: TimelineTask): Promise<TimelineReply> {
  credits.set(task.id, { left: TIMELINE_CREDIT });
  try {
    const format = formatByName(task.format);
    if (!format) throw new Error(`unknown format ${task.format}`);
    const source = { path: task.path, isStdin: false, ...(task.size !== undefined ? { size: task.size } : {}) };
    const parsed = parseInput({ source, format, head: task.head, scores: [] }, format, task.read);
    const line = lineFormatter(task.lines as LineFormat);
    let batch = emptyBatch();
    const post = async (full: TimelineBatch) => {
      const credit = credits.get(task.id)!;
      while (credit.left === 0) await new Promise<void>((resolve) => (credit.wake = resolve));
      credit.left--;
      parentPort!.postMessage({ id: task.id, batch: full } satisfies TimelineReply);
    };
    const add = (e: ForensicEvent): boolean => {
      batch.timesMs.push(e.timeMs);
      batch.lines.push(e.ref.line ?? -1);
      batch.indexes.push(e.ref.index ?? -1);
      batch.texts.push(line(e));
      return batch.texts.length === TIMELINE_BATCH;
    };
    if (parsed.each) {
      // The line formats' synchronous loop: a chunk's events are formatted at once, its full batches
      // posted before the next chunk is read (at most a chunk's worth wait for credit).
      const inRange = withinRange(task.sinceMs, task.untilMs);
      const inOrder = orderCheck(task.path);
      const full: TimelineBatch[] = [];
      const postFull = async () => {
        for (let next = full.shift(); next; next = full.shift()) await post(next);
      };
      await parsed.each((e) => {
        const moved = shiftEvent(e, task.offsetMs);
        if (!inRange(moved.timeMs)) return;
        inOrder(moved);
        if (add(moved)) {
          full.push(batch);
          batch = emptyBatch();
        }
      }, undefined, () => (full.length ? postFull() : undefined));
      await postFull();
    } else {
      // As the main thread reads an input in timeline order again (pipeline.ts: readingAgain).
      for await (const e of stillInOrder(shifted(parsed.events, task.offsetMs, withinRange(task.sinceMs, task.untilMs)), task.path)) {
        if (add(e)) {
          await post(batch);
          batch = emptyBatch();
        }
      }
    }
    if (batch.texts.length > 0) await post(batch);
    return { id: task.id, done: true, sha256: (await parsed.read).sha256 };
  } catch (err) {
    return { id: task.id, failed: errorReply(err) };
  } finally {
    credits.delete(task.id);
  }
}

function emptyBatch(): TimelineBatch {
  return { timesMs: [], lines: [], indexes: [], texts: [] };
}

function errorReply(err: unknown): WorkerError {
  const e = err as Error & { path?: string; line?: number };
  const user = err instanceof UserError;
  return { name: user ? e.name : 'Error', message: e.message, path: user ? e.path : undefined, line: user ? e.line : undefined, stack: user ? undefined : e.stack };
}

async function detectSlice(source: DetectedInput['source'], task: ScanTask, format: InputFormat): Promise<DetectedInput> {
  const detected = await detectInput(source, task.read);
  return { ...detected, format, head: task.container ? { ...detected.head, container: task.container } : detected.head };
}

async function run(task: ScanTask): Promise<ScanReply> {
  try {
    if (!ruleSet) throw new Error('a scan task came before the rules');
    const format = formatByName(task.format);
    if (!format) throw new Error(`unknown format ${task.format}`);
    const source = { path: task.path, isStdin: false, ...(task.range ? { range: task.range } : {}), ...(task.size !== undefined ? { size: task.size } : {}) };
    const detected: DetectedInput = task.head && !task.range ? { source, format, head: task.head, scores: [] } : await detectSlice(source, task, format);
    const result = await scanInput(detected, format, { rules: ruleSet.rules, correlationInputs: ruleSet.correlationInputs, hasCorrelations: ruleSet.correlations.length > 0 },
      {
        read: task.read, manualOffsetMs: task.manualOffsetMs, strict: task.strict, keepEvents: false, ...(task.spill ? { spill: task.spill } : {}), ...(task.callRuns ? { callRuns: task.callRuns } : {}),
        onMarks: (findings, correlationMatches) => parentPort!.postMessage({ id: task.id, marks: { findings, correlationMatches } } satisfies ScanReply),
      });
    return { id: task.id, ok: true, result };
  } catch (err) {
    return { id: task.id, ok: false, error: errorReply(err) };
  }
}

parentPort?.on('message', (message: ScanTask | ScanRulesMessage | TimelineTask | TimelineCredit) => {
  if ('rules' in message) {
    ruleSet = ruleSetFromPortable(message.rules);
    return;
  }
  if ('credit' in message) {
    const credit = credits.get(message.credit);
    if (!credit) return;
    credit.left++;
    credit.wake?.();
    credit.wake = undefined;
    return;
  }
  if ('timeline' in message) {
    void runTimeline(message).then((reply) => parentPort!.postMessage(reply));
    return;
  }
  void run(message).then((reply) => parentPort!.postMessage(reply));
});
