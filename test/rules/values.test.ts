import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileField } from '../../src/rules/values.js';

const none = new Map<string, string[]>();

describe('compileField() grouping of many plain values', () => {
  it('answers exactly as testing each value alone would (property)', () => {
    const piece = fc.constantFrom('a', 'B', 'pool', '.com', '22', '*', '?', '\\*', 'x');
    const value = fc.oneof(fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join('')), fc.integer({ min: 0, max: 30 }));
    const subject = fc.oneof(fc.array(fc.constantFrom('a', 'b', 'B', 'pool', '.com', '22', '*', 'x', '.'), { maxLength: 5 }).map((p) => p.join('')), fc.integer({ min: 0, max: 30 }), fc.constant(undefined), fc.boolean());
    const mods = fc.constantFrom<string[]>([], ['contains'], ['startswith'], ['endswith'], ['cased'], ['contains', 'cased']);
    fc.assert(fc.property(fc.array(value, { minLength: 2, maxLength: 6 }), subject, mods, (values, v, modifiers) => {
      const grouped = compileField(modifiers, values, none);
      const alone = values.map((x) => compileField(modifiers, [x], none));
      expect(grouped.tests).toHaveLength(1);
      expect(grouped.tests[0]!(v)).toBe(alone.some((f) => f.tests[0]!(v)));
    }), { numRuns: 3000 });
  });

  it('answers long lists of suffixes (looked up from the end) exactly as each value alone would (property)', () => {
    const piece = fc.constantFrom('a', 'B', 'pool', '.com', '.', 'x', 'é', '\u0130', '');
    const word = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));
    const values = fc.array(word.map((w) => `*${w}`), { minLength: 5, maxLength: 12 });
    const subject = fc.oneof(word, fc.constant(''), fc.integer({ min: 0, max: 30 }));
    fc.assert(fc.property(values, subject, fc.constantFrom<string[]>([], ['cased'], ['endswith']), (list, v, modifiers) => {
      const grouped = compileField(modifiers, list, none);
      const alone = list.map((x) => compileField(modifiers, [x], none));
      expect(grouped.tests[0]!(v)).toBe(alone.some((f) => f.tests[0]!(v)));
    }), { numRuns: 3000 });
  });

  it('answers number subjects against number-like texts exactly as each value alone would (property)', () => {
    const text = fc.constantFrom('22', '022', '22.0', '1.5', '-0', '0', '1e21', '1e+21', 'NaN', 'Infinity', ' 22', '3333', '-1');
    const value = fc.oneof(text, fc.constantFrom(22, 0, -0, 1.5, 3333));
    const subject = fc.constantFrom(22, 0, -0, 1.5, 1e21, -1, 3333, Number.NaN, Number.POSITIVE_INFINITY, '22', '022');
    fc.assert(fc.property(fc.array(value, { minLength: 2, maxLength: 6 }), subject, fc.constantFrom<string[]>([], ['cased']), (values, v, modifiers) => {
      const grouped = compileField(modifiers, values, none);
      const alone = values.map((x) => compileField(modifiers, [x], none));
      expect(grouped.tests[0]!(v)).toBe(alone.some((f) => f.tests[0]!(v)));
    }), { numRuns: 2000 });
  });

  it('keeps one test per value for |all', () => {
    expect(compileField(['contains', 'all'], ['a', 'b'], none).tests).toHaveLength(2);
  });
});
