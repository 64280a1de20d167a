// Ordering events with bounded memory: a k-way merge of sorted streams (one per input), and an
// external sort for inputs that are not in time order (CloudTrail files, Zeek conn logs written at
// connection end, shuffled exports): sorted runs of a bounded size spill to temporary files.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compareEvents, type ForensicEvent } from '../model/event.js';
import { privateTempFolder, tempError, type TempFolder } from './temp.js';

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
        runs.push(await writeRun(buffer.sort(compareEvents), run).catch((err: unknown) => {
          throw tempError('cannot write sorted events to the temporary folder', err, run);
        }));
        buffer = [];
      }
    }
    buffer.sort(compareEvents);
    if (runs.length === 0) {
      yield* buffer;
      return;
    }
    yield* mergeSorted([...runs.map(readRun), arrayStream(buffer)], compareEvents);
  } finally {
    dir?.remove();
  }
}

async function* arrayStream<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function writeRun(events: ForensicEvent[], path: string): Promise<string> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  for (const e of events) {
    if (!out.write(JSON.stringify(e) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return path;
}

async function* readRun(path: string): AsyncGenerator<ForensicEvent> {
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as ForensicEvent;
}
