// Bytes → numbered lines. Splits on LF at the byte level (faster than readline), drops CR and a
// leading BOM, and refuses over-long lines as issues rather than truncating evidence.
import type { LineRecord } from './format.js';

export interface LineOptions {
  /** lines longer than this are skipped and reported (default 16 MiB) */
  maxLineBytes?: number;
  onTooLong?: (line: number, bytes: number) => void;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export async function* splitLines(chunks: AsyncIterable<Buffer>, options: LineOptions = {}): AsyncGenerator<LineRecord> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
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
