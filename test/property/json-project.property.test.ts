// projectJsonObject must accept exactly the lines JSON.parse reads as an object, and give the keys
// asked for the values JSON.parse gives them. Generated lines: valid records written in several
// styles (spaces, escapes, repeated keys, nesting), and the same lines damaged a character at a time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeySet, projectJsonObject } from '../../src/ingest/shared/json-project.js';

const KEYS = ['src_ip', 'dst', 'a', 'é', '__proto__', 'constructor', 'x y', 'k\u0000', ''];
const ASKED = new KeySet(['src_ip', 'dst', 'é', '__proto__', 'constructor', 'x y', 'k\u0000', '']);

/** What the projection must give: JSON.parse's object cut down to the keys asked for, or undefined. */
function reference(text: string, keys: KeySet): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (keys.keys.has(k)) Object.defineProperty(out, k, { value: (v as Record<string, unknown>)[k], writable: true, enumerable: true, configurable: true });
  return out;
}

/** A JSON text written by hand: optional white space, optional escapes of every character of strings. */
function write(value: unknown, style: { space: string; escapeAll: boolean }): string {
  const s = style.space;
  if (typeof value === 'string') return style.escapeAll ? `"${value.split('').map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(value);
  if (value instanceof Entries) return `{${s}${value.list.map(([k, v]) => `${write(k, style)}${s}:${s}${write(v, style)}`).join(`${s},${s}`)}${s}}`;
  if (Array.isArray(value)) return `[${s}${value.map((v) => write(v, style)).join(`${s},${s}`)}${s}]`;
  return JSON.stringify(value) ?? 'null';
}

/** An object as its list of entries, so a key may repeat. */
class Entries {
  constructor(readonly list: [string, unknown][]) {}
}

const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('', '-', 'a"b', 'back\\slash', '\u2028', '\ud800', 'tab\there'),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
/** Objects as entry lists, so keys repeat; nested objects and arrays inside. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, leaf, fc.array(tie('node'), { maxLength: 3 }), tie('object')),
  object: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { maxLength: 6 }).map((list) => new Entries(list)),
})).node;
const record = fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 8 }).map((list) => new Entries(list));
const style = fc.record({ space: fc.constantFrom('', ' ', '\t', ' \r\n '), escapeAll: fc.boolean() });

/** Number texts JSON.parse reads or refuses, around the edges of the grammar. */
const numberText = fc.stringMatching(/^-?[0-9]{0,3}(\.[0-9]{0,3})?([eE][+-]?[0-9]{0,3})?$/);

describe('projectJsonObject', () => {
  it('gives the keys asked for exactly as JSON.parse does', () => {
    fc.assert(fc.property(record, style, (entries, st) => {
      const text = write(entries, st);
      expect(projectJsonObject(text, ASKED)).toEqual(reference(text, ASKED));
    }), { numRuns: 3000 });
  });

  it('refuses exactly the damaged lines JSON.parse refuses', () => {
    const damage = fc.tuple(record, style, fc.nat(), fc.constantFrom('', '"', '\\', ',', ':', '{', '}', '[', ']', ' ', 'x', '0', '-', '.', 'e', '\u0001', 'tru', 'nul'), fc.nat({ max: 2 }));
    fc.assert(fc.property(damage, ([entries, st, at, insert, cut]) => {
      const text = write(entries, st);
      const i = at % (text.length + 1);
      const damaged = text.slice(0, i) + insert + text.slice(i + cut);
      expect(projectJsonObject(damaged, ASKED)).toEqual(reference(damaged, ASKED));
    }), { numRuns: 5000 });
  });

  it('reads numbers as JSON.parse does and refuses the ones it refuses', () => {
    fc.assert(fc.property(numberText, (n) => {
      const text = `{"dst":${n}}`;
      const got = projectJsonObject(text, ASKED);
      const want = reference(text, ASKED);
      expect(got).toEqual(want);
      if (got) expect(Object.is(got.dst, want!.dst)).toBe(true);
    }), { numRuns: 3000 });
  });

  it('reads only objects, and the whole line', () => {
    for (const text of ['[]', '"x"', '1', 'null', '', ' ', '{} {}', '{"a":1}x', '{"a":1,}', '{,}', '{"a" 1}', "{'a':1}", '{"a":01}', '{"a":.5}', '{"a":1.}', '{"a":+1}', '{"a":"\t"}', '{"a":"\\x"}', '{"a":"\\u12g4"}']) {
      expect(projectJsonObject(text, ASKED), text).toBeUndefined();
    }
    expect(projectJsonObject(' {"src_ip" : "10.0.0.1" , "a":{"src_ip":2}} ', ASKED)).toEqual({ src_ip: '10.0.0.1' });
    const proto = projectJsonObject('{"__proto__":{"x":1},"constructor":"c"}', ASKED)!;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toEqual({ x: 1 });
  });

  it('gives up past a thousand levels of nesting, leaving the line to JSON.parse', () => {
    expect(projectJsonObject(`{"a":${'['.repeat(999)}${']'.repeat(999)}}`, ASKED)).toBeDefined();
    expect(projectJsonObject(`{"a":${'['.repeat(1100)}${']'.repeat(1100)}}`, ASKED)).toBeUndefined();
  });
});
