// Property tests for the report's order (compareEvents / compareRefs in src/model/event.ts): a total
// order (reflexive, antisymmetric, transitive, every pair comparable), so sorting any permutation of
// the same events gives the same sequence, which is what makes reports byte-identical across runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEvents, compareRefs, type ForensicEvent, type Ref } from '../../src/model/event.js';

/** Refs as inputs really make them: line inputs carry `line`, documents `index`, a one-line document both. */
const ref: fc.Arbitrary<Ref> = fc.tuple(fc.constantFrom('a.log', 'B.log', 'a/b.log', 'é.log', '-', 'z', 'doc.json', 'one.json'), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 }))
  .map(([path, line, index]) => (path === 'doc.json' ? { path, index } : path === 'one.json' ? { path, line: 1, index } : { path, line }));

/** Any mix of line and index on one path (no parser does this today). */
const anyRef: fc.Arbitrary<Ref> = fc.record(
  { path: fc.constantFrom('a.log', 'z'), line: fc.integer({ min: 1, max: 5 }), index: fc.integer({ min: 0, max: 5 }) },
  { requiredKeys: ['path'] },
);

const eventWith = (refs: fc.Arbitrary<Ref>): fc.Arbitrary<ForensicEvent> => fc.record({ timeMs: fc.integer({ min: -3, max: 3 }), ref: refs }).map(({ timeMs, ref }) => ({
  kind: 'network', source: 'firewall', format: 'iptables', timeMs, timeRaw: String(timeMs), ref,
}));
const event = eventWith(ref);

const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);
const key = (e: ForensicEvent): string => JSON.stringify([e.timeMs, e.ref.path, e.ref.line ?? null, e.ref.index ?? null]);

describe('compareEvents / compareRefs: a total order', () => {
  it('is reflexive and antisymmetric, and returns a number for every pair', () => {
    fc.assert(fc.property(event, event, (a, b) => {
      expect(compareEvents(a, a)).toBe(0);
      const ab = compareEvents(a, b);
      expect(Number.isNaN(ab)).toBe(false);
      expect(sign(ab) + sign(compareEvents(b, a))).toBe(0);
      // equal only when the keys are equal: no two distinct records tie
      if (ab === 0) expect(key(a)).toBe(key(b));
    }), { numRuns: 2000 });
  });

  it('is transitive', () => {
    fc.assert(fc.property(event, event, event, (a, b, c) => {
      if (compareEvents(a, b) <= 0 && compareEvents(b, c) <= 0) expect(compareEvents(a, c)).toBeLessThanOrEqual(0);
      if (compareRefs(a.ref, b.ref) <= 0 && compareRefs(b.ref, c.ref) <= 0) expect(compareRefs(a.ref, c.ref)).toBeLessThanOrEqual(0);
    }), { numRuns: 5000 });
  });

  it('sorting any permutation gives the same sequence', () => {
    fc.assert(fc.property(fc.array(event, { maxLength: 40 }).chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }))), ([xs, shuffled]) => {
      const a = [...xs].sort(compareEvents).map(key);
      const b = [...shuffled].sort(compareEvents).map(key);
      expect(b).toEqual(a);
    }), { numRuns: 1000 });
  });

  // Distinct refs of one path such as {line: 5} and {line: 5, index: 0} must not tie.
  it('sorting any permutation gives the same sequence even when one path mixes line and index refs', () => {
    fc.assert(fc.property(fc.array(eventWith(anyRef), { maxLength: 40 }).chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }))), ([xs, shuffled]) => {
      expect([...shuffled].sort(compareEvents).map(key)).toEqual([...xs].sort(compareEvents).map(key));
    }), { numRuns: 1000 });
  });

  it('does not depend on the locale: paths compare by code unit', () => {
    expect(compareRefs({ path: 'B.log' }, { path: 'a.log' })).toBeLessThan(0);
    expect(compareRefs({ path: 'z' }, { path: 'é.log' })).toBeLessThan(0);
  });
});
