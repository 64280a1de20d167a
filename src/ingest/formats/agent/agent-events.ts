// agent-events/1: the project's own JSON Lines format for the tool calls of any agent (spec: docs/agent-events.md).
// Merges tool_result lines into their tool_call and applies session defaults; validation failures are skips.
import type { ForensicEvent } from '../../../model/event.js';
import { readStateful, type Head, type InputFormat, type LineRecord, type ParseContext, type StatefulLineReader } from '../../format.js';
import { isObject, parseJsonLine, type JsonObject } from '../../shared/json.js';
import { PendingCalls } from '../../shared/pending-calls.js';
import { parseIsoMs } from '../../shared/time.js';
import { joinArgv } from '../../shared/text.js';

const NAME = 'agent-events';
const VERSION = 'agent-events/1';
const OUTPUT_CHARS = 2000;
const INPUT_CHARS = 4000;
/** Below this an epoch number is seconds (or before 1973), not the milliseconds the spec asks for. */
const MIN_EPOCH_MS = 100_000_000_000;
const TYPES = new Set(['session', 'tool_call', 'tool_result']);
const DEFAULT_KEYS = ['host', 'sandbox', 'container', 'cwd', 'model'] as const;

type Defaults = Partial<Record<(typeof DEFAULT_KEYS)[number], string>>;

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  let good = 0, bad = 0;
  for (const o of head.objects) {
    if (isObject(o) && o.v === VERSION) good++;
    else bad++;
  }
  // the version key is the contract: a few damaged lines are tolerated, a mixed file is not ours
  return good === 0 || bad * 4 > good ? 0 : 1;
}

/** A time per the spec, or an error message. */
function readTime(v: unknown, name: string): { ms: number; raw: string } | string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < MIN_EPOCH_MS) return `${name} ${v} is not epoch milliseconds`;
    return { ms: Math.floor(v), raw: String(v) };
  }
  if (typeof v !== 'string') return `${name} is missing`;
  if (!/(?:[Zz]|[+-]\d\d:?\d\d)$/.test(v.trim())) return `${name} ${JSON.stringify(v).slice(0, 60)} has no zone`;
  const ms = parseIsoMs(v);
  return Number.isNaN(ms) ? `${name} ${JSON.stringify(v).slice(0, 60)} is not an ISO 8601 time` : { ms, raw: v };
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

/** Checks the optional fields both line types share; returns an error message or undefined. */
function checkCommon(o: JsonObject): string | undefined {
  if (o.exit_code !== undefined && !Number.isInteger(o.exit_code)) return 'exit_code is not an integer';
  if (o.output !== undefined && typeof o.output !== 'string') return 'output is not a string';
  return undefined;
}

function callEvent(o: JsonObject, rec: LineRecord, start: { ms: number; raw: string }, defaults: Defaults | undefined, ctx: ParseContext): ForensicEvent {
  let command: string | undefined;
  if (typeof o.command === 'string') command = o.command;
  else if (Array.isArray(o.argv)) command = joinArgv(o.argv);
  else if (o.input !== undefined) {
    const json = JSON.stringify(o.input);
    command = json.length > INPUT_CHARS ? json.slice(0, INPUT_CHARS) : json;
  }
  const tool = typeof o.tool === 'string' ? o.tool : undefined;
  const fields: Record<string, unknown> = {};
  // Each key read by name: a key chosen at run time is a slow lookup, paid five times a call.
  const cwd = orDefault(o.cwd, defaults?.cwd), model = orDefault(o.model, defaults?.model);
  if (cwd) fields.cwd = cwd;
  if (model) fields.model = model;
  const summary = `${tool ?? 'call'}: ${oneLine(command ?? '')}`;
  const ev: ForensicEvent = {
    kind: 'tool-call',
    source: 'agent',
    format: NAME,
    timeMs: start.ms,
    timeRaw: start.raw,
    ref: { path: ctx.path, line: rec.line },
    session: o.session as string,
    callId: o.call_id as string,
    tool,
    command,
    timePrecision: 'response',
    message: summary.length > 200 ? `${summary.slice(0, 199)}…` : summary,
    fields,
  };
  const host = orDefault(o.host, defaults?.host), sandbox = orDefault(o.sandbox, defaults?.sandbox), container = orDefault(o.container, defaults?.container);
  if (host) ev.host = host;
  if (sandbox) ev.sandbox = sandbox;
  if (container) ev.container = container;
  return ev;
}

/** A line's own value when it is a non-empty string, else the session's default. */
function orDefault(own: unknown, fallback: string | undefined): string | undefined {
  return nonEmpty(own) ? own : fallback;
}

const WHITESPACE_RUN = /\s+/g;

/**
 * `text.replace(/\s+/g, ' ')`. Most commands hold no whitespace but single spaces, which the
 * replacement leaves as they are: those are returned without running the regex.
 */
export function oneLine(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 ? text.charCodeAt(i + 1) === 32 : c >= 0xa0 || (c >= 9 && c <= 13)) return text.replace(WHITESPACE_RUN, ' ');
  }
  return text;
}

/** Applies end / exit_code / output; returns an error message when the end precedes the start. */
function applyResult(ev: ForensicEvent, o: JsonObject): string | undefined {
  if (o.end !== undefined) {
    const end = readTime(o.end, 'end');
    if (typeof end === 'string') return end;
    if (end.ms < ev.timeMs) return `end ${end.raw} is before the call's start ${ev.timeRaw}`;
    ev.endMs = end.ms;
    ev.timePrecision = 'exact';
  }
  if (typeof o.exit_code === 'number') ev.exitCode = o.exit_code;
  if (typeof o.output === 'string') ev.fields!.output = o.output.length > OUTPUT_CHARS ? o.output.slice(0, OUTPUT_CHARS) : o.output;
  return undefined;
}

/** The reader of one input: session defaults and calls waiting for their result carry from line to line. */
function statefulReader(ctx: ParseContext): StatefulLineReader {
  const sessions = new Map<string, Defaults>();
  // Calls in line order; one leaves once it has its result (or at the end), so output stays in start order.
  const pending = new PendingCalls();
  return {
    line: (rec) => {
      if (rec.text.trim() === '') return NONE;
      const o = parseJsonLine(rec, ctx);
      if (!o) return NONE;
      const outcome = readRecord(o, rec, sessions, pending, ctx);
      if (typeof outcome === 'string') ctx.skip({ line: rec.line }, outcome);
      else if (outcome) return [outcome];
      return pending.hasReady() ? pending.flush(false) : NONE;
    },
    end: () => pending.flush(true),
  };
}

const NONE: readonly ForensicEvent[] = Object.freeze([]);

/**
 * Takes one record into the sessions and pending calls; returns why it is skipped, if it is, or a
 * call that leaves at once (it has its end and no call waits before it: what flush would hand back).
 */
function readRecord(o: JsonObject, rec: LineRecord, sessions: Map<string, Defaults>, pending: PendingCalls, ctx: ParseContext): string | ForensicEvent | undefined {
  if (o.v !== VERSION) return o.v === undefined ? 'no "v": "agent-events/1"' : `unsupported version ${JSON.stringify(o.v).slice(0, 40)}`;
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) return `unknown type ${JSON.stringify(o.type ?? null).slice(0, 40)}`;
  if (!nonEmpty(o.session)) return 'session is missing or not a non-empty string';
  if (o.type === 'session') {
    // A bad time in a session line is reported; the line still sets its defaults.
    for (const name of ['start', 'end'] as const) {
      const t = o[name] === undefined ? undefined : readTime(o[name], name);
      if (typeof t === 'string') ctx.skip({ line: rec.line }, t);
    }
    const defaults: Defaults = {};
    for (const key of DEFAULT_KEYS) if (nonEmpty(o[key])) defaults[key] = o[key] as string;
    sessions.set(o.session, defaults);
    return undefined;
  }
  if (!nonEmpty(o.call_id)) return 'call_id is missing or not a non-empty string';
  const common = checkCommon(o);
  if (common) return common;
  const key = () => `${o.session}\u0000${o.call_id}`;
  if (o.type === 'tool_call') {
    const start = readTime(o.start, 'start');
    if (typeof start === 'string') return start;
    if (o.command !== undefined && typeof o.command !== 'string') return 'command is not a string';
    if (o.argv !== undefined && !Array.isArray(o.argv)) return 'argv is not an array';
    if (!pending.empty && pending.has(key())) return `call_id ${JSON.stringify(o.call_id).slice(0, 60)} repeats an open call of session ${JSON.stringify(o.session).slice(0, 60)}`;
    const ev = callEvent(o, rec, start, sessions.get(o.session), ctx);
    const err = applyResult(ev, o);
    if (err) return err;
    if (ev.endMs !== undefined && pending.empty) return ev;
    pending.add(key(), ev, ev.endMs !== undefined);
    return undefined;
  }
  const p = pending.get(key());
  if (!p) return `tool_result for call ${JSON.stringify(o.call_id).slice(0, 60)} with no earlier tool_call in session ${JSON.stringify(o.session).slice(0, 60)}`;
  if (p.done) return `second result for call ${JSON.stringify(o.call_id).slice(0, 60)}`;
  const err = applyResult(p.event, o);
  if (err) return err;
  p.done = true;
  return undefined;
}

function parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  return readStateful(lines, statefulReader(ctx));
}

export const agentEventsFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: "agent-forensics' own JSON Lines format for the tool calls of any agent (docs/agent-events.md)",
  notes:
    'Detected by `"v": "agent-events/1"` on every line. tool_call lines give session, call_id, start (ISO 8601 with a ' +
    'zone, or epoch milliseconds) and optionally end, tool, command/argv/input, exit_code, output, host, sandbox, ' +
    'container, cwd; a later tool_result line (same session and call_id) adds end, exit_code and output, and the ' +
    'event keeps the tool_call line as its ref. session lines set host/sandbox/container/cwd/model defaults for the ' +
    'calls after them. Precision exact when start and end are known, else response (the instant start). ' +
    'Lines missing required fields, with unreadable or zone-less times, or with an end before the start are skips.',
  probe,
  parse,
  statefulReader,
};
