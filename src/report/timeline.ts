// Output of the `timeline` command: every event, clock-corrected and ordered, as a table, JSON Lines,
// CSV or Timesketch's JSONL import format (message, datetime, timestamp_desc plus fields).
import { writeToString } from '@fast-csv/format';
import { formatRef, type ForensicEvent } from '../model/event.js';
import { csvCell, stripTerminalControls } from './escape.js';
import { endpoint } from './table.js';

export const TIMELINE_FORMATS = ['table', 'jsonl', 'csv', 'timesketch'] as const;
export type TimelineFormat = (typeof TIMELINE_FORMATS)[number];

/**
 * The ISO texts of the last two seconds printed ("2026-03-02T00:00:00."): a timeline's neighbours
 * mostly share them, and a record with an end asks for two seconds in turn (one slot thrashed).
 */
const seconds = [NaN, NaN];
const secondTexts = ['', ''];
/** the slot asked last */
let lastSlot = 0;

/** new Date(ms).toISOString(), with the date and time up to the second formatted once per second. */
export function iso(ms: number): string;
export function iso(ms: number | undefined): string | undefined;
export function iso(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000) * 1000;
  let slot = seconds[0] === second ? 0 : seconds[1] === second ? 1 : -1;
  if (slot < 0) {
    // Years outside 0000–9999 have a longer form; such rare times are formatted whole.
    if (second < FIRST_YEAR_0000_MS || second > LAST_YEAR_9999_MS) return new Date(ms).toISOString();
    // the slot not asked last goes
    slot = 1 - lastSlot;
    seconds[slot] = second;
    secondTexts[slot] = secondPrefix(second);
  }
  lastSlot = slot;
  const milli = ms - second;
  return secondTexts[slot]! + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}

const FIRST_YEAR_0000_MS = -62167219200000;
const LAST_YEAR_9999_MS = 253402300799000;

/**
 * `new Date(ms).toISOString().slice(0, 20)` ("2026-03-02T00:00:00.") for a whole second of the years
 * 0000–9999, by arithmetic (days to a civil date, as in H. Hinnant's chrono algorithms): a Date and
 * its text for each new second were a twentieth of a timeline worker's time.
 */
function secondPrefix(second: number): string {
  const days = Math.floor(second / 86_400_000);
  const daySeconds = (second - days * 86_400_000) / 1000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(daySeconds / 3600), m = Math.floor((daySeconds % 3600) / 60), s = daySeconds % 60;
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(h)}:${two(m)}:${two(s)}.`;
}

const two = (n: number): string => (n < 10 ? '0' + n : String(n));

function summary(e: ForensicEvent): string {
  if (e.message) return e.message;
  if (e.kind === 'tool-call') return `${e.tool ?? 'tool'}: ${e.command ?? ''}`;
  if (e.kind === 'audit') return [e.operation, e.errorCode, e.actor].filter(Boolean).join(' ');
  return `${e.action ?? ''} ${e.proto ?? ''} ${endpoint(e.src)} -> ${endpoint(e.dst)}`.trim();
}

function flat(e: ForensicEvent): Record<string, string | number | undefined> {
  return {
    time: iso(e.timeMs), end: iso(e.endMs), kind: e.kind, source: e.source, format: e.format, ref: formatRef(e.ref),
    host: e.host, sandbox: e.sandbox, session: e.session, action: e.action, proto: e.proto,
    src_ip: e.src?.ip, src_port: e.src?.port, dst_ip: e.dst?.ip, dst_port: e.dst?.port, dst_domain: e.dst?.domain,
    operation: e.operation, actor: e.actor, error_code: e.errorCode,
    call_id: e.callId, tool: e.tool, command: e.command, exit_code: e.exitCode, time_precision: e.timePrecision,
    time_raw: e.timeRaw, message: summary(e),
  };
}

const TABLE_LINE = (e: ForensicEvent) => `${iso(e.timeMs)}  ${e.kind.padEnd(9)} ${e.format.padEnd(20)} ${stripTerminalControls(summary(e)).slice(0, 120)}  ${stripTerminalControls(formatRef(e.ref))}`;

function timesketch(e: ForensicEvent): Record<string, unknown> {
  return {
    message: summary(e),
    datetime: iso(e.timeMs),
    timestamp: e.timeMs * 1000,
    timestamp_desc: e.kind === 'tool-call' ? 'Tool Call Start' : e.endMs !== undefined ? 'Window Start' : 'Event Recorded',
    data_type: `agent_forensics:${e.format}`,
    // flat's absent values stay undefined: JSON.stringify leaves such keys out (and flat never
    // overrides a key above with undefined: its `message` is always text).
    ...flat(e),
  };
}

/** The formats written a line per event (CSV rows may hold line breaks: fast-csv writes them in batches). */
export type LineFormat = Exclude<TimelineFormat, 'csv'>;

/** One event's line in a format written a line per event, its line end included. */
export function lineFormatter(format: LineFormat): (e: ForensicEvent) => string {
  switch (format) {
    case 'jsonl': return (e) => JSON.stringify(flat(e)) + '\n';
    case 'timesketch': return (e) => JSON.stringify(timesketch(e)) + '\n';
    case 'table': return (e) => TABLE_LINE(e) + '\n';
  }
}

const CSV_HEADERS = Object.keys(flat({ kind: 'network', source: 'other', format: '', timeMs: 0, timeRaw: '', ref: { path: '' } }));

/** Text gathered before each write: a write per line cost more than formatting the line. */
const WRITE_CHARS = 1 << 20;

/**
 * One output line (or CSV row) per event, written as the ordered stream arrives, a mebibyte at a
 * time. JSON lines leave out absent values (JSON.stringify skips undefined properties).
 */
export async function writeTimeline(events: AsyncIterable<ForensicEvent>, format: TimelineFormat, write: (text: string) => Promise<void>): Promise<void> {
  await writeLines(format === 'csv' ? csvTexts(events) : linesOf(events, lineFormatter(format)), write);
}

async function* linesOf(events: AsyncIterable<ForensicEvent>, line: (e: ForensicEvent) => string): AsyncGenerator<string> {
  for await (const e of events) yield line(e);
}

/** The header, then the rows, given to fast-csv a batch at a time: a call per row cost more than the rest of the line. */
async function* csvTexts(events: AsyncIterable<ForensicEvent>): AsyncGenerator<string> {
  const csvRows = async (rows: unknown[][]) => writeToString(rows, { includeEndRowDelimiter: true });
  yield await csvRows([CSV_HEADERS]);
  let rows: unknown[][] = [];
  for await (const e of events) {
    rows.push(Object.values(flat(e)).map((v) => csvCell(v)));
    if (rows.length === CSV_ROWS_AT_ONCE) {
      yield await csvRows(rows);
      rows = [];
    }
  }
  if (rows.length > 0) yield await csvRows(rows);
}

const CSV_ROWS_AT_ONCE = 200;

/** Lines already formatted (lineFormatter), written a mebibyte at a time. */
export async function writeLines(lines: AsyncIterable<string | readonly string[]>, write: (text: string) => Promise<void>): Promise<void> {
  let pending = '';
  for await (const piece of lines) {
    // a batch of lines (the timeline's merge hands them on so) or one text
    pending += typeof piece === 'string' ? piece : piece.join('');
    if (pending.length >= WRITE_CHARS) {
      await write(pending);
      pending = '';
    }
  }
  if (pending !== '') await write(pending);
}
