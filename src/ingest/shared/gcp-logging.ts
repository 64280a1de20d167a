// Cloud Logging LogEntry exports, shared by the GCP formats: JSON lines, or one document
// (a `gcloud logging read --format=json` array or a Logging API `{entries: [...]}` page).
import type { Ref } from '../../model/event.js';
import type { Head, LineRecord, ParseContext } from '../format.js';
import { isObject, parseJsonLine, pick, readJsonDocument, type JsonObject } from './json.js';

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

export interface ComputeLog {
  /** an entry of this log: its logName, a jsonPayload.connection object and the log's string field */
  isEntry(o: unknown): o is JsonObject;
  probe(head: Head): number;
}

/**
 * A Compute Engine connection log (`log` is the LOG_ID after compute.googleapis.com, `key` a string
 * field of jsonPayload every entry of it has): how to tell its entries, and the probe that counts them.
 */
export function computeLog(log: string, key: string): ComputeLog {
  const escaped = `compute.googleapis.com%2F${log}`;
  const plain = `compute.googleapis.com/${log}`;
  const keyPath = `jsonPayload.${key}`;
  const inText = new RegExp(`"logName"\\s*:\\s*"[^"]*compute\\.googleapis\\.com%2F${log}"`);
  const isEntry = (o: unknown): o is JsonObject => {
    if (!isObject(o)) return false;
    const logName = o['logName'];
    if (typeof logName !== 'string' || !(logName.endsWith(escaped) || logName.endsWith(plain))) return false;
    return isObject(pick(o, 'jsonPayload.connection')) && typeof pick(o, keyPath) === 'string';
  };
  const probe = (head: Head): number => {
    let items: unknown[];
    if (head.container === 'jsonl') items = head.objects;
    else if (head.container === 'json') {
      const entries = head.document === undefined ? undefined : documentEntries(head.document);
      // Too large to parse for detection: the first entries in the text still name the log.
      if (entries === undefined) {
        return head.document === undefined && inText.test(head.text) && head.text.includes(`"${key}"`) ? 0.9 : 0;
      }
      items = entries.slice(0, 50);
    } else return 0;
    if (items.length === 0) return 0;
    let good = 0;
    for (const o of items) if (isEntry(o)) good++;
    return good * 2 > items.length ? good / items.length : 0;
  };
  return { isEntry, probe };
}

/** A non-empty string, or a finite number as text (LogEntry JSON writes int64 values as strings). */
export const entryStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** A port number or numeric string; undefined when absent, false when present but not a port. */
export function entryPort(v: unknown): number | undefined | false {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : false;
}
