// Cloud Logging LogEntry exports, shared by the GCP formats: JSON lines, or one document
// (a `gcloud logging read --format=json` array or a Logging API `{entries: [...]}` page).
import type { Ref } from '../../model/event.js';
import type { LineRecord, ParseContext } from '../format.js';
import { isObject, parseJsonLine, readJsonDocument, type JsonObject } from './json.js';

/** The entries of a JSON document export: an array, a Logging API `{entries: [...]}` page, or one entry. */
export function documentEntries(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (isObject(doc) && Array.isArray(doc['entries'])) return doc['entries'];
  if (isObject(doc) && 'logName' in doc) return [doc];
  return undefined;
}

export interface LogEntryRecord {
  entry: JsonObject;
  ref: Ref;
  where: { line?: number; index?: number };
}

/** LogEntry records with their refs, from JSON lines or from one JSON document (pretty-printed or an array). */
export async function* logEntries(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<LogEntryRecord> {
  const it = lines[Symbol.asyncIterator]();
  let first: LineRecord | undefined;
  for (;;) {
    const n = await it.next();
    if (n.done) return;
    if (n.value.text.trim() !== '') {
      first = n.value;
      break;
    }
  }
  const t = first.text.trim();
  if (t.startsWith('[') || t === '{') {
    const all = (async function* () {
      yield first;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })();
    const doc = await readJsonDocument(all, ctx);
    if (doc === undefined) return;
    const entries = documentEntries(doc);
    if (entries === undefined) {
      ctx.skip({ index: 0 }, 'JSON document holds no LogEntry array');
      return;
    }
    for (let index = 0; index < entries.length; index++) {
      const e = entries[index];
      if (!isObject(e)) ctx.skip({ index }, 'not a JSON object');
      else yield { entry: e, ref: { path: ctx.path, index }, where: { index } };
    }
    return;
  }
  for (let rec: LineRecord | undefined = first; rec; ) {
    if (rec.text.trim() !== '') {
      const o = parseJsonLine(rec, ctx);
      if (o) yield { entry: o, ref: { path: ctx.path, line: rec.line }, where: { line: rec.line } };
    }
    const n = await it.next();
    rec = n.done ? undefined : n.value;
  }
}
