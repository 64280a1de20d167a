import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareEvents, type ForensicEvent } from '../../src/model/event.js';
import { mergeSorted, sortEvents } from '../../src/timeline/merge.js';

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
