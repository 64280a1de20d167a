// The shape every input format file exports. One file per contract format name, listed in registry.ts.
import type { ForensicEvent, SourceKind } from '../model/event.js';

/** How the bytes of an input are laid out, decided once before any format is asked. */
export type Container = 'lines' | 'jsonl' | 'json';

/** One line of an input, 1-based, without its line terminator (CR, LF, BOM removed). */
export interface LineRecord {
  line: number;
  text: string;
}

/** What detection knows about an input before parsing: its first bytes, seen once. */
export interface Head {
  container: Container;
  /** the decoded text of the first bytes (up to 64 KiB) */
  text: string;
  /** the first non-empty lines of `text` (at most 50), with their line numbers */
  lines: LineRecord[];
  /** jsonl: the parsed objects of those lines that parse (in order) */
  objects: unknown[];
  /** json: the parsed document, when the whole input is small enough to parse for detection */
  document?: unknown;
}

export interface ParseContext {
  /** the path as it is reported in refs */
  path: string;
  /**
   * How detection found the input laid out. Formats that read either JSON lines or one document
   * read JSON lines when it says 'jsonl', even when the first line is damaged; absent (a caller
   * with no detection), they decide by whether the first line parses alone.
   */
  container?: Container;
  /** IANA zone for timestamps that carry no zone */
  tz: string;
  /**
   * The year of a year-less date (RFC 3164 syslog) that opens an input: `--year` when given,
   * else inferred from the other inputs' time range (and stated in the report). Use
   * YearTracker for the dates after it, so a log that crosses New Year moves on.
   */
  yearFor(month: number, day: number): number;
  /** a record that cannot be used: counted into `skipped` and listed in `errors` */
  skip(where: { line?: number; index?: number }, message: string): void;
  /** an assumption the parser made that the report should state (e.g. an inferred year) */
  note(message: string): void;
}

export interface InputFormat {
  /** the contract's detection name */
  name: string;
  source: SourceKind;
  /** what it reads, one sentence, for `agent-forensics formats` */
  description: string;
  /** how it is recognized and what its times mean (zone, interval, precision) */
  notes: string;
  /**
   * How sure this format is that the head is its own: 0 = not mine, 1 = certain.
   * A probe should parse a real field of the format, not just see a keyword.
   */
  probe(head: Head): number;
  /** Turns the input's lines into events; bad records go to ctx.skip, never thrown. */
  parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncIterable<ForensicEvent>;
  /**
   * Its dates may carry no year (RFC 3164 syslog): such an input is read after the transcripts,
   * whose times date it (ctx.yearFor). Inputs of other formats never ask and are read at once.
   */
  yearless?: boolean;
  /**
   * Formats whose every record is one line, read without looking at other lines, also give their
   * line reader: big inputs are then parsed a chunk of lines at a time, with no per-line async step.
   * `parse` must give the same events as this reader (lineEvents(lines, ctx, lineReader(ctx))).
   */
  lineReader?(ctx: ParseContext): LineReader;
  /**
   * Formats whose records are lines that need the lines before them (a transcript pairs a call with
   * its result line; session lines set defaults), or whose lines may hold several records (a CloudTrail
   * `Records` file on one line), give a reader that keeps that state and gives a line's events as a
   * list: big inputs are then parsed a chunk of lines at a time, with no per-line async step. `parse` must give the
   * same events (the format can build it on this reader: see readStateful).
   */
  statefulReader?(ctx: ParseContext): StatefulLineReader;
  /**
   * Every key its events' `fields` can hold, when the format knows them all. Rules that test other
   * keys are answered for its events without evaluating them (src/scan.ts), and a line reader that
   * has a lean mode (asked for a lean event, it leaves out `fields` and `message` and nothing else)
   * is used lean when no rule reads these keys or `message`: records no rule marks are then only
   * counted and dated, and a marked one is read again in full.
   */
  fieldKeys?: readonly string[];
  /**
   * The format copies a record's own keys into `fields` (any keys: no fieldKeys list), and its line
   * reader has a lean mode that leaves out `message` and every `fields` key not asked for. Used lean
   * when the rules read `fields` only by key: unmarked records then carry just those keys.
   */
  projectsFields?: boolean;
}

/** One line's outcome: its event, why it cannot be used, or undefined for a line that is no record (another program's). */
export type LineOutcome = { event: ForensicEvent } | { problem: string } | undefined;

/**
 * `lean`: the `fields` keys a lean event must still carry; the format may leave out `message` and
 * every other key (see InputFormat.fieldKeys and projectsFields). Absent: the full event.
 */
export type LineReader = (rec: LineRecord, lean?: ReadonlySet<string>) => LineOutcome;

/** A line reader with memory (InputFormat.statefulReader); problems go to ctx.skip. */
export interface StatefulLineReader {
  /** the events this line completes, in order (none, its own, or earlier ones it releases) */
  line(rec: LineRecord): readonly ForensicEvent[];
  /** the events still held when the input ends */
  end(): readonly ForensicEvent[];
}

/** `parse` for a format with a stateful reader: the same events, from async lines. */
export async function* readStateful(lines: AsyncIterable<LineRecord>, reader: StatefulLineReader): AsyncGenerator<ForensicEvent> {
  for await (const rec of lines) yield* reader.line(rec);
  yield* reader.end();
}
