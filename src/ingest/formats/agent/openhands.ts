// OpenHands trajectories / event streams: pairs each agent action (run, run_ipython, browse, edit, ...)
// with the observation that names it as `cause`, giving one tool call per action. Scoring is left to attribution.
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, num, str, type JsonObject } from '../../shared/json.js';
import { jsonLinesOrDocument } from '../../shared/json-input.js';
import { parseIsoMs } from '../../shared/time.js';
import { truncate, summary, compactJson } from '../../shared/text.js';

const NAME = 'openhands';
const SOURCES = new Set(['agent', 'user', 'environment']);
/** Actions that are conversation or control, not tool executions. */
const NON_TOOL_ACTIONS = new Set([
  'message', 'finish', 'think', 'system', 'recall', 'change_agent_state', 'null', 'reject',
  'condensation', 'condensation_request', 'delegate', 'start', 'pause', 'resume', 'stop',
]);
/** Wrapper keys holding the event list: trajectory export, event stream dump, evaluation output. */
const LIST_KEYS = ['trajectory', 'events', 'history'] as const;
/** Wrapper keys naming the trajectory, in order of preference. */
const SESSION_KEYS = ['conversation_id', 'session_id', 'sid', 'instance_id'] as const;
/** args noise that is not tool input */
const ARG_NOISE = new Set(['thought', 'impl_source', 'translated_ipython_code', 'hidden', 'confirmation_state', 'security_risk', 'blocking', 'is_input', 'is_confirmed']);

function looksLikeEvent(v: unknown): boolean {
  if (!isObject(v)) return false;
  if (typeof v.id !== 'number' || typeof v.timestamp !== 'string') return false;
  if (typeof v.source !== 'string' || !SOURCES.has(v.source)) return false;
  if (typeof v.action !== 'string' && typeof v.observation !== 'string') return false;
  return !Number.isNaN(parseIsoMs(v.timestamp));
}

function eventList(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (!isObject(doc)) return undefined;
  for (const key of LIST_KEYS) if (Array.isArray(doc[key])) return doc[key] as unknown[];
  return undefined;
}

function scoreList(list: unknown[]): number {
  const sample = list.slice(0, 20);
  if (sample.length === 0) return 0;
  const good = sample.filter(looksLikeEvent).length;
  return good > 0 && good * 2 >= sample.length ? 1 : 0;
}

function probe(head: Head): number {
  if (head.container === 'json') {
    if (head.document !== undefined) {
      const list = eventList(head.document);
      return list && scoreList(list) ? 0.95 : 0;
    }
    // Too large to parse for detection: the opening events must still look like OpenHands events.
    const t = head.text;
    return /^\s*[[{]/.test(t) && /"source"\s*:\s*"(agent|user|environment)"/.test(t) && /"(action|observation)"\s*:\s*"/.test(t) && /"timestamp"\s*:\s*"\d{4}-\d\d-\d\dT/.test(t) && /"cause"\s*:\s*\d/.test(t) ? 0.6 : 0;
  }
  if (head.container === 'jsonl' && head.objects.length > 0) {
    const list = head.objects.flatMap((o) => (looksLikeEvent(o) ? [o] : eventList(o)?.slice(0, 5) ?? [o]));
    return scoreList(list) ? 0.9 : 0;
  }
  return 0;
}

/** The arguments the model gave for this call, from the response OpenHands keeps beside the action. */
function modelArguments(meta: JsonObject, callId: string): unknown {
  const choices = (meta.model_response as JsonObject | undefined)?.choices;
  if (!Array.isArray(choices)) return undefined;
  for (const choice of choices) {
    const calls = isObject(choice) && isObject(choice.message) ? choice.message.tool_calls : undefined;
    if (!Array.isArray(calls)) continue;
    for (const call of calls) {
      if (isObject(call) && call.id === callId && isObject(call.function)) {
        const raw = call.function.arguments;
        if (typeof raw !== 'string') return raw;
        try {
          return JSON.parse(raw);
        } catch {
          return raw;
        }
      }
    }
  }
  return undefined;
}

function commandOf(action: string, args: JsonObject, meta: JsonObject | undefined, callId: string | undefined): string {
  if (action === 'run' && typeof args.command === 'string') return args.command;
  if (action === 'run_ipython' && typeof args.code === 'string') return args.code;
  if (action === 'browse' && typeof args.url === 'string') return args.url;
  if (action === 'browse_interactive' && typeof args.browser_actions === 'string') return args.browser_actions;
  const fromModel = meta && callId ? modelArguments(meta, callId) : undefined;
  if (fromModel !== undefined) return typeof fromModel === 'string' ? truncate(fromModel, 4000) : compactJson(fromModel);
  const input: JsonObject = {};
  for (const [k, v] of Object.entries(args)) if (!ARG_NOISE.has(k)) input[k] = v;
  return compactJson(input);
}

interface Pending {
  event: ForensicEvent;
  order: number;
}

interface Trajectory {
  ctx: ParseContext;
  session?: string;
  /** action events by OpenHands event id, for their observations */
  byId: Map<number, ForensicEvent>;
  out: Pending[];
  order: { n: number };
}

/** One trajectory's events → tool-call events (added to `out`); `refOf` gives each event's ref. */
function collect(list: unknown[], refOf: (i: number) => Ref, t: Trajectory): void {
  for (let i = 0; i < list.length; i++) addEvent(list[i], refOf(i), t);
}

function addEvent(e: unknown, ref: Ref, t: Trajectory): void {
  const { ctx, byId, out, order, session } = t;
  const where = ref.line !== undefined ? { line: ref.line } : { index: ref.index };
  if (!isObject(e)) {
    ctx.skip(where, 'OpenHands event is not a JSON object');
    return;
  }
  const action = str(e.action);
  const observation = str(e.observation);
  if (action !== undefined && !NON_TOOL_ACTIONS.has(action) && (e.source === 'agent' || e.source === undefined)) {
    const args = isObject(e.args) ? e.args : {};
    const meta = isObject(e.tool_call_metadata) ? e.tool_call_metadata : undefined;
    const id = num(e.id);
    const callId = str(meta?.tool_call_id) ?? (id !== undefined ? `event-${id}` : undefined);
    if (callId === undefined) {
      ctx.skip(where, `OpenHands ${action} action has neither an id nor tool_call_metadata.tool_call_id`);
      return;
    }
    const timeRaw = str(e.timestamp);
    const timeMs = timeRaw === undefined ? NaN : parseIsoMs(timeRaw, ctx.tz);
    if (Number.isNaN(timeMs)) {
      ctx.skip(where, `OpenHands ${action} action has no valid timestamp${timeRaw === undefined ? '' : `: ${truncate(timeRaw, 80)}`}`);
      return;
    }
    const tool = str(meta?.function_name) ?? action;
    const command = commandOf(action, args, meta, str(meta?.tool_call_id));
    const fields: Record<string, unknown> = { action };
    const model = str(pickModel(meta));
    if (model !== undefined) fields.model = model;
    if (typeof args.path === 'string') fields.path = args.path;
    const event: ForensicEvent = {
      kind: 'tool-call', source: 'agent', format: NAME, timeMs, timeRaw: timeRaw!, ref,
      callId, tool, command, timePrecision: 'response',
      message: summary(tool, command),
      fields,
    };
    if (session !== undefined) event.session = session;
    if (id !== undefined) byId.set(id, event);
    out.push({ event, order: order.n++ });
    return;
  }
  if (observation !== undefined) {
    const cause = num(e.cause);
    const call = cause !== undefined ? byId.get(cause) : undefined;
    if (!call || call.endMs !== undefined) return;
    const endRaw = str(e.timestamp);
    const endMs = endRaw === undefined ? NaN : parseIsoMs(endRaw, ctx.tz);
    if (Number.isNaN(endMs)) {
      ctx.skip(where, `OpenHands ${observation} observation has no valid timestamp`);
      return;
    }
    call.endMs = Math.max(endMs, call.timeMs);
    call.timePrecision = 'call-result';
    const fields = call.fields!;
    fields.observation = observation;
    if (typeof e.content === 'string' && e.content !== '') fields.output = truncate(e.content, 2000);
    const extras = isObject(e.extras) ? e.extras : {};
    const meta = isObject(extras.metadata) ? extras.metadata : {};
    // OpenHands writes -1 when no exit code was obtained (timeout, still running): not a real status.
    const exit = num(meta.exit_code) ?? num(extras.exit_code);
    if (exit !== undefined && exit >= 0) call.exitCode = exit;
    const cwd = str(meta.working_dir);
    if (cwd !== undefined) fields.cwd = cwd;
    const hostname = str(meta.hostname);
    if (hostname !== undefined) {
      call.host = hostname;
      // Docker names a container's host after the first 12 hex digits of its id.
      if (/^[0-9a-f]{12}$/.test(hostname)) call.container = hostname;
    }
    const user = str(meta.username);
    if (user !== undefined) fields.user = user;
    if (typeof e.success === 'boolean') fields.success = e.success;
  }
}

function pickModel(meta: JsonObject | undefined): unknown {
  const response = meta?.model_response;
  return isObject(response) ? response.model : undefined;
}

function sessionOf(wrapper: unknown): string | undefined {
  if (!isObject(wrapper)) return undefined;
  for (const key of SESSION_KEYS) {
    const v = str(wrapper[key]);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const out: Pending[] = [];
  const order = { n: 0 };
  let sessionless = false;
  // A document starts with `[` or a pretty-printed `{`; JSON lines with an object on the first line.
  const input = await jsonLinesOrDocument(lines, ctx);
  if (!input) return;
  if (input.kind === 'document') {
    const doc = input.document;
    const list = eventList(doc);
    if (!list) {
      ctx.skip({ index: 0 }, 'JSON document holds no OpenHands event list (an array, or trajectory/events/history)');
      return;
    }
    const session = sessionOf(doc);
    sessionless = session === undefined;
    collect(list, (i) => ({ path: ctx.path, index: i }), { ctx, session, byId: new Map(), out, order });
  } else {
    // JSON lines: one event per line, or one trajectory wrapper (evaluation output) per line.
    const stream: Trajectory = { ctx, byId: new Map(), out, order };
    const handle = (rec: LineRecord, obj: JsonObject) => {
      const list = !('action' in obj) && !('observation' in obj) ? eventList(obj) : undefined;
      if (list) {
        const session = sessionOf(obj);
        if (session === undefined) sessionless = true;
        collect(list, () => ({ path: ctx.path, line: rec.line }), { ctx, session, byId: new Map(), out, order });
        return;
      }
      sessionless = true;
      addEvent(obj, { path: ctx.path, line: rec.line }, stream);
    };
    for await (const { rec, obj } of input.objects) handle(rec, obj);
  }
  if (sessionless && out.some((p) => p.event.session === undefined)) {
    ctx.note('OpenHands trajectory names no conversation/session id: its tool calls carry no session');
  }
  out.sort((a, b) => a.event.timeMs - b.event.timeMs || a.order - b.order);
  for (const p of out) yield p.event;
}

export const openhandsFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'OpenHands trajectory / event stream: a JSON array of events, a {trajectory|events|history} wrapper, or JSON lines of events',
  notes:
    'Detected by events carrying a numeric id, an ISO timestamp, source agent/user/environment and an action or observation. ' +
    'A tool call is an agent action other than message/finish/think/system/recall/state changes; callId = tool_call_metadata.tool_call_id, else `event-<id>`. ' +
    'Timestamps usually carry no zone and are read in --tz. Interval = action timestamp → timestamp of the observation whose cause is the action (precision call-result); ' +
    'an action without an observation keeps only its own time (precision response). exit_code from extras.metadata (-1, meaning none, is dropped); ' +
    'the runtime hostname becomes host (and container when it is a 12-hex Docker id). Session = conversation_id/session_id/sid/instance_id of the wrapper, else none (noted). ' +
    'Actions from source user are the human\'s, not the agent\'s, and are not tool calls. Events are emitted in time order.',
  probe,
  parse,
};
