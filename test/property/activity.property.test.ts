// activityStats merges the calls' intervals as they come (sorted by start: read back from disk, they
// are never held): its answer must be the one it gives for the same intervals in any order, and
// must match an oracle that counts the covered milliseconds and times one by one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityStats, type Interval } from '../../src/attribution/stats.js';

const intervalArb = fc.record({ startMs: fc.integer({ min: -20, max: 120 }), length: fc.integer({ min: -5, max: 40 }) })
  .map(({ startMs, length }): Interval => ({ startMs, endMs: startMs + length }));

describe('activityStats (property)', () => {
  it('gives the same answer for sorted intervals, shuffled ones and a generator, matching a count of covered milliseconds', () => {
    fc.assert(fc.property(fc.array(intervalArb, { maxLength: 40 }), fc.array(fc.integer({ min: -15, max: 130 }), { maxLength: 30 }), fc.integer({ min: -10, max: 50 }), fc.integer({ min: 1, max: 100 }), fc.infiniteStream(fc.integer()), (list, rawTimes, from, span, keys) => {
      const to = from + span;
      const times = [...rawTimes].sort((a, b) => a - b);
      const sorted = [...list].sort((a, b) => a.startMs - b.startMs);
      const shuffled = list.map((iv) => ({ iv, k: keys.next().value as number })).sort((a, b) => a.k - b.k).map((o) => o.iv);
      const stats = activityStats(sorted, times, from, to);
      expect(activityStats(shuffled, times, from, to)).toEqual(stats);
      expect(activityStats((function* () { yield* sorted; })(), times, from, to)).toEqual(stats);
      // times need not come sorted
      expect(activityStats(sorted, [...rawTimes], from, to)).toEqual(stats);
      // the oracle: with integer ends, the union's length is the number of unit steps some clipped interval covers
      const clipped = list.map((iv) => ({ s: Math.max(iv.startMs, from), e: Math.min(iv.endMs, to) })).filter((c) => c.e >= c.s);
      let activeMs = 0;
      for (let x = from; x < to; x++) if (clipped.some((c) => c.s <= x && x + 1 <= c.e)) activeMs++;
      const during = times.filter((t) => clipped.some((c) => c.s <= t && t <= c.e)).length;
      expect(stats.violationsDuringActivity).toBe(during);
      expect(stats.agentActiveFraction).toBe(Math.round((activeMs / span) * 10_000) / 10_000);
    }), { numRuns: 500 });
  });
});
