// OpenAI Chat Completions transcripts: responses, requests (messages), request/response pairs or message
// lists, as one JSON document or JSON lines. Each assistant `tool_calls` entry is one tool call.
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { jsonLinesOrDocument } from '../../shared/json-input.js';
import { parseEpochSeconds, parseIsoMs } from '../../shared/time.js';
import { truncate, summary, commandFromArguments } from '../../shared/text.js';

const NAME = 'openai-chat';
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
/** ROCK's model proxy writes completions with this placeholder id; those files are the `rock` format's. */
const ROCK_ID = 'chat-';
const SESSION_KEYS = ['conversation_id', 'session_id', 'thread_id'] as const;

type Kind = 'completion' | 'request' | 'pair' | 'message';

function isCompletion(v: unknown): boolean {
  if (!isObject(v) || !Array.isArray(v.choices) || v.choices.length === 0) return false;
  if (v.object !== undefined && v.object !== 'chat.completion') return false;
  const c = v.choices[0];
  return isObject(c) && isObject(c.message) && typeof v.created === 'number';
}

function isMessage(v: unknown): boolean {
  if (!isObject(v) || typeof v.role !== 'string' || !ROLES.has(v.role)) return false;
  if (!('content' in v) && !Array.isArray(v.tool_calls)) return false;
  // Anthropic Messages use content blocks of type tool_use / tool_result: not this format.
  if (Array.isArray(v.content) && v.content.some((b) => isObject(b) && (b.type === 'tool_use' || b.type === 'tool_result'))) return false;
  return true;
}

function isRequest(v: unknown): boolean {
  if (!isObject(v) || !Array.isArray(v.messages) || v.messages.length === 0) return false;
  // Inspect samples also hold `messages`; they carry an epoch and events.
  if ('epoch' in v || 'events' in v || 'eval' in v) return false;
  return v.messages.slice(0, 10).every(isMessage);
}

/** Wrappers of ROCK's model proxy (recorder, trace) and of litellm's logger are other formats' records. */
function isForeignWrapper(v: JsonObject): boolean {
  return (typeof v.start_time === 'number' && typeof v.end_time === 'number') || typeof v.trace_id === 'string' || typeof v.agent_type === 'string' || typeof v.call_type === 'string';
}

function kindOf(v: unknown): Kind | undefined {
  if (!isObject(v) || isForeignWrapper(v)) return undefined;
  if (isCompletion(v)) return 'completion';
  if (isRequest(v)) return 'request';
  if (isObject(v) && (isCompletion(v.response) || isRequest(v.request))) return 'pair';
  if (isMessage(v)) return 'message';
  return undefined;
}

function isRock(v: unknown): boolean {
  return isObject(v) && v.id === ROCK_ID && v.object === 'chat.completion';
}

function probe(head: Head): number {
  const score = (items: unknown[]): number => {
    if (items.length === 0 || items.some(isRock)) return 0;
    const kinds = items.slice(0, 20).map(kindOf);
    if (kinds.some((k) => k === undefined)) return 0;
    if (kinds.every((k) => k === 'message')) return 0.7;
    if (kinds.includes('message')) return 0;
    if (kinds.every((k) => k === 'completion')) return 0.9;
    // A bare two-key {request, response} per line is also ROCK's first proxy record: let rock have it.
    if (head.container === 'jsonl' && items.every((o) => isObject(o) && Object.keys(o).length === 2 && 'request' in o && 'response' in o)) return 0.75;
    return 0.85;
  };
  if (head.container === 'json') {
    const doc = head.document;
    if (doc === undefined) return 0;
    return Array.isArray(doc) ? score(doc) : score([doc]);
  }
  if (head.container === 'jsonl') return Math.min(score(head.objects), 0.85);
  return 0;
}

interface Stamp {
  ms: number;
  raw: string;
}

/** created / created_at (epoch seconds, or ms when 13 digits) or timestamp (ISO or epoch). */
function timeOf(v: unknown, tz: string): Stamp | undefined {
  if (!isObject(v)) return undefined;
  for (const key of ['created', 'created_at', 'timestamp']) {
    const t = v[key];
    if (typeof t === 'number' && Number.isFinite(t) && t > 0) {
      return { ms: t >= 1e12 ? Math.round(t) : Math.round(t * 1000), raw: String(t) };
    }
    if (typeof t === 'string' && t.trim() !== '') {
      let ms = parseIsoMs(t, tz);
      if (Number.isNaN(ms)) ms = parseEpochSeconds(t.trim());
      if (!Number.isNaN(ms)) return { ms, raw: t };
    }
  }
  return undefined;
}

function conversationOf(v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  for (const key of SESSION_KEYS) {
    const s = str(v[key]);
    if (s) return s;
  }
  return isObject(v.metadata) ? conversationOf(v.metadata) : undefined;
}

function contentText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const parts = v.map((p) => (isObject(p) ? str(p.text) : str(p))).filter((p): p is string => p !== undefined);
    return parts.length ? parts.join('\n') : undefined;
  }
  return undefined;
}

interface Collected {
  event: ForensicEvent;
  order: number;
}

interface State {
  ctx: ParseContext;
  out: Collected[];
  /** calls already emitted, by id: request histories repeat earlier calls */
  seen: Map<string, ForensicEvent>;
  order: number;
  sessionless: boolean;
}

function handleRecord(state: State, obj: JsonObject, ref: Ref, outer: Stamp | undefined): void {
  const { ctx } = state;
  const resp: JsonObject | undefined = isCompletion(obj) ? obj : isCompletion(obj.response) ? (obj.response as JsonObject) : undefined;
  const req = Array.isArray(obj.messages) ? obj : isObject(obj.request) && Array.isArray(obj.request.messages) ? obj.request : undefined;
  const recordTime = timeOf(resp, ctx.tz) ?? timeOf(obj, ctx.tz) ?? outer;
  const session = conversationOf(obj) ?? conversationOf(req) ?? conversationOf(resp) ?? str(resp?.id);
  const model = str(resp?.model) ?? str(req?.model) ?? str(obj.model);
  let untimed = 0;
  const onMessage = (m: unknown, time: Stamp | undefined, finishReason?: string) => {
    if (!isObject(m)) return;
    const resultFor = str(m.tool_call_id);
    if (resultFor !== undefined) {
      const call = state.seen.get(resultFor);
      const text = contentText(m.content);
      if (call && text !== undefined && text !== '' && call.fields!.output === undefined) call.fields!.output = truncate(text, 2000);
      return;
    }
    if (!Array.isArray(m.tool_calls)) return;
    for (const c of m.tool_calls) {
      if (!isObject(c)) continue;
      const callId = str(c.id);
      if (callId === undefined || state.seen.has(callId)) continue;
      if (!time) {
        untimed++;
        continue;
      }
      const fn = isObject(c.function) ? c.function : {};
      const tool = str(fn.name) ?? str(c.type) ?? 'function';
      const command = commandFromArguments(fn.arguments);
      const fields: Record<string, unknown> = {};
      if (model !== undefined) fields.model = model;
      if (finishReason !== undefined) fields.finishReason = finishReason;
      const responseId = str(resp?.id);
      if (responseId !== undefined) fields.responseId = responseId;
      const event: ForensicEvent = {
        kind: 'tool-call', source: 'agent', format: NAME, timeMs: time.ms, timeRaw: time.raw, ref,
        callId, tool, command, timePrecision: 'response',
        message: summary(tool, command),
        fields,
      };
      if (session !== undefined) event.session = session;
      else state.sessionless = true;
      state.seen.set(callId, event);
      state.out.push({ event, order: state.order++ });
    }
  };
  if (req) for (const m of req.messages as unknown[]) onMessage(m, timeOf(m, ctx.tz) ?? recordTime);
  else if (typeof obj.role === 'string') onMessage(obj, recordTime);
  if (resp) {
    for (const choice of resp.choices as unknown[]) {
      if (isObject(choice)) onMessage(choice.message, recordTime, str(choice.finish_reason));
    }
  }
  if (untimed > 0) {
    const where = ref.line !== undefined ? { line: ref.line } : { index: ref.index };
    ctx.skip(where, `${untimed} tool call(s) carry no time: no created/created_at/timestamp in the record or its response`);
  }
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const state: State = { ctx, out: [], seen: new Map(), order: 0, sessionless: false };
  const input = await jsonLinesOrDocument(lines, ctx);
  if (!input) return;
  if (input.kind === 'document') {
    const doc = input.document;
    const records = Array.isArray(doc) ? doc : [doc];
    records.forEach((r, index) => {
      if (!isObject(r)) ctx.skip({ index }, 'Chat Completions record is not a JSON object');
      else handleRecord(state, r, { path: ctx.path, index }, undefined);
    });
  } else {
    for await (const { rec, obj } of input.objects) handleRecord(state, obj, { path: ctx.path, line: rec.line }, undefined);
  }
  if (state.sessionless) ctx.note('Chat Completions messages name no response or conversation id: those tool calls carry no session');
  state.out.sort((a, b) => a.event.timeMs - b.event.timeMs || a.order - b.order);
  for (const c of state.out) yield c.event;
}

export const openaiChatFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'OpenAI Chat Completions: responses, requests, request/response pairs or message lists with tool_calls (JSON or JSON lines)',
  notes:
    'Detected by chat.completion objects (choices[].message, numeric created), requests whose messages all have chat roles, ' +
    '{request, response} pairs, or lists of chat messages; completions with ROCK\'s placeholder id "chat-" are left to the rock format, ' +
    'Inspect samples and Anthropic tool_use content are not claimed. Each assistant tool_calls entry is one call (callId = its id, verbatim; ' +
    'command = the command/cmd argument, else the compact JSON arguments); a later tool message with that tool_call_id gives fields.output. ' +
    'Calls repeated in later request histories are emitted once; a call first seen in a request history gets that record\'s time (an upper bound). Time = the response\'s created (epoch seconds), else the record\'s own ' +
    'created/created_at/timestamp, precision response (only the model response time is known; no end). A record with tool calls and no time ' +
    'at all is skipped with an issue. Session = conversation_id/session_id/thread_id (top level or metadata), else the response id. ' +
    'ref.index = position in a top-level array (0 for a single object); JSON lines refs give the line.',
  probe,
  parse,
};
