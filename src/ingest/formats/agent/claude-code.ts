// Claude Code session transcripts (~/.claude/projects/<project>/<session>.jsonl, and the agent-*.jsonl
// sidechain files of subagents): pairs each assistant `tool_use` block with the user line carrying its
// `tool_result`, and emits one tool-call event per pair. Attribution of the calls is left to later stages.
import type { ForensicEvent, TimePrecision } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, parseJsonLine, str, type JsonObject } from '../../shared/json.js';
import { PendingCalls } from '../../shared/pending-calls.js';
import { parseIsoMs } from '../../shared/time.js';

const NAME = 'claude-code';
const OUTPUT_CHARS = 2000;
const INPUT_CHARS = 4000;
/** Line types Claude Code writes into a session file (others are ignored, never skipped). */
const LINE_TYPES = new Set(['user', 'assistant', 'system', 'summary', 'file-history-snapshot', 'queue-operation', 'progress']);
/** Tools whose `command` argument is a shell command line. */
const SHELL_TOOLS = new Set(['Bash', 'BashOutput', 'bash']);

function isTranscriptLine(o: unknown): boolean {
  if (!isObject(o) || typeof o.type !== 'string') return false;
  if (o.type === 'user' || o.type === 'assistant') {
    return (
      typeof o.sessionId === 'string' &&
      typeof o.uuid === 'string' &&
      isObject(o.message) &&
      typeof o.timestamp === 'string' &&
      !Number.isNaN(parseIsoMs(o.timestamp))
    );
  }
  return false;
}

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  let messages = 0, known = 0, bad = 0;
  for (const o of head.objects) {
    if (isTranscriptLine(o)) messages++;
    else if (isObject(o) && typeof o.type === 'string' && LINE_TYPES.has(o.type) && o.type !== 'user' && o.type !== 'assistant') known++;
    else bad++;
  }
  // A damaged line or a line type newer than this reader is tolerated; a file of something else is not.
  if (bad * 4 > messages + known) return 0;
  if (messages > 0) return 1;
  // A file of only summary / snapshot lines (a session that never got a message) is still ours, less surely.
  return head.objects.some((o) => isObject(o) && o.type === 'summary' && typeof o.leafUuid === 'string') ? 0.6 : 0;
}

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const block of content) {
    if (isObject(block) && block.type === 'text' && typeof block.text === 'string') parts.push(block.text);
  }
  return parts.length ? parts.join('\n') : undefined;
}

/** Claude Code writes a failed Bash call's result as `Exit code <n>\n<output>` (tool_result) or `Error: Exit code <n>` (toolUseResult). */
function exitCodeOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const at = text.startsWith('Error: ') ? 7 : 0;
  if (!text.startsWith('Exit code ', at)) return undefined;
  const m = /^-?\d+/.exec(text.slice(at + 10));
  return m ? Number(m[0]) : undefined;
}

function compactInput(input: unknown): string {
  const json = JSON.stringify(input ?? null);
  return json.length > INPUT_CHARS ? json.slice(0, INPUT_CHARS) : json;
}

function summarize(tool: string, command: string): string {
  const line = `${tool}: ${command.replace(/\s+/g, ' ')}`;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function callEvent(block: JsonObject, rec: LineRecord, o: JsonObject, timeMs: number, timeRaw: string, ctx: ParseContext): ForensicEvent {
  const tool = String(block.name);
  const input = block.input;
  const command = SHELL_TOOLS.has(tool) && isObject(input) && typeof input.command === 'string' ? input.command : compactInput(input);
  const fields: Record<string, unknown> = {};
  if (typeof o.cwd === 'string') fields.cwd = o.cwd;
  const model = isObject(o.message) ? str(o.message.model) : undefined;
  if (model) fields.model = model;
  if (o.isSidechain === true) fields.sidechain = true;
  if (typeof o.agentId === 'string') fields.agentId = o.agentId;
  if (typeof o.gitBranch === 'string' && o.gitBranch !== '') fields.gitBranch = o.gitBranch;
  return {
    kind: 'tool-call',
    source: 'agent',
    format: NAME,
    timeMs,
    timeRaw,
    ref: { path: ctx.path, line: rec.line },
    session: typeof o.sessionId === 'string' ? o.sessionId : undefined,
    callId: String(block.id),
    tool,
    command,
    timePrecision: 'response',
    message: summarize(tool, command),
    fields,
  };
}

function complete(ev: ForensicEvent, block: JsonObject, o: JsonObject, endMs: number | undefined, precision: TimePrecision): void {
  if (endMs !== undefined) ev.endMs = endMs;
  ev.timePrecision = precision;
  const fields = ev.fields!;
  const text = textOf(block.content);
  const result = o.toolUseResult;
  if (text !== undefined) fields.output = text.length > OUTPUT_CHARS ? text.slice(0, OUTPUT_CHARS) : text;
  else if (isObject(result) && typeof result.stdout === 'string') fields.output = result.stdout.slice(0, OUTPUT_CHARS);
  if (block.is_error === true) fields.isError = true;
  if (isObject(result) && result.interrupted === true) fields.interrupted = true;
  const code = block.is_error === true ? exitCodeOf(text) ?? exitCodeOf(typeof result === 'string' ? result : undefined) : undefined;
  if (code !== undefined) ev.exitCode = code;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  // Insertion order = order of the tool_use lines; events leave in that order once their result is in,
  // so the output stays sorted by call start even when results arrive out of order.
  const pending = new PendingCalls();
  for await (const rec of lines) {
    if (rec.text.trim() === '') continue;
    const o = parseJsonLine(rec, ctx);
    if (!o) continue;
    if (o.type !== 'assistant' && o.type !== 'user') continue;
    const message = o.message;
    const content = isObject(message) ? message.content : undefined;
    if (!Array.isArray(content)) continue; // plain user prompts, command output: no tool calls
    const timeRaw = typeof o.timestamp === 'string' ? o.timestamp : '';
    const timeMs = parseIsoMs(timeRaw);
    let any = false;
    for (const block of content) {
      if (!isObject(block)) continue;
      if (o.type === 'assistant' && block.type === 'tool_use') {
        if (typeof block.id !== 'string' || typeof block.name !== 'string') {
          ctx.skip({ line: rec.line }, 'tool_use block without a string id and name');
          continue;
        }
        if (Number.isNaN(timeMs)) {
          ctx.skip({ line: rec.line }, `tool_use line without a valid timestamp: ${JSON.stringify(timeRaw).slice(0, 80)}`);
          break;
        }
        pending.add(block.id, callEvent(block, rec, o, timeMs, timeRaw, ctx));
        any = true;
      } else if (o.type === 'user' && block.type === 'tool_result') {
        if (typeof block.tool_use_id !== 'string') {
          ctx.skip({ line: rec.line }, 'tool_result block without a tool_use_id');
          continue;
        }
        const p = pending.get(block.tool_use_id);
        if (!p || p.done) continue; // result of a call from before a compaction or resume: nothing to pair
        if (Number.isNaN(timeMs)) {
          ctx.skip({ line: rec.line }, `tool_result line without a valid timestamp: ${JSON.stringify(timeRaw).slice(0, 80)}`);
          break;
        }
        // A result stamped before its call (clock step inside the transcript) gives no interval.
        if (timeMs >= p.event.timeMs) complete(p.event, block, o, timeMs, 'call-result');
        else complete(p.event, block, o, undefined, 'response');
        p.done = true;
        any = true;
      }
    }
    if (any) yield* pending.flush(false);
  }
  yield* pending.flush(true);
}

export const claudeCodeFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'Claude Code session transcripts (JSON lines under ~/.claude/projects/, main and sidechain/subagent files)',
  notes:
    'Detected by JSON lines whose `type` is user/assistant/system/summary/file-history-snapshot and whose user/assistant ' +
    'lines carry `sessionId`, `uuid`, `message` and an ISO `timestamp`. A tool call is an assistant `tool_use` block; ' +
    'its interval runs from that line\'s timestamp to the timestamp of the user line holding the matching `tool_result` ' +
    '(precision call-result). A call whose result never appears keeps only its start (precision response). ' +
    'Timestamps are UTC (`Z`). callId = tool_use id, session = sessionId; Bash: command = input.command, other tools: ' +
    'the compact JSON of the input. exitCode only when a failed result says `Exit code <n>`; successful calls carry none ' +
    '(the transcript does not record 0). fields: cwd, model, output (result text, 2000 chars), isError, sidechain, agentId.',
  probe,
  parse,
};
