// The timeline's times are formatted a second at a time (millions of lines share few seconds): the
// text must be exactly Date's, whatever came before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iso } from '../../src/report/timeline.js';

describe('iso()', () => {
  it('is new Date(ms).toISOString() for any sequence of times, neighbours or not', () => {
    const time = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: 1772409600000, max: 1772409603000 }),
      fc.integer({ min: -3000, max: 3000 }),
      fc.integer({ min: 253402300799000, max: 253402300801000 }),
    );
    fc.assert(fc.property(fc.array(time, { maxLength: 40 }), (times) => times.every((t) => iso(t) === new Date(t).toISOString())), { numRuns: 500 });
    expect(iso(1772409600007.5)).toBe(new Date(1772409600007.5).toISOString());
    expect(iso(undefined)).toBeUndefined();
    expect(() => iso(NaN)).toThrow(RangeError);
  });
});
