// One input from source to events: open, peek, detect, split, guard, parse. The pipeline and the
// tests use this same path, so what is tested is what runs. Every limit that refuses evidence is
// reported here as an issue with path and line, never applied silently.
import type { ForensicEvent } from '../model/event.js';
import { ISSUES_KEPT, type Issue } from '../model/issue.js';
import { buildHead, detectFormat, peek } from './detect.js';
import type { Head, InputFormat, LineReader, LineRecord, ParseContext, StatefulLineReader } from './format.js';
import { DEFAULT_MAX_JSON_DEPTH, effectiveMaxLineBytes, JsonDepthMeter, forEachLine, splitLines, type LineOptions } from './lines.js';
import { openInput, type InputSource, type ReadResult } from './read.js';
import { FORMATS } from './registry.js';

export interface ReadSettings {
  /** IANA zone for zone-less timestamps */
  tz: string;
  /** --year */
  year?: number;
  /** latest time known from other inputs, for year inference */
  referenceMs?: number;
  /** the longest line read (default 16 MiB); longer lines are skipped and reported */
  maxLineBytes?: number;
  /**
   * The longest line of a whole JSON document (default 256 MiB): a CloudTrail `Records` file or an
   * OTLP export is often one minified line, and parsers read such a document whole anyway.
   */
  maxDocumentBytes?: number;
  /** the deepest JSON nesting a record may have (default 256) */
  maxJsonDepth?: number;
  /** gzip: the most decompressed bytes per input (default 64 GiB) */
  maxDecompressedBytes?: number;
  /** gzip: the bomb guard's expansion ratio (default 200; 0 = off) */
  maxGzipRatio?: number;
  formats?: readonly InputFormat[];
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

export interface DetectedInput {
  source: InputSource;
  format?: InputFormat;
  head: Head;
  scores: { name: string; score: number }[];
  /** stdin cannot be read twice: its stream stays open here for the parse pass */
  kept?: { chunks: AsyncIterable<Buffer>; result: Promise<ReadResult> };
  /** the file is gzip (its size on disk says little of the work of reading it; see gzipContentBytes) */
  gzip?: boolean;
}

/** Reads just the head of an input and names its format (stdin is kept open for the parse pass). */
export async function detectInput(source: InputSource, settings: ReadSettings): Promise<DetectedInput> {
  const readsOnce = source.isStdin || source.isStream === true;
  // Detection wants the head only; hashing the rest would read every file twice.
  const opened = openInput(source, readsOnce ? settings : { ...settings, hashWhole: false });
  const peeked = await peek(opened.chunks);
  const head = buildHead(peeked.head, peeked.complete);
  const { format, scores } = detectFormat(head, settings.formats ?? FORMATS);
  if (readsOnce) return { source, format, head, scores, kept: { chunks: peeked.chunks, result: opened.result } };
  await drainQuietly(peeked.chunks, peeked.complete);
  // Settled once the read has stopped (it was cut short: no hash).
  const { gzip } = await opened.result;
  return { source, format, head, scores, ...(gzip ? { gzip } : {}) };
}

/**
 * The detection without what the probes looked at (up to 64 KiB of text, parsed lines and the
 * document): a run holds the detection of every input until it reads it, and an evidence folder of
 * CloudTrail's small delivery files has tens of thousands of them. The container stays.
 */
export function withoutProbeHead(detected: DetectedInput): DetectedInput {
  // parseInput reads one more thing from the head: whether it holds a line break (a first line
  // longer than the head may be a one-line document). A lone line break keeps that answer.
  const text = detected.head.text.includes('\n') ? '\n' : '';
  return { ...detected, head: { container: detected.head.container, text, lines: [], objects: [] }, scores: [] };
}

async function drainQuietly(chunks: AsyncIterable<Buffer>, complete: boolean): Promise<void> {
  // Stop the read early: returning from the iterator closes the file.
  const it = chunks[Symbol.asyncIterator]();
  if (complete) while (!(await it.next()).done);
  else await it.return?.();
}

export interface ParsedInput {
  events: AsyncIterable<ForensicEvent>;
  /**
   * The same events handed to `take` one by one as each line is read, for formats with a line
   * reader (the fast path of big line inputs: no async step per line); undefined otherwise.
   * `take` returns false to stop early. Consume either `events` or `each`, not both. `between`,
   * called after each chunk's lines, may return a promise to wait for before the next chunk is read
   * (a consumer that hands events on at its own pace).
   */
  each?: (take: (event: ForensicEvent) => boolean | void, lean?: LeanReading, between?: () => Promise<void> | undefined) => Promise<void>;
  /** the first ISSUES_KEPT problems, in reading order */
  issues: Issue[];
  /** how many problems there were in all (records skipped) */
  issueCount(): number;
  notes: string[];
  /** settles once `events` is consumed */
  read: Promise<ReadResult>;
  /** whether the input's dates needed a year from outside (ctx.yearFor was asked) */
  yearUsed(): boolean;
}

/**
 * each() with lean events (formats with fieldKeys or projectsFields): a record is read without
 * `message` and the `fields` keys not kept, and read again in full only when `needsFull` says so.
 */
export interface LeanReading {
  /** the `fields` keys lean events keep (for formats that project their fields) */
  keep: ReadonlySet<string>;
  needsFull(event: ForensicEvent): boolean;
}

/** The note of an input with lines that began with NUL bytes (no line number: a slice would give its own). */
export const NUL_PADDING_NOTE = 'some lines began with NUL bytes (the hole a crash or an interrupted write leaves in a log): they were read from the first character after them';

/** Parses a detected input as a stream of events; issues and notes fill in as it is consumed. */
export function parseInput(input: DetectedInput, format: InputFormat, settings: ReadSettings): ParsedInput {
  const kept: Issue[] = [];
  let issueCount = 0;
  const issues = {
    push(issue: Issue): void {
      issueCount++;
      if (kept.length < ISSUES_KEPT) kept.push(issue);
    },
  };
  const notes: string[] = [];
  const path = input.source.path;
  const opened = input.kept ?? openInput(input.source, settings);
  const isDocument = input.head.container === 'json';
  const documentLimit = effectiveMaxLineBytes(Math.max(settings.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES, settings.maxLineBytes ?? 0));
  const lineLimit = effectiveMaxLineBytes(settings.maxLineBytes);
  // A first line longer than the whole head may be a one-line document (a minified CloudTrail file).
  const firstMayBeDocument = isDocument || (input.head.container === 'jsonl' && !input.head.text.includes('\n'));
  let lineReached = 1;
  // Once a limit has cut a document short, the parser's complaints about the truncated text are
  // echoes of that one issue, not findings about the evidence.
  let documentCut = false;
  const lineOptions = {
    maxLineBytes: isDocument ? documentLimit : lineLimit,
    maxFirstLineBytes: firstMayBeDocument ? documentLimit : lineLimit,
    onLine: (line: number) => (lineReached = line),
    onNulPadding: () => {
      if (!notes.includes(NUL_PADDING_NOTE)) notes.push(NUL_PADDING_NOTE);
    },
    onCutByHole: (line: number, bytes: number) => {
      issues.push({ path, line, message: `a record cut short by a hole of NUL bytes (a crash while it was written): the line's first ${bytes} bytes were skipped and the record after the hole read` });
    },
    onTooLong: (line: number, bytes: number) => {
      if (documentCut) return;
      if (isDocument) documentCut = true;
      const whole = isDocument || (line === 1 && firstMayBeDocument);
      issues.push({ path, line, message: whole
        ? `line of ${bytes} bytes exceeds the document limit of ${documentLimit} bytes (--max-document-bytes); ${isDocument ? 'the JSON document was not read' : 'skipped'}`
        : `line of ${bytes} bytes exceeds the limit of ${lineLimit} bytes (--max-line-bytes); skipped` });
    },
  };
  const maxDepth = settings.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const onDeep = (line: number, max: number) => {
    if (isDocument) documentCut = true;
    issues.push({ path, line, message: `JSON nested deeper than ${max} levels (--max-json-depth); ${isDocument ? 'the rest of the document was not read' : 'skipped'}` });
  };
  let yearNoted = false;
  const ctx: ParseContext = {
    path,
    container: input.head.container,
    tz: settings.tz,
    yearFor: (month, day) => {
      const { year, why } = chooseYear(month, day, settings);
      if (!yearNoted) notes.push(`timestamps carry no year: ${why}`);
      yearNoted = true;
      return year;
    },
    skip: (where, message) => {
      if (!documentCut) issues.push({ path, ...where, message });
    },
    note: (message) => {
      if (!notes.includes(message)) notes.push(message);
    },
  };
  const readResult = opened.result.then((r) => {
    if (r.encoding) notes.push(`text is ${r.encoding.toUpperCase()} (by its byte-order mark); read as such`);
    return r.error ? { ...r, errorLine: r.errorLine ?? lineReached } : r;
  });
  const yearUsed = () => yearNoted;
  // Plain-text formats (syslog, TSV, flow logs) never parse JSON: only JSON inputs pay for the depth scan.
  const meter = input.head.container === 'lines' ? undefined : new JsonDepthMeter(maxDepth, !isDocument);
  // Generators are made lazily: nothing is read until `events` is iterated or `each` is called.
  const lines = splitLines(opened.chunks, lineOptions);
  const guarded = meter ? guardDepth(lines, meter, onDeep, () => documentCut) : lines;
  const events = datable(format.parse(guarded, ctx), ctx);
  const base = { events, issues: kept, issueCount: () => issueCount, notes, read: readResult, yearUsed };
  if (format.statefulReader && !format.lineReader && !isDocument) {
    const makeReader = format.statefulReader.bind(format);
    return { ...base, each: (take, _lean, between) => readStatefully(opened.chunks, lineOptions, makeReader(ctx), meter, onDeep, ctx, take, between) };
  }
  if (!format.lineReader || isDocument) return base;
  const reader = format.lineReader(ctx);
  const each = (take: (event: ForensicEvent) => boolean | void, lean?: LeanReading, between?: () => Promise<void> | undefined) => {
    const leanRead = lean && (format.fieldKeys || format.projectsFields) ? (rec: LineRecord) => reader(rec, lean.keep) : undefined;
    return forEachLine(opened.chunks, lineOptions, (rec) => {
      let event = readLine(rec, leanRead ?? reader, meter, onDeep, ctx);
      // The full reading of a line that gave a lean event gives the same event plus fields and message.
      if (event && leanRead && lean!.needsFull(event)) {
        const full = reader(rec);
        if (full && 'event' in full) event = full.event;
      }
      return event ? take(event) : undefined;
    }, between);
  };
  return { ...base, each };
}

/** each() of a format with a stateful reader: depth guard, the reader's events, the date guard; `take` may stop it. */
async function readStatefully(chunks: AsyncIterable<Buffer>, lineOptions: LineOptions, reader: StatefulLineReader, meter: JsonDepthMeter | undefined, onDeep: (line: number, max: number) => void, ctx: ParseContext, take: (event: ForensicEvent) => boolean | void, between?: () => Promise<void> | undefined): Promise<void> {
  let going = true;
  const hand = (events: readonly ForensicEvent[]): boolean => {
    for (const e of events) if (going && isDatableEvent(e, ctx) && take(e) === false) going = false;
    return going;
  };
  await forEachLine(chunks, lineOptions, (rec) => {
    if (meter?.exceeds(rec.text)) {
      onDeep(rec.line, meter.max);
      return true;
    }
    return hand(reader.line(rec));
  }, between);
  if (going) hand(reader.end());
}

/** The line-reader path for one line: depth guard, blank lines, the reader's outcome, the date guard. */
function readLine(rec: LineRecord, read: LineReader, meter: JsonDepthMeter | undefined, onDeep: (line: number, max: number) => void, ctx: ParseContext): ForensicEvent | undefined {
  if (meter?.exceeds(rec.text)) {
    onDeep(rec.line, meter.max);
    return undefined;
  }
  if (isBlank(rec.text)) return undefined;
  const r = read(rec);
  if (r === undefined) return undefined;
  if ('problem' in r) ctx.skip({ line: rec.line }, r.problem);
  else if (isDatableEvent(r.event, ctx)) return r.event;
  return undefined;
}

/** Same answer as `text.trim() === ''` without building the trimmed string. */
function isBlank(text: string): boolean {
  const first = text.charCodeAt(0);
  // Anything above space that is not a Unicode space ends the question at once.
  if (text.length === 0) return true;
  if (first > 32 && first !== 160 && first < 0x1680) return false;
  return text.trim() === '';
}

/** The most a JavaScript Date can hold either side of 1970 (±100 000 000 days). */
const MAX_DATE_MS = 8.64e15;

/**
 * Every later stage formats times as ISO 8601; a time past what a Date holds (year +275760, 1e20 ms)
 * would throw there. Such a record is a bad record of its input, skipped here with its place.
 */
async function* datable(events: AsyncIterable<ForensicEvent>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  for await (const e of events) if (isDatableEvent(e, ctx)) yield e;
}

/** True for an event every later stage can date; otherwise the record is reported skipped. */
function isDatableEvent(e: ForensicEvent, ctx: ParseContext): boolean {
  const bad = !isDatable(e.timeMs) ? e.timeMs : e.endMs !== undefined && !isDatable(e.endMs) ? e.endMs : undefined;
  if (bad === undefined) return true;
  const where = e.ref.line !== undefined ? { line: e.ref.line } : { index: e.ref.index };
  ctx.skip(where, `time ${JSON.stringify(e.timeRaw).slice(0, 60)} is outside the range of dates (${bad} ms)`);
  return false;
}

function isDatable(ms: number): boolean {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

/**
 * Keeps records nested deeper than `max` from the parser. A JSON lines record is skipped alone;
 * a document stops at the line where it went too deep (its parser then sees no more lines).
 */
async function* guardDepth(lines: AsyncIterable<LineRecord>, meter: JsonDepthMeter, onDeep: (line: number, max: number) => void, isCut: () => boolean): AsyncGenerator<LineRecord> {
  for await (const rec of lines) {
    if (isCut()) continue;
    if (meter.exceeds(rec.text)) {
      onDeep(rec.line, meter.max);
      continue;
    }
    yield rec;
  }
}

/** --year wins; else the year that puts the date at or before the other inputs' latest time. */
export function chooseYear(month: number, day: number, settings: ReadSettings): { year: number; why: string } {
  if (settings.year !== undefined) return { year: settings.year, why: `year ${settings.year} from --year` };
  if (settings.referenceMs !== undefined) {
    const ref = new Date(settings.referenceMs);
    let year = ref.getUTCFullYear();
    // A date more than a week after the reference belongs to the year before (logs precede analysis).
    if (Date.UTC(year, month - 1, day) > settings.referenceMs + 7 * 86_400_000) year--;
    return { year, why: `year ${year} inferred from the other inputs (latest ${ref.toISOString()}); set --year to override` };
  }
  const year = new Date().getUTCFullYear();
  return { year, why: `no other input dates them: assumed the current year ${year}; set --year for a reproducible report` };
}

/** Everything at once, for small inputs and tests: detect, parse, collect. */
export async function readWhole(source: InputSource, settings: ReadSettings): Promise<{ detected: DetectedInput; events: ForensicEvent[]; issues: Issue[]; notes: string[]; read?: ReadResult }> {
  const detected = await detectInput(source, settings);
  if (!detected.format) return { detected, events: [], issues: [], notes: [] };
  const parsed = parseInput(detected, detected.format, settings);
  const events: ForensicEvent[] = [];
  for await (const e of parsed.events) events.push(e);
  return { detected, events, issues: parsed.issues, notes: parsed.notes, read: await parsed.read };
}
