// OpenAI Responses API objects (one document, an array, or JSON lines): every tool-call item of a
// response's `output` (function, custom, shell, local shell, MCP, code interpreter, web search, computer) is one call.
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, num, str, type JsonObject } from '../../shared/json.js';
import { jsonLinesOrDocument } from '../../shared/json-input.js';
import { parseEpochSeconds } from '../../shared/time.js';
import { truncate, summary, compactJson, shellJoin, commandFromArguments } from '../../shared/text.js';

const NAME = 'openai-responses';
/** Output item types that are tool calls, with the tool name to use when the item has none. */
const CALL_TYPES: Record<string, string> = {
  function_call: 'function',
  custom_tool_call: 'custom',
  local_shell_call: 'local_shell',
  shell_call: 'shell',
  mcp_call: 'mcp',
  code_interpreter_call: 'code_interpreter',
  web_search_call: 'web_search',
  computer_call: 'computer',
  apply_patch_call: 'apply_patch',
};
const OUTPUT_TYPES = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output', 'shell_call_output', 'computer_call_output', 'apply_patch_call_output']);

function isResponse(v: unknown): v is JsonObject {
  if (!isObject(v) || v.object !== 'response' || typeof v.id !== 'string' || !Array.isArray(v.output)) return false;
  return typeof v.created_at === 'number' || (typeof v.created_at === 'string' && !Number.isNaN(parseEpochSeconds(v.created_at)));
}

function probe(head: Head): number {
  // Most (not all) records must be responses, so a damaged line does not hide the file.
  const score = (items: unknown[]) => {
    const sample = items.slice(0, 20);
    const good = sample.filter(isResponse).length;
    return good > 0 && good * 2 >= sample.length ? 1 : 0;
  };
  if (head.container === 'json') {
    const doc = head.document;
    if (doc === undefined) {
      const t = head.text;
      return /^\s*[[{]/.test(t) && /"object"\s*:\s*"response"/.test(t) && /"created_at"\s*:\s*\d/.test(t) && /"output"\s*:\s*\[/.test(t) ? 0.6 : 0;
    }
    return score(Array.isArray(doc) ? doc : [doc]) * 0.95;
  }
  if (head.container === 'jsonl') return score(head.objects) * 0.9;
  return 0;
}

interface Described {
  callId?: string;
  tool: string;
  command: string;
  fields: Record<string, unknown>;
  container?: string;
  output?: string;
}

function describe(type: string, item: JsonObject): Described {
  const fields: Record<string, unknown> = { itemType: type };
  const itemId = str(item.id);
  if (itemId !== undefined) fields.itemId = itemId;
  const status = str(item.status);
  if (status !== undefined) fields.status = status;
  const action = isObject(item.action) ? item.action : undefined;
  const d: Described = { callId: str(item.call_id), tool: str(item.name) ?? CALL_TYPES[type]!, command: '', fields };
  switch (type) {
    case 'function_call':
      d.command = commandFromArguments(item.arguments);
      break;
    case 'custom_tool_call':
      d.command = typeof item.input === 'string' ? truncate(item.input, 4000) : compactJson(item.input);
      break;
    case 'local_shell_call': {
      // action: {type: exec, command: argv[], working_directory, user, env, timeout_ms}
      const argv = action?.command;
      d.command = Array.isArray(argv) ? shellJoin(argv) : str(argv) ?? compactJson(action);
      const cwd = str(action?.working_directory);
      if (cwd !== undefined) fields.cwd = cwd;
      const user = str(action?.user);
      if (user !== undefined) fields.user = user;
      break;
    }
    case 'shell_call': {
      // action: {commands: string[], timeout_ms, max_output_length}; the commands run one after another.
      const commands = action?.commands;
      d.command = Array.isArray(commands) ? commands.map(String).join('; ') : compactJson(action);
      break;
    }
    case 'mcp_call': {
      d.callId = itemId;
      d.command = commandFromArguments(item.arguments);
      const server = str(item.server_label);
      if (server !== undefined) fields.server = server;
      const output = str(item.output);
      if (output !== undefined) d.output = output;
      const error = str(item.error);
      if (error !== undefined) fields.error = truncate(error, 2000);
      break;
    }
    case 'code_interpreter_call': {
      d.callId = itemId;
      d.command = str(item.code) ?? '';
      d.container = str(item.container_id);
      if (Array.isArray(item.outputs)) {
        const logs = item.outputs.map((o) => (isObject(o) ? str(o.logs) : undefined)).filter((o): o is string => o !== undefined);
        if (logs.length) d.output = logs.join('\n');
      }
      break;
    }
    case 'web_search_call':
      d.callId = itemId;
      d.command = str(action?.query) ?? str(action?.url) ?? (action ? compactJson(action) : '');
      break;
    case 'computer_call':
      d.command = action ? compactJson(action) : '';
      break;
    case 'apply_patch_call':
      d.command = compactJson(item.operation);
      break;
  }
  return d;
}

interface Collected {
  event: ForensicEvent;
  order: number;
}

interface State {
  ctx: ParseContext;
  out: Collected[];
  byCall: Map<string, ForensicEvent>;
  /** response id → session (conversation id or the first response of its previous_response_id chain) */
  sessions: Map<string, string>;
  order: number;
}

function sessionOf(state: State, r: JsonObject): string {
  const conversation = isObject(r.conversation) ? str(r.conversation.id) : str(r.conversation);
  const id = r.id as string;
  let session: string;
  if (conversation) session = conversation;
  else {
    const prev = str(r.previous_response_id);
    session = prev ? state.sessions.get(prev) ?? prev : id;
  }
  state.sessions.set(id, session);
  return session;
}

function shellOutput(item: JsonObject): { text?: string; exit?: number } {
  // shell_call_output.output: [{stdout, stderr, outcome: {type: exit, exit_code} | {type: timeout}}]
  if (!Array.isArray(item.output)) return { text: str(item.output) };
  const texts: string[] = [];
  let exit: number | undefined;
  for (const o of item.output) {
    if (!isObject(o)) continue;
    for (const k of ['stdout', 'stderr']) {
      const t = str(o[k]);
      if (t) texts.push(t);
    }
    if (isObject(o.outcome) && o.outcome.type === 'exit') exit = num(o.outcome.exit_code) ?? exit;
  }
  return { text: texts.length ? texts.join('\n') : undefined, exit };
}

function handleResponse(state: State, r: unknown, ref: Ref): void {
  const { ctx } = state;
  const where = ref.line !== undefined ? { line: ref.line } : { index: ref.index };
  if (!isResponse(r)) {
    ctx.skip(where, isObject(r) && r.object === 'response' ? 'Responses object without a usable id, created_at or output' : 'not a Responses API object');
    return;
  }
  const createdAt = r.created_at;
  const timeRaw = String(createdAt);
  const timeMs = typeof createdAt === 'number' ? Math.round(createdAt * 1000) : parseEpochSeconds(timeRaw);
  const session = sessionOf(state, r);
  const model = str(r.model);
  for (const item of r.output as unknown[]) {
    if (!isObject(item) || typeof item.type !== 'string') continue;
    const type = item.type;
    if (OUTPUT_TYPES.has(type)) {
      const callId = str(item.call_id) ?? str(item.id);
      const call = callId !== undefined ? state.byCall.get(callId) : undefined;
      if (!call) continue;
      const { text, exit } = shellOutput(item);
      if (text !== undefined && text !== '' && call.fields!.output === undefined) call.fields!.output = truncate(text, 2000);
      if (exit !== undefined) call.exitCode = exit;
      continue;
    }
    if (!(type in CALL_TYPES)) continue;
    const d = describe(type, item);
    if (d.callId === undefined) {
      ctx.skip(where, `${type} item without call_id`);
      continue;
    }
    if (state.byCall.has(d.callId)) continue;
    if (model !== undefined) d.fields.model = model;
    d.fields.responseId = r.id;
    if (d.output !== undefined && d.output !== '') d.fields.output = truncate(d.output, 2000);
    const event: ForensicEvent = {
      kind: 'tool-call', source: 'agent', format: NAME, timeMs, timeRaw, ref,
      callId: d.callId, session, tool: d.tool, command: d.command, timePrecision: 'response',
      message: summary(d.tool, d.command),
      fields: d.fields,
    };
    if (d.container !== undefined) event.container = d.container;
    state.byCall.set(d.callId, event);
    state.out.push({ event, order: state.order++ });
  }
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const state: State = { ctx, out: [], byCall: new Map(), sessions: new Map(), order: 0 };
  const input = await jsonLinesOrDocument(lines, ctx);
  if (!input) return;
  if (input.kind === 'document') {
    const doc = input.document;
    const records = Array.isArray(doc) ? doc : [doc];
    records.forEach((r, index) => handleResponse(state, r, { path: ctx.path, index }));
  } else {
    for await (const { rec, obj } of input.objects) handleResponse(state, obj, { path: ctx.path, line: rec.line });
  }
  state.out.sort((a, b) => a.event.timeMs - b.event.timeMs || a.order - b.order);
  for (const c of state.out) yield c.event;
}

export const openaiResponsesFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'OpenAI Responses API objects (a document, an array, or JSON lines) with tool-call output items',
  notes:
    'Detected by objects with object = "response", a string id, an output array and a numeric created_at. Tool calls are output items of type ' +
    'function_call, custom_tool_call, local_shell_call, shell_call (call_id), mcp_call, code_interpreter_call, web_search_call (item id), ' +
    'computer_call and apply_patch_call. command = the command/cmd argument of a function call, the local shell argv joined with spaces ' +
    '(quoted when needed), the shell_call commands joined with "; ", the code, the search query, else the compact JSON input; *_output items ' +
    'in the same file give fields.output (and shell exit codes). Time = the response created_at (epoch seconds), precision response; no end. ' +
    'Session = the conversation id when the response has one; else the first response id of its previous_response_id chain as far as the ' +
    'file shows it (the previous id itself when that response is not in the file); else the response id. ref.index = position in a ' +
    'top-level array (0 for a single object); JSON lines refs give the line.',
  probe,
  parse,
};
