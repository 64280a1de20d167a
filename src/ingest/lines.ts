// Bytes → numbered lines. Splits on LF at the byte level (faster than readline), drops CR, a
// leading BOM and the NULs a record may follow, and refuses over-long lines as issues rather than
// truncating evidence. Also the JSON nesting meter that keeps deeply nested records away from
// recursive parser code.
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
  /** a line began with NUL bytes, which were dropped (see LineSplitter.decode) */
  onNulPadding?: () => void;
  /** a record was cut by a hole of NULs and another written after it on the same line: `bytes` of the line, up to the hole's end, were not read */
  onCutByHole?: (line: number, bytes: number) => void;
}

/** A run of at least this many NULs inside a line is a hole (a single NUL inside a record is part of it). */
export const HOLE_NULS = 8;

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** V8 cannot hold a longer string: a line above this could never be decoded, whatever the setting. */
export const MAX_POSSIBLE_LINE_BYTES = constants.MAX_STRING_LENGTH;

/** The line limit in force: the setting, kept within what a JavaScript string can hold. */
export function effectiveMaxLineBytes(setting: number | undefined): number {
  return Math.min(setting ?? DEFAULT_MAX_LINE_BYTES, MAX_POSSIBLE_LINE_BYTES);
}

export async function* splitLines(chunks: AsyncIterable<Buffer>, options: LineOptions = {}): AsyncGenerator<LineRecord> {
  const splitter = new LineSplitter(options);
  for await (const chunk of chunks) {
    const batch: LineRecord[] = [];
    splitter.push(chunk, (rec) => batch.push(rec));
    yield* batch;
  }
  yield* splitter.end();
}

/**
 * splitLines with a callback: each line is handed over as soon as it is cut, synchronously, so no
 * chunk's worth of lines (or of the events made from them) is held at once. `visit` returns false
 * to stop reading at the end of the chunk. `between`, after each chunk, may return a promise that
 * the next chunk waits for.
 */
export async function forEachLine(chunks: AsyncIterable<Buffer>, options: LineOptions, visit: (rec: LineRecord) => boolean | void, between?: () => Promise<void> | undefined): Promise<void> {
  const splitter = new LineSplitter(options);
  let going = true;
  const guarded = (rec: LineRecord) => {
    if (going && visit(rec) === false) going = false;
  };
  for await (const chunk of chunks) {
    splitter.push(chunk, guarded);
    if (!going) return;
    const wait = between?.();
    if (wait) await wait;
  }
  for (const rec of splitter.end()) guarded(rec);
}

/** Cuts chunks into numbered lines; keeps the unfinished tail of one chunk for the next. */
class LineSplitter {
  private readonly rest: number;
  private max: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private tooLong = false;
  private lineNo = 1;

  constructor(private readonly options: LineOptions) {
    this.rest = effectiveMaxLineBytes(options.maxLineBytes);
    this.max = options.maxFirstLineBytes === undefined ? this.rest : effectiveMaxLineBytes(options.maxFirstLineBytes);
  }

  /**
   * `buf[start, end)` as text, without a trailing CR (or a BOM on line 1), and without the NUL bytes
   * it may begin with: a crash or an interrupted write leaves a run of them in a log, and the next
   * record is written right after it, on the same line. A line of NULs alone stays as it is (a bad
   * record, reported where it is).
   */
  private decode(buf: Buffer, start: number, end: number, mayHoldNul: boolean): string {
    if (mayHoldNul) start = this.afterHole(buf, start, end);
    if (buf[start] === 0) {
      let first = start;
      while (first < end && buf[first] === 0) first++;
      if (first < end && !(first === end - 1 && buf[first] === 13)) {
        start = first;
        this.options.onNulPadding?.();
      }
    }
    // The range is decoded in place (no Buffer view per line), the CR left out before decoding.
    if (end > start && buf[end - 1] === 13) end--;
    const text = buf.toString('utf8', start, end);
    return this.lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /**
   * Where a line's last record starts when a hole of NULs lies before it with something after it: a
   * crash in the middle of writing a record leaves [the record's start][NULs] and the log, restarted,
   * writes the next record right after, on the same line. What is before the hole is reported as a
   * cut record (onCutByHole); NULs alone before it are padding (left to the caller).
   */
  private afterHole(buf: Buffer, start: number, end: number): number {
    let content = end;
    if (content > start && buf[content - 1] === 13) content--;
    for (let z = buf.lastIndexOf(0, content - 1); z >= start; ) {
      let a = z;
      while (a > start && buf[a - 1] === 0) a--;
      if (z + 1 - a >= HOLE_NULS && z + 1 < content) {
        let cut = a;
        while (cut > start && buf[cut - 1] === 0) cut--;
        if (cut > start) this.options.onCutByHole?.(this.lineNo, z + 1 - start);
        return cut > start ? z + 1 : start;
      }
      z = a - 1 >= start ? buf.lastIndexOf(0, a - 1) : -1;
    }
    return start;
  }

  push(chunk: Buffer, visit: (rec: LineRecord) => void): void {
    // NULs are rare: a chunk without any (one memchr over it) needs no look for holes line by line.
    const mayHoldNul = chunk.indexOf(0) >= 0;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        if (!this.tooLong) {
          this.pending.push(chunk.subarray(start));
          this.pendingBytes += chunk.length - start;
          if (this.pendingBytes > this.max) {
            this.tooLong = true;
            this.pending = [];
          }
        } else this.pendingBytes += chunk.length - start;
        return;
      }
      const length = nl - start;
      if (this.tooLong || this.pendingBytes + length > this.max) {
        this.options.onTooLong?.(this.lineNo, this.pendingBytes + length);
      } else if (this.pending.length === 0) {
        visit({ line: this.lineNo, text: this.decode(chunk, start, nl, mayHoldNul) });
      } else {
        const joined = Buffer.concat([...this.pending, chunk.subarray(start, nl)]);
        visit({ line: this.lineNo, text: this.decode(joined, 0, joined.length, joined.indexOf(0) >= 0) });
      }
      this.pending = [];
      this.pendingBytes = 0;
      this.tooLong = false;
      this.lineNo++;
      this.max = this.rest;
      this.options.onLine?.(this.lineNo);
      start = nl + 1;
    }
  }

  /** The last line, when the input does not end with a line feed. */
  end(): LineRecord[] {
    if (this.tooLong) this.options.onTooLong?.(this.lineNo, this.pendingBytes);
    else if (this.pendingBytes > 0) {
      const joined = Buffer.concat(this.pending);
      return [{ line: this.lineNo, text: this.decode(joined, 0, joined.length, joined.indexOf(0) >= 0) }];
    }
    return [];
  }
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
      // No line can open more levels than it has characters, or than it has { and [ in it:
      // counting those with indexOf (native) spares a JavaScript loop over every character.
      if (text.length <= this.max || !hasMoreOpeners(text, this.max)) return false;
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

/** Whether `text` holds more than `max` of `{` and `[` together. */
function hasMoreOpeners(text: string, max: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at >= 0; at = text.indexOf('{', at + 1)) if (++count > max) return true;
  for (let at = text.indexOf('['); at >= 0; at = text.indexOf('[', at + 1)) if (++count > max) return true;
  return false;
}
