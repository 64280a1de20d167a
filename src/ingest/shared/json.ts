// JSON helpers shared by the JSON-based formats: safe object access and whole-document reading.
import type { LineRecord, ParseContext } from '../format.js';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A nested value by dotted path (`a.b.c`), undefined when any step is missing. */
export function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** Parses one JSON line into an object, or reports it skipped and returns undefined. */
export function parseJsonLine(rec: LineRecord, ctx: ParseContext): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(rec.text);
  } catch (err) {
    ctx.skip({ line: rec.line }, `not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
  if (!isObject(value)) {
    ctx.skip({ line: rec.line }, 'not a JSON object');
    return undefined;
  }
  return value;
}

/** The most a whole-document input may hold; larger documents are refused, not truncated. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

/**
 * Reads a whole JSON document (a `Records` file, an eval log, an OTLP export).
 * Returns undefined after reporting the problem when the text is not JSON.
 */
export async function readJsonDocument(lines: AsyncIterable<LineRecord>, ctx: ParseContext): Promise<unknown> {
  const parts: string[] = [];
  let size = 0;
  for await (const rec of lines) {
    size += rec.text.length + 1;
    if (size > MAX_DOCUMENT_BYTES) {
      ctx.skip({ line: rec.line }, `JSON document larger than ${MAX_DOCUMENT_BYTES} bytes; not read`);
      return undefined;
    }
    parts.push(rec.text);
  }
  try {
    return JSON.parse(parts.join('\n'));
  } catch (err) {
    ctx.skip({ line: 1 }, `not a valid JSON document: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * A probe's score for sampled records: `weight` times the share that pass `looksRight`, or 0 unless
 * more than half do (a few damaged records are the parser's to report; a file of something else is not ours).
 */
export function majorityScore(records: readonly unknown[], looksRight: (o: unknown) => boolean, weight = 1): number {
  let good = 0;
  for (const o of records) if (looksRight(o)) good++;
  return good * 2 > records.length ? weight * (good / records.length) : 0;
}
