import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareEvents, type ForensicEvent } from '../../src/model/event.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattened, inBatches, mergeMany, mergeSorted, mergeSortedBatches, sortEvents, type LineCodec } from '../../src/timeline/merge.js';

const ev = (timeMs: number, path: string, line: number): ForensicEvent => ({ kind: 'network', source: 'firewall', format: 'test', timeMs, timeRaw: String(timeMs), ref: { path, line } });
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe('mergeSorted()', () => {
  it('merges sorted streams into one sorted stream, ties by path then line', async () => {
    const a = [ev(1, 'a', 1), ev(3, 'a', 2), ev(3, 'a', 3)];
    const b = [ev(2, 'b', 1), ev(3, 'b', 2)];
    const merged = await collect(mergeSorted([from(b), from(a)], compareEvents));
    expect(merged.map((e) => `${e.timeMs}${e.ref.path}${e.ref.line}`)).toEqual(['1a1', '2b1', '3a2', '3a3', '3b2']);
  });
});

describe('mergeMany()', () => {
  const codec: LineCodec<ForensicEvent> = { write: (e) => JSON.stringify(e), read: (l) => JSON.parse(l) as ForensicEvent };
  // ties between streams on purpose (same time and ref): their order must be the streams' order, as mergeSorted gives it
  const compareTimes = (a: ForensicEvent, b: ForensicEvent) => a.timeMs - b.timeMs;

  it('gives what mergeSorted gives, ties in stream order, with at most maxOpen streams read at once', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }), { maxLength: 40 }), fc.integer({ min: 2, max: 6 }), async (times, maxOpen) => {
      const streams = times.map((ts, k) => [...ts].sort((a, b) => a - b).map((t, i) => ev(t, `in-${k}`, i)));
      const expected = await collect(mergeSorted(streams.map(from), compareTimes));
      let open = 0, most = 0;
      const counted = (items: ForensicEvent[]) => async function* () {
        open++;
        most = Math.max(most, open);
        try {
          yield* items;
        } finally {
          open--;
        }
      };
      const merged = await collect(mergeMany(streams.map(counted), compareTimes, codec, maxOpen));
      expect(merged).toEqual(expected);
      expect(most).toBeLessThanOrEqual(maxOpen);
    }), { numRuns: 60 });
  });

  it('waits on a slow temporary file without piling up listeners (many drains in one group)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const big = 'x'.repeat(4096);
      const streams = Array.from({ length: 4 }, (_, k) => () => from(Array.from({ length: 1500 }, (_, i) => ({ ...ev(i, `s${k}`, i), timeRaw: big }))));
      expect(await collect(mergeMany(streams, compareEvents, codec, 2))).toHaveLength(6000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('removes its temporary files, also when a stream fails', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'af-merge-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const ok = Array.from({ length: 9 }, (_, k) => () => from([ev(k, 'x', k), ev(k + 10, 'x', k)]));
      expect(await collect(mergeMany(ok, compareEvents, codec, 3))).toHaveLength(18);
      const failing = [...ok, () => (async function* () {
        yield ev(1, 'bad', 1);
        // the groups before it are in the merge's folder by now
        expect(readdirSync(tmp)).toHaveLength(1);
        throw new Error('the input changed order');
      })()];
      await expect(collect(mergeMany(failing, compareEvents, codec, 3))).rejects.toThrow('the input changed order');
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('sortEvents()', () => {
  it('sorts unordered input through spilled runs exactly like an in-memory sort', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.constantFrom('x', 'y'), fc.integer({ min: 1, max: 9 })), { maxLength: 60 }), async (rows) => {
      const events = rows.map(([t, p, l]) => ev(t, p, l));
      const expected = [...events].sort(compareEvents);
      const sorted = await collect(sortEvents(from(events), { runSize: 7 }));
      expect(sorted).toEqual(expected);
    }), { numRuns: 40 });
  });
});

describe('mergeSortedBatches()', () => {
  it('gives mergeSorted\'s order (ties by stream order) whatever the batches, empty ones included (property)', async () => {
    // items: [key, stream, position]; streams sorted by key, cut into batches at random
    const stream = fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }).map((keys) => keys.sort((a, b) => a - b));
    const cuts = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 50 });
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(stream, cuts), { maxLength: 6 }), fc.integer({ min: 1, max: 7 }), async (streams, size) => {
      const items = streams.map(([keys], s) => keys.map((k, i) => [k, s, i] as const));
      const compare = (a: readonly number[], b: readonly number[]) => a[0]! - b[0]!;
      async function* batches(list: readonly (readonly number[])[], cut: number[]) {
        let at = 0;
        for (let c = 0; at < list.length; c++) {
          // a cut of 0 is an empty batch before the next one
          const n = cut[c % cut.length]!;
          if (n === 0) yield [];
          yield list.slice(at, at + Math.max(1, n));
          at += Math.max(1, n);
        }
        yield [];
      }
      async function* one(list: readonly (readonly number[])[]) {
        yield* list;
      }
      const expected = await collect(mergeSorted(items.map((list) => one(list)), compare));
      const merged = await collect(mergeSortedBatches(items.map((list, s) => batches(list, streams[s]![1])), compare, size));
      expect(merged.every((b) => b.length > 0 && b.length <= size)).toBe(true);
      expect(merged.flat()).toEqual(expected);
    }), { numRuns: 500 });
  });

  it('inBatches and flattened are each other\'s inverse', async () => {
    async function* count(n: number) {
      for (let i = 0; i < n; i++) yield i;
    }
    const batches = await collect(inBatches(count(10), 4));
    expect(batches).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(await collect(flattened(inBatches(count(10), 4)))).toEqual([...Array(10).keys()]);
    expect(await collect(inBatches(count(0)))).toEqual([]);
  });
});
