// Ordering events with bounded memory: a k-way merge of sorted streams (one per input), and an
// external sort for inputs that are not in time order (CloudTrail files, Zeek conn logs written at
// connection end, shuffled exports): sorted runs of a bounded size spill to temporary files.
import { join } from 'node:path';
import { compareEvents, type ForensicEvent } from '../model/event.js';
import { JsonLinesFile, readJsonLines } from './json-lines-file.js';
import { privateTempFolder, type TempFolder } from './temp.js';

type Compare<T> = (a: T, b: T) => number;

/** A binary min-heap; `push`/`pop` are O(log n). */
export class Heap<T> {
  private items: T[] = [];
  constructor(private compare: Compare<T>) {}
  get size(): number {
    return this.items.length;
  }
  /** The smallest item, left in place. */
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.compare(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Merges streams that are each sorted by `compare` into one sorted stream (stable by stream order). */
export async function* mergeSorted<T>(streams: AsyncIterable<T>[], compare: Compare<T>): AsyncGenerator<T> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heap = new Heap<{ value: T; from: number }>((a, b) => compare(a.value, b.value) || a.from - b.from);
  for (let i = 0; i < its.length; i++) {
    const next = await its[i]!.next();
    if (!next.done) heap.push({ value: next.value, from: i });
  }
  while (heap.size > 0) {
    const top = heap.pop()!;
    yield top.value;
    const next = await its[top.from]!.next();
    if (!next.done) heap.push({ value: next.value, from: top.from });
  }
}

/** Merged items handed on at a time by mergeSortedBatches. */
const MERGED_BATCH = 1024;

/**
 * mergeSorted over streams of batches, its merged items handed on in batches: items are compared and
 * moved synchronously, and a stream is awaited only when its batch is used up. Same order as
 * mergeSorted over the streams' items (ties by stream order). An await per item, a generator on each
 * side of the merge, was most of the timeline's main thread.
 */
export async function* mergeSortedBatches<T>(streams: AsyncIterable<readonly T[]>[], compare: Compare<T>, size = MERGED_BATCH): AsyncGenerator<T[]> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const batches: (readonly T[] | undefined)[] = its.map(() => undefined);
  const at = its.map(() => 0);
  const heap = new Heap<{ value: T; from: number }>((a, b) => compare(a.value, b.value) || a.from - b.from);
  /** Puts stream i's next item on the heap, reading its next batch when this one is used up (none at its end). */
  const next = async (i: number): Promise<void> => {
    let batch = batches[i];
    while (batch === undefined || at[i]! >= batch.length) {
      const read = await its[i]!.next();
      if (read.done) return;
      batch = batches[i] = read.value;
      at[i] = 0;
    }
    heap.push({ value: batch[at[i]!++]!, from: i });
  };
  for (let i = 0; i < its.length; i++) await next(i);
  let out: T[] = [];
  while (heap.size > 0) {
    const top = heap.pop()!;
    out.push(top.value);
    if (out.length >= size) {
      yield out;
      out = [];
    }
    const batch = batches[top.from]!;
    if (at[top.from]! < batch.length) heap.push({ value: batch[at[top.from]!++]!, from: top.from });
    else await next(top.from);
  }
  if (out.length > 0) yield out;
}

/** The items of a stream in batches of up to `size`. */
export async function* inBatches<T>(items: AsyncIterable<T>, size = MERGED_BATCH): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The items of a stream of batches, one by one. */
export async function* flattened<T>(batches: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

/** How items of a merge are written to a line of a temporary file and read back (no line breaks in the text). */
export interface LineCodec<T> {
  write(item: T): string;
  read(line: string): T;
}

/** Events as lines of a temporary file. */
export const EVENT_LINES: LineCodec<ForensicEvent> = { write: (e) => JSON.stringify(e), read: (line) => JSON.parse(line) as ForensicEvent };

/**
 * Streams merged with this many at most open at a time. Each input read holds a file descriptor and
 * its read buffers: an evidence folder of thousands of episode transcripts would exhaust the
 * process's descriptors (commonly 1024) and hold a buffer per file.
 */
export const MAX_MERGED_AT_ONCE = 256;

/**
 * mergeSorted() over streams made when needed (`sources`), with at most `maxOpen` of them read at a
 * time: past that, consecutive groups are merged into sorted temporary files first, and those are
 * merged (in groups again, if need be). Ties keep the order of `sources`, as mergeSorted does.
 */
export async function* mergeMany<T>(sources: (() => AsyncIterable<T>)[], compare: Compare<T>, codec: LineCodec<T>, maxOpen = MAX_MERGED_AT_ONCE): AsyncGenerator<T> {
  if (sources.length <= maxOpen) {
    yield* mergeSorted(sources.map((open) => open()), compare);
    return;
  }
  const dir = privateTempFolder('merge');
  try {
    let level = sources;
    for (let depth = 0; level.length > maxOpen; depth++) {
      const files: (() => AsyncIterable<T>)[] = [];
      for (let g = 0; g < level.length; g += maxOpen) {
        const path = join(dir.path, `merged-${depth}-${files.length}.txt`);
        await writeLines(mergeSorted(level.slice(g, g + maxOpen).map((open) => open()), compare), codec, path, 'the merged timeline');
        files.push(() => readLines(path, codec));
      }
      level = files;
    }
    yield* mergeSorted(level.map((open) => open()), compare);
  } finally {
    dir.remove();
  }
}

/** Items to a new temporary file, a line each (JsonLinesFile: a full disk is a one-line error naming the file). */
async function writeLines<T>(items: AsyncIterable<T>, codec: LineCodec<T>, path: string, what: string): Promise<void> {
  const file = new JsonLinesFile(path, what);
  try {
    for await (const item of items) file.appendText(codec.write(item));
  } catch (err) {
    // An item that failed (an input that changed order) passes through as it is.
    file.remove();
    throw err;
  }
  file.close();
}

/** The items of a temporary file; it is open only while a batch is read (a merge reads many side by side). */
async function* readLines<T>(path: string, codec: LineCodec<T>): AsyncGenerator<T> {
  for await (const batch of readJsonLines(path)) for (const line of batch) if (line) yield codec.read(line);
}

export interface SortOptions {
  /** events held in memory before a sorted run spills to disk */
  runSize?: number;
}

export const DEFAULT_RUN_SIZE = 200_000;

/**
 * Sorts a stream of events by time, path and line. Up to `runSize` events stay in memory; beyond
 * that, sorted runs are written as JSON lines to a private temporary folder and merged back.
 */
export async function* sortEvents(events: AsyncIterable<ForensicEvent>, options: SortOptions = {}): AsyncGenerator<ForensicEvent> {
  const runSize = options.runSize ?? DEFAULT_RUN_SIZE;
  let buffer: ForensicEvent[] = [];
  let dir: TempFolder | undefined;
  const runs: string[] = [];
  try {
    for await (const e of events) {
      buffer.push(e);
      if (buffer.length >= runSize) {
        dir ??= privateTempFolder('sort');
        const run = join(dir.path, `run-${runs.length}.jsonl`);
        writeRun(buffer.sort(compareEvents), run);
        runs.push(run);
        buffer = [];
      }
    }
    buffer.sort(compareEvents);
    if (runs.length === 0) {
      yield* buffer;
      return;
    }
    yield* mergeSorted([...runs.map((run) => readLines(run, EVENT_LINES)), arrayStream(buffer)], compareEvents);
  } finally {
    dir?.remove();
  }
}

async function* arrayStream<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

function writeRun(events: readonly ForensicEvent[], path: string): void {
  const file = new JsonLinesFile(path, 'sorted events');
  for (const e of events) file.append(e);
  file.close();
}
