// One input from source to events: open, peek, detect, split, parse. The pipeline and the
// tests use this same path, so what is tested is what runs.
import type { ForensicEvent } from '../model/event.js';
import type { Issue } from '../model/issue.js';
import { buildHead, detectFormat, peek } from './detect.js';
import type { Head, InputFormat, LineRecord, ParseContext } from './format.js';
import { splitLines } from './lines.js';
import { openInput, type InputSource, type ReadResult } from './read.js';
import { FORMATS } from './registry.js';

export interface ReadSettings {
  /** IANA zone for zone-less timestamps */
  tz: string;
  /** --year */
  year?: number;
  /** latest time known from other inputs, for year inference */
  referenceMs?: number;
  maxLineBytes?: number;
  maxDecompressedBytes?: number;
  formats?: readonly InputFormat[];
}

export interface DetectedInput {
  source: InputSource;
  format?: InputFormat;
  head: Head;
  scores: { name: string; score: number }[];
  /** stdin cannot be read twice: its stream stays open here for the parse pass */
  kept?: { chunks: AsyncIterable<Buffer>; result: Promise<ReadResult> };
}

/** Reads just the head of an input and names its format (stdin is kept open for the parse pass). */
export async function detectInput(source: InputSource, settings: ReadSettings): Promise<DetectedInput> {
  const opened = openInput(source, settings);
  const peeked = await peek(opened.chunks);
  const head = buildHead(peeked.head, peeked.complete);
  const { format, scores } = detectFormat(head, settings.formats ?? FORMATS);
  if (source.isStdin) return { source, format, head, scores, kept: { chunks: peeked.chunks, result: opened.result } };
  await drainQuietly(peeked.chunks, peeked.complete);
  return { source, format, head, scores };
}

async function drainQuietly(chunks: AsyncIterable<Buffer>, complete: boolean): Promise<void> {
  // Stop the read early: returning from the iterator closes the file.
  const it = chunks[Symbol.asyncIterator]();
  if (complete) while (!(await it.next()).done);
  else await it.return?.();
}

export interface ParsedInput {
  events: AsyncIterable<ForensicEvent>;
  issues: Issue[];
  notes: string[];
  /** settles once `events` is consumed */
  read: Promise<ReadResult>;
}

/** Parses a detected input as a stream of events; issues and notes fill in as it is consumed. */
export function parseInput(input: DetectedInput, format: InputFormat, settings: ReadSettings): ParsedInput {
  const issues: Issue[] = [];
  const notes: string[] = [];
  const path = input.source.path;
  const { chunks: stream, result: read } = input.kept ?? openInput(input.source, settings);
  const lines: AsyncIterable<LineRecord> = splitLines(stream, {
    maxLineBytes: settings.maxLineBytes,
    onTooLong: (line, bytes) => issues.push({ path, line, message: `line of ${bytes} bytes exceeds the limit of ${settings.maxLineBytes ?? 16 * 1024 * 1024} bytes; skipped` }),
  });
  let yearNoted = false;
  const ctx: ParseContext = {
    path,
    tz: settings.tz,
    yearFor: (month, day) => {
      const { year, why } = chooseYear(month, day, settings);
      if (!yearNoted) notes.push(`timestamps carry no year: ${why}`);
      yearNoted = true;
      return year;
    },
    skip: (where, message) => issues.push({ path, ...where, message }),
    note: (message) => {
      if (!notes.includes(message)) notes.push(message);
    },
  };
  return { events: format.parse(lines, ctx), issues, notes, read };
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
