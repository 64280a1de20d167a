// With the tool calls on disk, the activity statistics read the union of the calls' spans made as
// the calls are merged (IntervalUnion), not every span read back: the statistics must be exactly
// those of the spans themselves, whatever the span of the report clips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityStats, IntervalUnion, type Interval } from '../../src/attribution/stats.js';

const interval = fc.record({
  startMs: fc.integer({ min: 0, max: 200 }),
  // zero-length spans, spans that touch, and spans whose end is not a number all occur
  length: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(0), fc.constant(Number.NaN)),
}).map(({ startMs, length }): Interval => ({ startMs, endMs: startMs + length }));

describe('IntervalUnion', () => {
  it('gives the activity statistics of the spans it joined, ordinary ones in start order and the rest in any order', () => {
    fc.assert(fc.property(fc.array(interval, { maxLength: 60 }), fc.array(interval, { maxLength: 5 }), fc.array(fc.integer({ min: -5, max: 240 }), { maxLength: 40 }),
      fc.integer({ min: -10, max: 120 }), fc.integer({ min: 0, max: 260 }), (ordinary, long, times, from, length) => {
        const sorted = [...ordinary].sort((a, b) => a.startMs - b.startMs);
        const union = new IntervalUnion();
        for (const i of sorted) union.add(i.startMs, i.endMs);
        const all = [...sorted, ...long].sort((a, b) => a.startMs - b.startMs);
        const ascending = [...times].sort((a, b) => a - b);
        expect(activityStats(union.with(long).pieces(), ascending, from, from + length)).toEqual(activityStats(all, ascending, from, from + length));
      }), { numRuns: 3000 });
  });

  it('keeps touching spans as one piece and leaves out spans without a length', () => {
    const union = new IntervalUnion();
    for (const [s, e] of [[0, 5], [5, 9], [9, 9], [12, Number.NaN], [20, 25], [21, 22]] as const) union.add(s, e);
    expect([...union.pieces()]).toEqual([{ startMs: 0, endMs: 9 }, { startMs: 20, endMs: 25 }]);
    expect([...union.with([{ startMs: 8, endMs: 21 }]).pieces()]).toEqual([{ startMs: 0, endMs: 25 }]);
  });
});
