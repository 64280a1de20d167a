// Inputs that are JSON lines or one JSON document: the first non-blank line decides which, so it is
// read first and handed back in front of the rest when the document is read whole.
import type { LineRecord, ParseContext } from '../format.js';
import { isObject, parseJsonLine, readJsonDocument, type JsonObject } from './json.js';

export interface FirstLine {
  first: LineRecord;
  /** the lines after `first`, still unread */
  rest: AsyncGenerator<LineRecord>;
}

/** Manual next() calls rather than for-await: a parser that stops early leaves closing the line source to its owner. */
async function* unread(it: AsyncIterator<LineRecord>): AsyncGenerator<LineRecord> {
  for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
}

/** The first non-blank line and the lines after it; undefined when the input holds only blank lines. */
export async function firstNonBlank(lines: AsyncIterable<LineRecord>): Promise<FirstLine | undefined> {
  const it = lines[Symbol.asyncIterator]();
  for (let n = await it.next(); !n.done; n = await it.next()) {
    if (n.value.text.trim() !== '') return { first: n.value, rest: unread(it) };
  }
  return undefined;
}

/** The whole input again: the first line, then the rest. */
export async function* withFirst(opened: FirstLine): AsyncGenerator<LineRecord> {
  yield opened.first;
  yield* opened.rest;
}

export interface JsonLineObject {
  rec: LineRecord;
  obj: JsonObject;
}

export type JsonLinesOrDocument = { kind: 'document'; document: unknown } | { kind: 'lines'; objects: AsyncGenerator<JsonLineObject> };

async function* lineObjects(first: JsonLineObject | undefined, rest: AsyncGenerator<LineRecord>, ctx: ParseContext): AsyncGenerator<JsonLineObject> {
  if (first) yield first;
  for (let n = await rest.next(); !n.done; n = await rest.next()) {
    if (n.value.text.trim() === '') continue;
    const obj = parseJsonLine(n.value, ctx);
    if (obj) yield { rec: n.value, obj };
  }
}

/**
 * JSON lines when detection found them (ctx.container), else when the first non-blank line is a
 * JSON object on its own (the objects of the lines, bad lines skipped as they are reached);
 * otherwise one document read whole (an array, or a pretty-printed object). Undefined for an empty
 * input or a document that is not JSON (reported).
 */
export async function jsonLinesOrDocument(lines: AsyncIterable<LineRecord>, ctx: ParseContext): Promise<JsonLinesOrDocument | undefined> {
  const opened = await firstNonBlank(lines);
  if (!opened) return undefined;
  let firstObject: JsonObject | undefined;
  try {
    const v: unknown = JSON.parse(opened.first.text);
    if (isObject(v)) firstObject = v;
  } catch {
    firstObject = undefined;
  }
  if (firstObject !== undefined) return { kind: 'lines', objects: lineObjects({ rec: opened.first, obj: firstObject }, opened.rest, ctx) };
  // A damaged first line of JSON lines: reported like any other bad line.
  if (ctx.container === 'jsonl') return { kind: 'lines', objects: lineObjects(undefined, withFirst(opened), ctx) };
  const document = await readJsonDocument(withFirst(opened), ctx);
  return document === undefined ? undefined : { kind: 'document', document };
}
