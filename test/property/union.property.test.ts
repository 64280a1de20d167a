// unionWithin merges intervals that come sorted by start (tool calls) without copying or sorting
// them: its answer must be the one it gives for the same intervals in any order, and must cover
// exactly the instants some clipped interval covers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { covers, unionWithin, type Interval } from '../../src/attribution/stats.js';

const intervalArb = fc.record({ startMs: fc.integer({ min: -20, max: 120 }), length: fc.integer({ min: -5, max: 40 }) })
  .map(({ startMs, length }): Interval => ({ startMs, endMs: startMs + length }));

describe('unionWithin (property)', () => {
  it('gives the same union for sorted intervals as for the same intervals shuffled, covering exactly the clipped intervals', () => {
    fc.assert(fc.property(fc.array(intervalArb, { maxLength: 40 }), fc.integer({ min: -10, max: 50 }), fc.integer({ min: 0, max: 100 }), fc.infiniteStream(fc.integer()), (list, from, span, keys) => {
      const to = from + span;
      const sorted = [...list].sort((a, b) => a.startMs - b.startMs);
      const shuffled = list.map((iv) => ({ iv, k: keys.next().value as number })).sort((a, b) => a.k - b.k).map((o) => o.iv);
      // a shuffled list of two or more distinct starts is (almost always) unsorted: the other path
      const union = unionWithin(sorted, from, to);
      expect(unionWithin(shuffled, from, to)).toEqual(union);
      // disjoint, rising, within [from, to]
      union.forEach((iv, k) => {
        expect(iv.startMs).toBeGreaterThanOrEqual(from);
        expect(iv.endMs).toBeLessThanOrEqual(to);
        if (k > 0) expect(iv.startMs).toBeGreaterThan(union[k - 1]!.endMs);
      });
      for (let t = from - 2; t <= to + 2; t++) {
        const inSome = list.some((iv) => Math.max(iv.startMs, from) <= t && t <= Math.min(iv.endMs, to));
        expect(covers(union, t)).toBe(inSome);
      }
    }), { numRuns: 500 });
  });
});
