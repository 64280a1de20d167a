// Format detection in two levels, as Plaso does: the container first (lines / JSON lines / one
// JSON document), then every registered format's probe on the same cached head. "Unknown" is a result.
import type { Container, Head, InputFormat, LineRecord } from './format.js';
import { HOLE_NULS } from './lines.js';

export const HEAD_BYTES = 64 * 1024;
/** JSON documents up to this size are parsed whole so probes can check real fields */
export const DOCUMENT_PROBE_BYTES = 16 * 1024 * 1024;
const HEAD_LINES = 50;

export interface Peeked {
  head: Buffer;
  /** true when `head` is the whole input */
  complete: boolean;
  /** all the input's chunks, the peeked ones included */
  chunks: AsyncIterable<Buffer>;
}

/** Complete lines the head should hold, however long they are (up to DOCUMENT_PROBE_BYTES). */
const HEAD_MIN_COMPLETE_LINES = 2;

/**
 * Buffers the first `minBytes` (or more: a JSON document, or a first line longer than that, such as
 * a transcript record carrying a whole file) and replays them before the rest.
 */
export async function peek(chunks: AsyncIterable<Buffer>, minBytes = HEAD_BYTES): Promise<Peeked> {
  const it = chunks[Symbol.asyncIterator]();
  const buffered: Buffer[] = [];
  let size = 0;
  let done = false;
  let limit = minBytes;
  let newlines = 0;
  const wantsMore = () => size < limit || (newlines < HEAD_MIN_COMPLETE_LINES && size < DOCUMENT_PROBE_BYTES);
  while (wantsMore()) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    buffered.push(next.value);
    size += next.value.length;
    for (let i = next.value.indexOf(10); i >= 0 && newlines < HEAD_MIN_COMPLETE_LINES; i = next.value.indexOf(10, i + 1)) newlines++;
    if (limit === minBytes && size >= minBytes && looksLikeDocument(Buffer.concat(buffered))) limit = DOCUMENT_PROBE_BYTES;
  }
  const head = Buffer.concat(buffered);
  return { head, complete: done, chunks: replay(head, it, done) };
}

/**
 * The head, then the rest of `rest`. Not a generator: one stopped before its first step (detection
 * that has seen enough) would not pass the stop on, and the file under it would stay open.
 */
function replay(head: Buffer, rest: AsyncIterator<Buffer>, restDone: boolean): AsyncIterableIterator<Buffer> {
  let headGiven = head.length === 0;
  let finished = restDone;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<Buffer>> {
      if (!headGiven) {
        headGiven = true;
        return { value: head, done: false };
      }
      if (finished) return { value: undefined, done: true };
      const next = await rest.next();
      if (next.done) finished = true;
      return next;
    },
    async return(): Promise<IteratorResult<Buffer>> {
      headGiven = true;
      if (!finished) {
        finished = true;
        await rest.return?.();
      }
      return { value: undefined, done: true };
    },
  };
}

function looksLikeDocument(buf: Buffer): boolean {
  const text = buf.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{') && !text.startsWith('[')) return false;
  const firstLine = text.split('\n', 1)[0]!.trim();
  return !parsesAsJson(firstLine);
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A line's text up to the end of its last run of HOLE_NULS or more NULs with a record after it. */
const HOLE_BEFORE_RECORD = new RegExp(`^[^]*\\0{${HOLE_NULS},}(?=[^\\0])`);

/** Builds the head that probes look at from the first bytes of an input. */
export function buildHead(bytes: Buffer, complete: boolean): Head {
  // 64 KiB, or further when the first lines are longer than that (up to what peek buffered).
  let end = HEAD_BYTES;
  for (let i = 0, nl = -1; i < HEAD_MIN_COMPLETE_LINES; i++) {
    nl = bytes.indexOf(10, nl + 1);
    if (nl < 0) break;
    end = Math.max(end, nl + 1);
  }
  let text = bytes.subarray(0, end).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Drop a last line cut off by the head limit, unless the head is the whole input.
  const raw = text.split('\n');
  if (!complete && bytes.length > end && raw.length > 1) raw.pop();
  const lines: LineRecord[] = [];
  for (let i = 0; i < raw.length && lines.length < HEAD_LINES; i++) {
    // As the line splitter reads them: without a trailing CR, from the end of a hole of NULs a record
    // follows (HOLE_NULS), and without the NULs a line begins with.
    const t = raw[i]!.replace(/\r$/, '').replace(HOLE_BEFORE_RECORD, '').replace(/^\0+(?=.)/s, '');
    if (t.trim() !== '') lines.push({ line: i + 1, text: t });
  }
  const container = detectContainer(lines, bytes, complete);
  const head: Head = { container, text, lines, objects: [] };
  if (container === 'jsonl') {
    for (const l of lines) {
      try {
        const v = JSON.parse(l.text);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) head.objects.push(v);
      } catch {
        /* a broken line in a JSON lines file is the parser's to report */
      }
    }
  } else if (container === 'json' && (complete || bytes.length <= DOCUMENT_PROBE_BYTES)) {
    try {
      head.document = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
    } catch {
      /* not a complete document within the probe size: probes look at the text */
    }
  }
  return head;
}

function detectContainer(lines: LineRecord[], bytes: Buffer, complete: boolean): Container {
  const first = lines[0]?.text.trim() ?? '';
  if (first.startsWith('{')) {
    if (parsesAsJson(first)) return 'jsonl';
    // A damaged first record (a log cut by `tail -c`, a rotated or half-copied file, a slice of a
    // file whose line there is broken) in front of JSON lines: the parser skips it and reports it.
    if (jsonLinesFollow(lines)) return 'jsonl';
    // One line longer than the head: JSON lines unless the document is pretty-printed.
    return lines.length === 1 && !complete && bytes.length >= HEAD_BYTES ? 'jsonl' : 'json';
  }
  if (first.startsWith('[')) {
    if (first === '[' || /^\[\s*\{/.test(first) || parsesAsJson(first)) return 'json';
  }
  // JSON lines starting in the middle of a record.
  return jsonLinesFollow(lines) ? 'jsonl' : 'lines';
}

/**
 * Whether the head's lines after the first are JSON lines: at least two of them, and most, are a
 * JSON object alone. A pretty-printed document has no such lines (its objects span lines, and an
 * array's one-line items end in commas).
 */
function jsonLinesFollow(lines: LineRecord[]): boolean {
  const rest = lines.slice(1);
  let objects = 0;
  for (const l of rest) if (isJsonObjectLine(l.text.trim())) objects++;
  return objects >= 2 && objects * 2 > rest.length;
}

function isJsonObjectLine(text: string): boolean {
  if (!text.startsWith('{') || !text.endsWith('}')) return false;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

export interface Detection {
  format?: InputFormat;
  /** every format with a non-zero score, best first, for `--explain`-style diagnostics */
  scores: { name: string; score: number }[];
}

/** Asks every format's probe; the highest score wins, ties go to the earlier registry entry. */
export function detectFormat(head: Head, formats: readonly InputFormat[]): Detection {
  const scores: { name: string; score: number; format: InputFormat; order: number }[] = [];
  formats.forEach((format, order) => {
    let score = 0;
    try {
      score = format.probe(head);
    } catch {
      score = 0; // a probe that trips on odd input simply does not claim it
    }
    if (score > 0) scores.push({ name: format.name, score, format, order });
  });
  scores.sort((a, b) => b.score - a.score || a.order - b.order);
  return { format: scores[0]?.format, scores: scores.map(({ name, score }) => ({ name, score })) };
}
