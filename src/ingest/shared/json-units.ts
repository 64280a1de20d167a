// The values of an input that is either JSON lines (one value a line) or one JSON document, for the
// audit formats that accept both. Whether a value is a record, a `Records` file or an array is the caller's.
import type { ForensicEvent, Ref } from '../../model/event.js';
import type { InputFormat, LineRecord, ParseContext, StatefulLineReader } from '../format.js';
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
 * How a format turns the units of its input (JSON lines, or one document) into events: each unit's
 * events in turn, and those it still holds at the end (formats that pair records across units).
 */
export interface UnitReader {
  unit(value: unknown, line: number | undefined): Iterable<ForensicEvent>;
  end?(): Iterable<ForensicEvent>;
}

/**
 * `parse` and `statefulReader` of a format that reads units, from one reader made per input: the
 * stream (JSON lines or a document, through jsonUnits) and the line-at-a-time reader of JSON lines
 * give the same events and skips.
 */
export function readsUnits(reader: (ctx: ParseContext) => UnitReader): Pick<InputFormat, 'parse' | 'statefulReader'> {
  return {
    async *parse(lines, ctx) {
      const r = reader(ctx);
      for await (const { value, line } of jsonUnits(lines, ctx)) yield* r.unit(value, line);
      if (r.end) yield* r.end();
    },
    statefulReader: (ctx) => unitLineReader(ctx, reader(ctx)),
  };
}

/**
 * JSON lines of units a line at a time (InputFormat.statefulReader): a line is skipped as jsonUnits
 * skips it, else the reader gives the events of its unit. No async step per record (over several
 * generators, that was a sixth of a CloudTrail scan); documents keep the stream.
 */
function unitLineReader(ctx: ParseContext, reader: UnitReader): StatefulLineReader {
  return {
    line: (rec) => {
      if (rec.text.trim() === '') return NO_EVENTS;
      const value = tryParse(rec.text);
      if (value === undefined) ctx.skip({ line: rec.line }, 'not valid JSON');
      else if (typeof value !== 'object' || value === null) ctx.skip({ line: rec.line }, 'not a JSON object');
      else return [...reader.unit(value, rec.line)];
      return NO_EVENTS;
    },
    end: () => (reader.end ? [...reader.end()] : NO_EVENTS),
  };
}

/**
 * The reader of a format whose records stand alone: a unit that `listOf` opens (an array, a
 * `{entries}` page) gives one record per item, referenced by index (and line, for JSON lines); any
 * other unit is one record; `toEvent` reads each, skipping (undefined) those it cannot use. Events
 * come one at a time: a whole document's are not held together.
 */
export function recordReader(ctx: ParseContext, listOf: (value: unknown) => unknown[] | undefined, toEvent: (value: unknown, ref: Ref, ctx: ParseContext) => ForensicEvent | undefined): UnitReader {
  return {
    *unit(value, line) {
      const list = listOf(value);
      if (!list) {
        const ev = toEvent(value, line !== undefined ? { path: ctx.path, line } : { path: ctx.path, index: 0 }, ctx);
        if (ev) yield ev;
        return;
      }
      for (let i = 0; i < list.length; i++) {
        const ev = toEvent(list[i], line !== undefined ? { path: ctx.path, line, index: i } : { path: ctx.path, index: i }, ctx);
        if (ev) yield ev;
      }
    },
  };
}

const NO_EVENTS: readonly ForensicEvent[] = Object.freeze([]);
