// The values of an input that is either JSON lines (one value a line) or one JSON document, for the
// audit formats that accept both. Whether a value is a record, a `Records` file or an array is the caller's.
import type { ForensicEvent, Ref } from '../../model/event.js';
import type { LineRecord, ParseContext, StatefulLineReader } from '../format.js';
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
  for await (const { value, line } of jsonUnits(lines, ctx)) yield* recordsOf(value, line, ctx, listOf);
}

/** One unit's records with their refs (see unitRecords). */
export function recordsOf(value: unknown, line: number | undefined, ctx: ParseContext, listOf: (value: unknown) => unknown[] | undefined): { value: unknown; ref: Ref }[] {
  const list = listOf(value);
  if (!list) return [{ value, ref: line !== undefined ? { path: ctx.path, line } : { path: ctx.path, index: 0 } }];
  return list.map((item, i) => ({ value: item, ref: line !== undefined ? { path: ctx.path, line, index: i } : { path: ctx.path, index: i } }));
}

/**
 * The reader of JSON lines of units, a line at a time (InputFormat.statefulReader): a line is skipped
 * as jsonUnits skips it, else `events` gives the events of its unit (and `end` those a format still
 * holds at the end). No async step per record (over several generators, that was a sixth of a
 * CloudTrail scan); documents keep the stream.
 */
export function unitLineReader(ctx: ParseContext, events: (value: object, line: number) => readonly ForensicEvent[], end: () => readonly ForensicEvent[] = () => NO_EVENTS): StatefulLineReader {
  return {
    line: (rec) => {
      if (rec.text.trim() === '') return NO_EVENTS;
      const value = tryParse(rec.text);
      if (value === undefined) ctx.skip({ line: rec.line }, 'not valid JSON');
      else if (typeof value !== 'object' || value === null) ctx.skip({ line: rec.line }, 'not a JSON object');
      else return events(value, rec.line);
      return NO_EVENTS;
    },
    end,
  };
}

/** The events of records read by `toEvent`, which skips (undefined) the ones it cannot use. */
export function eventsOfRecords(records: { value: unknown; ref: Ref }[], ctx: ParseContext, toEvent: (value: unknown, ref: Ref, ctx: ParseContext) => ForensicEvent | undefined): ForensicEvent[] {
  const out: ForensicEvent[] = [];
  for (const r of records) {
    const ev = toEvent(r.value, r.ref, ctx);
    if (ev) out.push(ev);
  }
  return out;
}

const NO_EVENTS: readonly ForensicEvent[] = Object.freeze([]);
