// Syslog envelopes shared by the formats that travel over syslog (netfilter LOG, pf filterlog):
// RFC 3164, RFC 5424 and ISO-stamped headers with an optional <PRI>. The payload is the caller's.
import type { ForensicEvent } from '../../model/event.js';
import type { Head, LineReader, LineRecord, ParseContext } from '../format.js';
import { lineEvents, type LineOutcome } from './line-events.js';
import { isDigitCode } from './text.js';
import { parseIsoMs, parseSyslogDate, wallTimeToUtc, YearTracker } from './time.js';

export interface SyslogHeader {
  timeMs: number;
  /** the timestamp exactly as written (`Jun  8 14:34:33`, `2022-09-06T18:37:34+02:00`) */
  timeRaw: string;
  style: 'rfc3164' | 'rfc5424' | 'iso';
  pri?: number;
  host?: string;
  /** RFC 5424 APP-NAME / PROCID; for the other styles see splitTag() */
  app?: string;
  procId?: string;
  /** RFC 3164 / ISO: the text after the hostname (tag included); RFC 5424: MSG */
  rest: string;
}

/**
 * Places year-less RFC 3164 dates: the first one asks the context (`--year` or inference),
 * the ones after it follow with YearTracker so a log that crosses New Year moves on.
 */
export class SyslogClock {
  private tracker?: YearTracker;
  constructor(private readonly ctx: Pick<ParseContext, 'tz' | 'yearFor'>) {}

  get tz(): string {
    return this.ctx.tz;
  }

  yearFor(month: number, day: number): number {
    if (!this.tracker) this.tracker = new YearTracker(this.ctx.yearFor(month, day));
    return this.tracker.yearFor(month);
  }
}

/** A clock for probes: detection only needs to know that a date parses, not its year. */
export function probeClock(): SyslogClock {
  return new SyslogClock({ tz: 'UTC', yearFor: () => 2000 });
}

/** A syslog-borne format's line parser; `path` is '' when a probe calls it. */
export type SyslogLineParser = (text: string, clock: SyslogClock, path: string, line: number, lean?: boolean) => LineOutcome;

/** A probe for lines: `floor` plus up to 0.45 for the share of head lines the parser reads as events; 0 when none. */
export function probeSyslogLines(head: Head, parseLine: SyslogLineParser, floor: number): number {
  if (head.container !== 'lines' || head.lines.length === 0) return 0;
  const clock = probeClock();
  let good = 0;
  for (const l of head.lines) {
    const r = parseLine(l.text, clock, '', l.line);
    if (r && 'event' in r) good++;
  }
  if (good === 0) return 0;
  return floor + 0.45 * (good / head.lines.length);
}

/** The events of a syslog-borne input, one clock across its lines so year-less dates move on at New Year. */
export function syslogLineEvents(lines: AsyncIterable<LineRecord>, ctx: ParseContext, parseLine: SyslogLineParser): AsyncGenerator<ForensicEvent> {
  return lineEvents(lines, ctx, syslogLineReader(ctx, parseLine));
}

/** The line reader of a syslog-borne input: one clock across its lines (see syslogLineEvents). */
export function syslogLineReader(ctx: ParseContext, parseLine: SyslogLineParser): LineReader {
  const clock = new SyslogClock(ctx);
  // A format with fieldKeys is read lean only when no rule reads any of its keys: it drops them all.
  return (rec, lean) => parseLine(rec.text, clock, ctx.path, rec.line, lean !== undefined);
}


/** Reads the syslog header at the start of `text`; undefined when there is none or its time does not parse. */
export function parseSyslogHeader(text: string, clock: SyslogClock): SyslogHeader | undefined {
  let i = 0;
  let pri: number | undefined;
  if (text.charCodeAt(0) === 60 /* < */) {
    const close = text.indexOf('>');
    if (close < 2 || close > 4) return undefined;
    const p = Number(text.slice(1, close));
    if (!Number.isInteger(p) || p > 191) return undefined;
    pri = p;
    i = close + 1;
    // RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
    if (isDigitCode(text.charCodeAt(i)) && text[i + 1] === ' ' && isDigitCode(text.charCodeAt(i + 2))) return rfc5424(text, i + 2, pri);
  }
  const c = text.charCodeAt(i);
  if (isDigitCode(c)) {
    const end = text.indexOf(' ', i);
    if (end < 0) return undefined;
    const timeRaw = text.slice(i, end);
    const timeMs = parseIsoMs(timeRaw, clock.tz);
    if (Number.isNaN(timeMs)) return undefined;
    return withHost(text, end + 1, { timeMs, timeRaw, style: 'iso', pri });
  }
  const d = parseSyslogDate(text, i);
  if (!d) return undefined;
  const timeRaw = text.slice(i, i + d.length);
  const year = clock.yearFor(d.month, d.day);
  const timeMs = wallTimeToUtc(year, d.month, d.day, d.h, d.m, d.s, 0, clock.tz);
  let at = i + d.length;
  if (text[at] !== ' ') return undefined;
  at++;
  return withHost(text, at, { timeMs, timeRaw, style: 'rfc3164', pri });
}

/** RFC 3164 / ISO: the token after the time is the hostname unless it is already the tag or the payload. */
function withHost(text: string, at: number, base: Omit<SyslogHeader, 'rest'>): SyslogHeader {
  while (text[at] === ' ') at++;
  const end = text.indexOf(' ', at);
  const token = end < 0 ? text.slice(at) : text.slice(at, end);
  // `Jan  8 03:37:09 DENY: IN=...` or `... [UFW BLOCK] IN=...`: no hostname was written.
  // Object literals rather than spreads: this runs for every syslog line.
  if (token === '' || token.endsWith(':') || token.startsWith('[') || token.includes('=')) {
    return { timeMs: base.timeMs, timeRaw: base.timeRaw, style: base.style, pri: base.pri, rest: text.slice(at) };
  }
  return { timeMs: base.timeMs, timeRaw: base.timeRaw, style: base.style, pri: base.pri, host: token, rest: end < 0 ? '' : text.slice(end + 1) };
}

function rfc5424(text: string, at: number, pri: number): SyslogHeader | undefined {
  const parts: string[] = [];
  let i = at;
  for (let n = 0; n < 5; n++) {
    const end = text.indexOf(' ', i);
    if (end < 0) return undefined;
    parts.push(text.slice(i, end));
    i = end + 1;
  }
  const [timeRaw, host, app, procId] = parts as [string, string, string, string, string];
  const timeMs = parseIsoMs(timeRaw);
  if (Number.isNaN(timeMs)) return undefined;
  // STRUCTURED-DATA: `-` or one or more `[id k="v" ...]` elements; `\]` and `\"` may appear in values.
  if (text[i] === '-') i++;
  else if (text[i] === '[') {
    while (text[i] === '[') {
      let inQuote = false;
      i++;
      for (; i < text.length; i++) {
        const ch = text[i];
        if (ch === '\\') i++;
        else if (ch === '"') inQuote = !inQuote;
        else if (ch === ']' && !inQuote) break;
      }
      if (i >= text.length) return undefined;
      i++;
    }
  } else return undefined;
  if (text[i] === ' ') i++;
  let rest = text.slice(i);
  if (rest.charCodeAt(0) === 0xfeff) rest = rest.slice(1);
  const nil = (v: string): string | undefined => (v === '-' ? undefined : v);
  return { timeMs, timeRaw, style: 'rfc5424', pri, host: nil(host), app: nil(app), procId: nil(procId), rest };
}

/** Splits an RFC 3164 tag (`kernel:`, `filterlog[1234]:`) off the text after the hostname. */
export function splitTag(rest: string): { app: string; procId?: string; msg: string } | undefined {
  const m = /^([^\s:[\]]+)(?:\[(\d+)\])?: ?/.exec(rest);
  if (!m) return undefined;
  return { app: m[1]!, procId: m[2], msg: rest.slice(m[0].length) };
}
