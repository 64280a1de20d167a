// ROCK model-proxy trajectories (alibaba/ROCK, `LLMTraj.jsonl`): one chat/completions exchange per line,
// in any of the shapes ROCK has written. Extracts the OpenAI-style `tool_calls` of each response; the
// proxy sees only the model side, so a call's time is the response time and the next request bounds it.
import type { ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, num, parseJsonLine, str, type JsonObject } from '../../shared/json.js';
import { parseIsoMs } from '../../shared/time.js';
import { joinArgv } from '../../shared/text.js';

const NAME = 'rock';
const OUTPUT_CHARS = 2000;
const INPUT_CHARS = 4000;
/** Tool names of agents run under ROCK whose `command` / `cmd` argument is a shell command line. */
const SHELL_TOOLS = new Set(['bash', 'shell', 'execute_bash', 'run_shell_command', 'shell_command', 'exec_command', 'terminal', 'run_command', 'execute_command', 'Bash']);

type Shape = 'recorder' | 'trace' | 'litellm' | 'pair' | 'completion';

/**
 * The record shapes, newest first:
 * recorder  (rock/sdk/model/server/traj.py): {model, status, start_time, end_time, response_time, request, response, error}
 * litellm   (integrations/traj_recorder.py, litellm StandardLoggingPayload): {startTime, endTime, response, messages, ...}
 * trace     (record_traj with headers): {trace_id, timestamp, session_id, agent_type, latency_ms, request, response}
 * pair      (first record_traj): {request, response}
 * completion (replay data, e.g. tests/.../infer_data/*.jsonl): a bare ChatCompletion with ROCK's placeholder id `chat-`
 */
function shapeOf(o: unknown): Shape | undefined {
  if (!isObject(o)) return undefined;
  if (isObject(o.request) && 'response' in o) {
    if (num(o.start_time) !== undefined && num(o.end_time) !== undefined) return 'recorder';
    if (typeof o.timestamp === 'string' && typeof o.trace_id === 'string') return 'trace';
    if (Object.keys(o).length === 2) return 'pair';
    return undefined;
  }
  if (num(o.startTime) !== undefined && num(o.endTime) !== undefined && typeof o.call_type === 'string' && 'response' in o) return 'litellm';
  // Bare completions are any OpenAI client's log (openai-chat); ROCK's replay data carries the placeholder id `chat-`.
  if (o.object === 'chat.completion' && o.id === 'chat-' && Array.isArray(o.choices) && num(o.created) !== undefined) return 'completion';
  return undefined;
}

function isCompletion(v: unknown): boolean {
  return isObject(v) && Array.isArray(v.choices);
}

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  let best = 1, good = 0, bad = 0;
  for (const o of head.objects) {
    const shape = shapeOf(o);
    const resp = isObject(o) ? o.response : undefined;
    if (
      !shape ||
      (shape !== 'completion' && resp !== null && resp !== undefined && !isCompletion(resp)) ||
      (shape === 'trace' && Number.isNaN(parseIsoMs((o as JsonObject).timestamp as string))) ||
      (shape === 'pair' && !isCompletion(resp))
    ) {
      bad++;
      continue;
    }
    good++;
    // A bare ChatCompletion per line is what ROCK replays, but any OpenAI client log could look the same.
    best = Math.min(best, shape === 'completion' ? 0.6 : shape === 'pair' || shape === 'litellm' ? 0.8 : 0.95);
  }
  return good === 0 || bad * 4 > good ? 0 : best;
}

interface Timing {
  /** when the request reached the proxy, epoch ms */
  startMs?: number;
  /** when the response was complete (tool calls run after it), epoch ms */
  responseMs: number;
  responseRaw: string;
}

function epochSecondsMs(v: unknown): number | undefined {
  const n = num(v);
  return n === undefined || n <= 0 ? undefined : Math.round(n * 1000);
}

function timingOf(o: JsonObject, shape: Shape): Timing | undefined {
  const response = isObject(o.response) ? o.response : undefined;
  const created = epochSecondsMs(shape === 'completion' ? o.created : response?.created);
  switch (shape) {
    case 'recorder': {
      const end = epochSecondsMs(o.end_time);
      return end === undefined ? undefined : { startMs: epochSecondsMs(o.start_time), responseMs: end, responseRaw: String(o.end_time) };
    }
    case 'litellm': {
      const end = epochSecondsMs(o.endTime);
      return end === undefined ? undefined : { startMs: epochSecondsMs(o.startTime), responseMs: end, responseRaw: String(o.endTime) };
    }
    case 'trace': {
      const start = parseIsoMs(o.timestamp as string);
      const latency = num(o.latency_ms);
      if (Number.isNaN(start)) return undefined;
      // timestamp is taken when the request arrives; latency_ms measures until the response is sent
      return { startMs: start, responseMs: start + Math.round(latency ?? 0), responseRaw: o.timestamp as string };
    }
    case 'pair':
    case 'completion': {
      // `created` is the provider's Unix time (seconds) for the completion: the only time these shapes carry
      const raw = shape === 'completion' ? o.created : response?.created;
      return created === undefined ? undefined : { startMs: created, responseMs: created, responseRaw: String(raw) };
    }
  }
}

function commandOf(tool: string, raw: unknown): string {
  let args: unknown = raw;
  if (typeof raw === 'string') {
    try {
      args = JSON.parse(raw);
    } catch {
      return raw.slice(0, INPUT_CHARS);
    }
  }
  if (SHELL_TOOLS.has(tool) && isObject(args)) {
    const c = args.command ?? args.cmd;
    if (typeof c === 'string') return c;
    if (Array.isArray(c)) return joinArgv(c);
  }
  const json = JSON.stringify(args ?? null);
  return json.length > INPUT_CHARS ? json.slice(0, INPUT_CHARS) : json;
}

/** The tool results an agent sends back in its next request (`role: tool` messages), by tool_call_id. */
function toolResults(o: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  const messages = isObject(o.request) ? o.request.messages : o.messages;
  if (!Array.isArray(messages)) return out;
  for (const m of messages) {
    if (!isObject(m) || m.role !== 'tool' || typeof m.tool_call_id !== 'string') continue;
    const c = m.content;
    const text = typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('\n') : undefined;
    if (text !== undefined) out.set(m.tool_call_id, text);
  }
  return out;
}

interface Held {
  events: ForensicEvent[];
}

function eventsOf(o: JsonObject, shape: Shape, t: Timing, rec: LineRecord, ctx: ParseContext): ForensicEvent[] | undefined {
  const response = shape === 'completion' ? o : o.response;
  if (!isObject(response)) return []; // a failed upstream call: no response, no tool calls
  if (!Array.isArray(response.choices)) return undefined;
  const model = str(o.model) || str(response.model) || (isObject(o.request) ? str(o.request.model) : undefined);
  const session = shape === 'trace' && typeof o.session_id === 'string' && o.session_id !== '' ? o.session_id : undefined;
  const events: ForensicEvent[] = [];
  for (const choice of response.choices) {
    const message = isObject(choice) ? choice.message : undefined;
    const calls = isObject(message) ? message.tool_calls : undefined;
    if (!Array.isArray(calls)) continue;
    for (const call of calls) {
      const fn = isObject(call) ? call.function : undefined;
      if (!isObject(call) || typeof call.id !== 'string' || !isObject(fn) || typeof fn.name !== 'string') return undefined;
      const tool = fn.name;
      const command = commandOf(tool, fn.arguments);
      const fields: Record<string, unknown> = {};
      if (model) fields.model = model;
      if (typeof o.trace_id === 'string') fields.traceId = o.trace_id;
      if (typeof o.agent_type === 'string' && o.agent_type !== '') fields.agentType = o.agent_type;
      const line = `${tool}: ${command.replace(/\s+/g, ' ')}`;
      events.push({
        kind: 'tool-call',
        source: 'agent',
        format: NAME,
        timeMs: t.responseMs,
        timeRaw: t.responseRaw,
        ref: { path: ctx.path, line: rec.line },
        session,
        callId: call.id,
        tool,
        command,
        timePrecision: 'response',
        message: line.length > 200 ? `${line.slice(0, 199)}…` : line,
        fields,
      });
    }
  }
  return events;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  // The calls of one response are held until the next exchange: its request start bounds their
  // execution, and its request messages carry their results.
  let held: Held | undefined;
  let sawSession = false;
  let calls = 0;
  for await (const rec of lines) {
    if (rec.text.trim() === '') continue;
    const o = parseJsonLine(rec, ctx);
    if (!o) continue;
    const shape = shapeOf(o);
    if (!shape) {
      ctx.skip({ line: rec.line }, 'not a ROCK trajectory record (no request/response exchange or ChatCompletion)');
      continue;
    }
    const t = timingOf(o, shape);
    if (!t) {
      ctx.skip({ line: rec.line }, 'trajectory record without a usable time');
      continue;
    }
    const events = eventsOf(o, shape, t, rec, ctx);
    if (!events) {
      ctx.skip({ line: rec.line }, 'response with malformed choices or tool_calls');
      continue;
    }
    if (held) {
      const results = toolResults(o);
      const next = t.startMs ?? t.responseMs;
      for (const ev of held.events) {
        if (next >= ev.timeMs) ev.endMs = next;
        const out = results.get(ev.callId!);
        if (out !== undefined) ev.fields!.output = out.length > OUTPUT_CHARS ? out.slice(0, OUTPUT_CHARS) : out;
        yield ev;
      }
    }
    for (const ev of events) if (ev.session) sawSession = true;
    calls += events.length;
    held = { events };
  }
  if (held) yield* held.events;
  if (calls > 0 && !sawSession) ctx.note('ROCK trajectory records carry no session or sandbox id: tie them to a sandbox with --inventory');
}

export const rockFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'ROCK (alibaba/ROCK) model-proxy trajectory JSON lines: chat/completions exchanges with OpenAI-style tool_calls',
  notes:
    'Detected by JSON lines that are ROCK trajectory records: {request, response, start_time, end_time} (traj recorder), ' +
    '{trace_id, timestamp, session_id, latency_ms, request, response}, litellm logging payloads, {request, response} pairs, ' +
    'or bare ChatCompletion objects with ROCK\'s placeholder id `chat-` (ROCK replay data; lower score; other bare ' +
    'completion logs are openai-chat\'s). ' +
    'The proxy only sees the model, so each tool call gets the response time (end_time, endTime, timestamp + latency_ms, ' +
    'or the completion\'s `created` epoch seconds) with precision response; endMs = the start of the next exchange ' +
    '(the agent sends its next request after running the calls), none for the last one. callId = tool_calls[].id; ' +
    'session = session_id when recorded (other shapes carry none: a note says so); command = the `command`/`cmd` ' +
    'argument of shell tools (bash, execute_bash, ...), else the arguments JSON. fields.output comes from the `role: tool` ' +
    'messages of the next request when they are recorded.',
  probe,
  parse,
};
