// The values of an input that is either JSON lines (one value a line) or one JSON document, for the
// audit formats that accept both. Whether a value is a record, a `Records` file or an array is the caller's.
import type { Ref } from '../../model/event.js';
import type { LineRecord, ParseContext } from '../format.js';
import { readJsonDocument } from './json.js';

export interface JsonUnit {
  value: unknown;
  /** the line of a JSON lines value; absent for a whole document */
  line?: number;
}

/** JSON.parse, or undefined for text that is not JSON. */
export function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** JSON lines (one value per line) or one whole document: as detection found (ctx.container), else by whether the first line parses alone. */
export async function* jsonUnits(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<JsonUnit> {
  const it = lines[Symbol.asyncIterator]();
  let first: LineRecord | undefined;
  for (let n = await it.next(); !n.done; n = await it.next()) {
    if (n.value.text.trim() !== '') {
      first = n.value;
      break;
    }
  }
  if (!first) return;
  const firstValue = tryParse(first.text);
  if (firstValue !== undefined || ctx.container === 'jsonl') {
    if (firstValue === undefined) ctx.skip({ line: first.line }, 'not valid JSON');
    else if (typeof firstValue === 'object' && firstValue !== null) yield { value: firstValue, line: first.line };
    else ctx.skip({ line: first.line }, 'not a JSON object');
    for (let n = await it.next(); !n.done; n = await it.next()) {
      const rec = n.value;
      if (rec.text.trim() === '') continue;
      const value = tryParse(rec.text);
      if (value === undefined) ctx.skip({ line: rec.line }, 'not valid JSON');
      else if (typeof value === 'object' && value !== null) yield { value, line: rec.line };
      else ctx.skip({ line: rec.line }, 'not a JSON object');
    }
    return;
  }
  const head = first;
  async function* all(): AsyncGenerator<LineRecord> {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  const doc = await readJsonDocument(all(), ctx);
  if (doc !== undefined) yield { value: doc };
}

/**
 * The records of the units with their refs: a unit that `listOf` opens (an array, a `{entries}` page)
 * gives one record per item, referenced by index (and line, for JSON lines); any other unit is one record.
 */
export async function* unitRecords(lines: AsyncIterable<LineRecord>, ctx: ParseContext, listOf: (value: unknown) => unknown[] | undefined): AsyncGenerator<{ value: unknown; ref: Ref }> {
  for await (const { value, line } of jsonUnits(lines, ctx)) {
    const list = listOf(value);
    if (list) {
      for (let i = 0; i < list.length; i++) yield { value: list[i], ref: line !== undefined ? { path: ctx.path, line, index: i } : { path: ctx.path, index: i } };
    } else {
      yield { value, ref: line !== undefined ? { path: ctx.path, line } : { path: ctx.path, index: 0 } };
    }
  }
}
