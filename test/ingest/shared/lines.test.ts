// The byte-level line splitter and the JSON nesting meter that guard every parser.
import { describe, expect, it } from 'vitest';
import { forEachLine, JsonDepthMeter, splitLines } from '../../../src/ingest/lines.js';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('forEachLine()', () => {
  it('waits for what `between` returns after a chunk before reading the next, and ends with the last line', async () => {
    const seen: string[] = [];
    let read = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for (const p of ['a\nb', '\nc\n', 'd']) {
        read++;
        yield Buffer.from(p);
      }
    }
    await forEachLine(counted(), {}, (rec) => void seen.push(rec.text), () => {
      seen.push(`after ${read}`);
      // the next chunk is not read until this settles
      return read === 1 ? new Promise<void>((resolve) => setTimeout(() => (seen.push('waited'), resolve()), 20)) : undefined;
    });
    expect(seen).toEqual(['a', 'after 1', 'waited', 'b', 'c', 'after 2', 'after 3', 'd']);
  });
});

describe('splitLines()', () => {
  it('numbers lines across chunk boundaries, drops CR and the BOM, keeps a last line without LF', async () => {
    const out = [];
    for await (const rec of splitLines(chunks('\ufeffa\r\nb', 'c\n\nd'))) out.push(rec);
    expect(out).toEqual([{ line: 1, text: 'a' }, { line: 2, text: 'bc' }, { line: 3, text: '' }, { line: 4, text: 'd' }]);
  });

  it('drops a CR cut from its LF by a chunk boundary, keeps a lone CR line empty, and joins a character cut in two', async () => {
    const euro = Buffer.from('€\n'); // three bytes, then LF
    async function* parts(): AsyncGenerator<Buffer> {
      yield Buffer.from('x\r');
      yield Buffer.from('\n\r\ny\r\r\n');
      yield euro.subarray(0, 1);
      yield euro.subarray(1);
      yield Buffer.from('\ufeffz\r');
    }
    const out = [];
    for await (const rec of splitLines(parts())) out.push(rec);
    // Only one CR before the LF is the line ending; a BOM after line 1 is text.
    expect(out).toEqual([{ line: 1, text: 'x' }, { line: 2, text: '' }, { line: 3, text: 'y\r' }, { line: 4, text: '€' }, { line: 5, text: '\ufeffz' }]);
  });

  it('reports an over-long line with its number and goes on', async () => {
    const long: number[][] = [];
    const out = [];
    for await (const rec of splitLines(chunks('ok\n', 'x'.repeat(20), 'y\nnext\n'), { maxLineBytes: 10, onTooLong: (line, bytes) => long.push([line, bytes]) })) out.push(rec.text);
    expect(out).toEqual(['ok', 'next']);
    expect(long).toEqual([[2, 21]]);
  });
});

describe('JsonDepthMeter', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

  it('refuses a JSON line nested deeper than the limit, and only such a line', () => {
    const meter = new JsonDepthMeter(256, true);
    expect(meter.exceeds(nested(256))).toBe(false);
    expect(meter.exceeds(nested(257))).toBe(true);
    expect(meter.exceeds(`{"a":${nested(300)}}`)).toBe(true);
  });

  it('counts depth, not brackets: many shallow values on a long line pass', () => {
    const meter = new JsonDepthMeter(256, true);
    expect(meter.exceeds(`[${Array.from({ length: 400 }, () => '{"k":[1]}').join(',')}]`)).toBe(false);
    expect(meter.exceeds(`{"s":"${'x'.repeat(5000)}"}`)).toBe(false);
  });

  it('carries the depth from line to line in a document', () => {
    const meter = new JsonDepthMeter(4, false);
    expect(meter.exceeds('{"a": [')).toBe(false);
    expect(meter.exceeds('{"b": [')).toBe(false);
    expect(meter.exceeds('{')).toBe(true);
  });
});
