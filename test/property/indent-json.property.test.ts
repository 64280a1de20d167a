// Spilled violations are printed by re-indenting their compact JSON text instead of parsing it back:
// the bytes must be exactly those JSON.stringify(value, null, 2) writes, for any JSON value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indentJson } from '../../src/report/json.js';

/** JSON.stringify(value, null, 2) as it appears nested `indent` deep. */
const nested = (value: unknown, indent: string) => indent + JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);

describe('indentJson()', () => {
  it('gives JSON.stringify(v, null, 2) from JSON.stringify(v), at any depth', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom('', '  ', '    '), (value, indent) => {
        expect(indentJson(JSON.stringify(value), indent)).toBe(nested(value, indent));
      }),
      { numRuns: 2000 },
    );
  });

  it('copies strings whole: structure characters, quotes and backslashes inside them are text', () => {
    const tricky = { 'a{b': ['x,y', 'q"uote', 'back\\slash\\', '\\"', ':', '[]', '{}', '', 'é😀\u2028\u0000'], e: {}, l: [], n: [-0, 1e21, -1.5e-7, null, true, false] };
    expect(indentJson(JSON.stringify(tricky), '    ')).toBe(nested(tricky, '    '));
  });

  it('stops at the end of a cut string instead of looping', () => {
    expect(indentJson('{"a":"unterminated', '')).toBe('{\n  "a": "unterminated');
  });
});
