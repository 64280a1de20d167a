// Bytes → numbered lines. Splits on LF at the byte level (faster than readline), drops CR and a
// leading BOM, and refuses over-long lines as issues rather than truncating evidence. Also the
// JSON nesting meter that keeps deeply nested records away from recursive parser code.
import { constants } from 'node:buffer';
import type { LineRecord } from './format.js';

export interface LineOptions {
  /** lines longer than this are skipped and reported (default 16 MiB) */
  maxLineBytes?: number;
  /** a different limit for line 1 (a one-line JSON document may be far longer than any log line) */
  maxFirstLineBytes?: number;
  onTooLong?: (line: number, bytes: number) => void;
  /** the line being read, updated as lines end (for read errors that strike mid-input) */
  onLine?: (line: number) => void;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** V8 cannot hold a longer string: a line above this could never be decoded, whatever the setting. */
export const MAX_POSSIBLE_LINE_BYTES = constants.MAX_STRING_LENGTH;

/** The line limit in force: the setting, kept within what a JavaScript string can hold. */
export function effectiveMaxLineBytes(setting: number | undefined): number {
  return Math.min(setting ?? DEFAULT_MAX_LINE_BYTES, MAX_POSSIBLE_LINE_BYTES);
}

export async function* splitLines(chunks: AsyncIterable<Buffer>, options: LineOptions = {}): AsyncGenerator<LineRecord> {
  const rest = effectiveMaxLineBytes(options.maxLineBytes);
  let max = options.maxFirstLineBytes === undefined ? rest : effectiveMaxLineBytes(options.maxFirstLineBytes);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let lineNo = 1;
  const decode = (buf: Buffer): string => {
    let text = buf.toString('utf8');
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    return text;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        if (!tooLong) {
          pending.push(chunk.subarray(start));
          pendingBytes += chunk.length - start;
          if (pendingBytes > max) {
            tooLong = true;
            pending = [];
          }
        } else pendingBytes += chunk.length - start;
        break;
      }
      const part = chunk.subarray(start, nl);
      if (tooLong || pendingBytes + part.length > max) {
        options.onTooLong?.(lineNo, pendingBytes + part.length);
      } else {
        const buf = pending.length === 0 ? part : Buffer.concat([...pending, part]);
        yield { line: lineNo, text: decode(buf) };
      }
      pending = [];
      pendingBytes = 0;
      tooLong = false;
      lineNo++;
      max = rest;
      options.onLine?.(lineNo);
      start = nl + 1;
    }
  }
  if (tooLong) options.onTooLong?.(lineNo, pendingBytes);
  else if (pendingBytes > 0) yield { line: lineNo, text: decode(Buffer.concat(pending)) };
}

/** Skips empty and whitespace-only lines, which no format gives meaning to. */
export async function* nonEmpty(lines: AsyncIterable<LineRecord>): AsyncGenerator<LineRecord> {
  for await (const rec of lines) if (rec.text.trim() !== '') yield rec;
}

export const DEFAULT_MAX_JSON_DEPTH = 256;

/**
 * Counts nesting ({ and [ less } and ]) across the text it is fed, line after line.
 * JSON.parse copes with any depth, but parser code that walks or re-serializes a value recurses,
 * and ten thousand levels overflow the stack; a record nested deeper than the limit is refused.
 * Brackets inside strings count too, on purpose: several transcript formats carry tool arguments
 * as JSON inside a string and parse that again, so only this upper bound keeps every level in check.
 */
export class JsonDepthMeter {
  private depth = 0;
  /** `perLine`: each line is a value of its own (JSON lines); else the lines make one document. */
  constructor(readonly max: number, readonly perLine: boolean) {}

  /** Feeds one line; true when the nesting went past the limit somewhere in it. */
  exceeds(text: string): boolean {
    if (this.perLine) {
      this.depth = 0;
      // No line shorter than the limit can open more levels than it has characters.
      if (text.length <= this.max) return false;
    }
    const max = this.max;
    let depth = this.depth;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 123 || c === 91) {
        if (++depth > max) {
          this.depth = depth;
          return true;
        }
      } else if ((c === 125 || c === 93) && depth > 0) depth--;
    }
    this.depth = depth;
    return false;
  }
}
