// Codex CLI rollout files (~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl, `{timestamp, type, payload}`
// lines): pairs function / custom-tool / local-shell calls with their outputs by call_id and emits one
// tool-call event per call. Unwrapping `bash -lc <script>` is left to the attribution layer.
import type { ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, num, parseJsonLine, str, type JsonObject } from '../../shared/json.js';
import { PendingCalls } from '../../shared/pending-calls.js';
import { parseIsoMs } from '../../shared/time.js';
import { joinArgv } from '../../shared/text.js';

const NAME = 'codex';
const OUTPUT_CHARS = 2000;
const INPUT_CHARS = 4000;
const LINE_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);
/** Codex tools whose arguments carry a command line (`command` argv or string, or `cmd`). */
const SHELL_TOOLS = new Set(['shell', 'container.exec', 'shell_command', 'exec_command', 'local_shell']);

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  let meta = false, good = 0, bad = 0;
  for (const o of head.objects) {
    const ok =
      isObject(o) && typeof o.type === 'string' && LINE_TYPES.has(o.type) && isObject(o.payload) &&
      typeof o.timestamp === 'string' && !Number.isNaN(parseIsoMs(o.timestamp));
    if (!ok) {
      bad++;
      continue;
    }
    good++;
    if (o.type === 'session_meta' && isObject(o.payload) && typeof o.payload.id === 'string') meta = true;
  }
  // a few damaged lines are the parser's to report; a file of something else is not ours
  if (good === 0 || bad * 4 > good) return 0;
  return meta ? 1 : 0.9;
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

function commandOf(tool: string, args: unknown, raw: string): string {
  if (SHELL_TOOLS.has(tool) && isObject(args)) {
    const c = args.command ?? args.cmd;
    if (Array.isArray(c)) return joinArgv(c);
    if (typeof c === 'string') return c;
  }
  if (args === undefined) return clip(raw, INPUT_CHARS);
  return clip(JSON.stringify(args), INPUT_CHARS);
}

function parseArgs(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined; // arguments the model got wrong: the raw text is still the evidence
  }
}

interface Output {
  text?: string;
  exitCode?: number;
  durationMs?: number;
}

/**
 * A tool output is a string (often JSON `{output, metadata: {exit_code, duration_seconds}}`, newer
 * builds plain text with `Exit code: <n>` / `Process exited with code <n>`), or content items.
 */
function readOutput(output: unknown): Output {
  if (Array.isArray(output)) {
    const texts = output.filter((i) => isObject(i) && typeof i.text === 'string').map((i) => (i as JsonObject).text as string);
    return { text: texts.join('\n') };
  }
  if (isObject(output)) return readOutput(output.content);
  if (typeof output !== 'string') return {};
  if (output.startsWith('{')) {
    const parsed = parseArgs(output);
    if (isObject(parsed) && ('output' in parsed || 'metadata' in parsed)) {
      const meta = isObject(parsed.metadata) ? parsed.metadata : {};
      const seconds = num(meta.duration_seconds);
      return {
        text: typeof parsed.output === 'string' ? parsed.output : undefined,
        exitCode: num(meta.exit_code),
        durationMs: seconds === undefined ? undefined : Math.round(seconds * 1000),
      };
    }
  }
  const m = /^(?:Exit code: |Process exited with code )(-?\d+)$/m.exec(output.slice(0, 2000));
  return { text: output, exitCode: m ? Number(m[1]) : undefined };
}

interface SessionState {
  session?: string;
  cwd?: string;
  model?: string;
}

function callEvent(rec: LineRecord, timeMs: number, timeRaw: string, callId: string, tool: string, command: string, cwd: string | undefined, st: SessionState, ctx: ParseContext): ForensicEvent {
  const fields: Record<string, unknown> = {};
  if (cwd ?? st.cwd) fields.cwd = cwd ?? st.cwd;
  if (st.model) fields.model = st.model;
  const line = `${tool}: ${command.replace(/\s+/g, ' ')}`;
  return {
    kind: 'tool-call',
    source: 'agent',
    format: NAME,
    timeMs,
    timeRaw,
    ref: { path: ctx.path, line: rec.line },
    session: st.session,
    callId,
    tool,
    command,
    timePrecision: 'response',
    message: line.length > 200 ? `${line.slice(0, 199)}…` : line,
    fields,
  };
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const st: SessionState = {};
  // Kept in call order; a call leaves once its output is in (or at the end), so output is sorted by start.
  const pending = new PendingCalls();
  for await (const rec of lines) {
    if (rec.text.trim() === '') continue;
    const o = parseJsonLine(rec, ctx);
    if (!o) continue;
    const payload = o.payload;
    if (typeof o.type !== 'string' || !isObject(payload)) {
      ctx.skip({ line: rec.line }, 'not a rollout line: no `type` and `payload`');
      continue;
    }
    if (o.type === 'session_meta') {
      if (typeof payload.id === 'string') st.session = payload.id;
      if (typeof payload.cwd === 'string') st.cwd = payload.cwd;
      continue;
    }
    if (o.type === 'turn_context') {
      if (typeof payload.cwd === 'string') st.cwd = payload.cwd;
      if (typeof payload.model === 'string') st.model = payload.model;
      continue;
    }
    const kind = payload.type;
    const isCall = o.type === 'response_item' && (kind === 'function_call' || kind === 'custom_tool_call' || kind === 'local_shell_call');
    const isOutput = o.type === 'response_item' && (kind === 'function_call_output' || kind === 'custom_tool_call_output');
    const isExecEnd = o.type === 'event_msg' && kind === 'exec_command_end';
    if (!isCall && !isOutput && !isExecEnd) continue;
    const timeRaw = typeof o.timestamp === 'string' ? o.timestamp : '';
    const timeMs = parseIsoMs(timeRaw);
    const callId = str(payload.call_id) ?? (kind === 'local_shell_call' ? str(payload.id) : undefined);
    if (!callId) {
      ctx.skip({ line: rec.line }, `${kind} without a call_id`);
      continue;
    }
    if (Number.isNaN(timeMs)) {
      ctx.skip({ line: rec.line }, `${kind} line without a valid timestamp: ${JSON.stringify(timeRaw).slice(0, 80)}`);
      continue;
    }
    if (isCall) {
      let tool: string, command: string, cwd: string | undefined;
      if (kind === 'local_shell_call') {
        const action = isObject(payload.action) ? payload.action : {};
        if (!Array.isArray(action.command)) {
          ctx.skip({ line: rec.line }, 'local_shell_call without an action.command argv');
          continue;
        }
        tool = 'local_shell';
        command = joinArgv(action.command);
        cwd = str(action.working_directory);
      } else {
        const raw = kind === 'function_call' ? payload.arguments : payload.input;
        if (typeof payload.name !== 'string' || typeof raw !== 'string') {
          ctx.skip({ line: rec.line }, `${kind} without a string name and ${kind === 'function_call' ? 'arguments' : 'input'}`);
          continue;
        }
        tool = payload.name;
        // custom tools (apply_patch) take free text, not JSON: the text is the input
        const args = kind === 'function_call' ? parseArgs(raw) : undefined;
        command = commandOf(tool, args, raw);
        cwd = isObject(args) ? str(args.workdir) : undefined;
      }
      pending.add(callId, callEvent(rec, timeMs, timeRaw, callId, tool, command, cwd, st, ctx));
      continue;
    }
    const p = pending.get(callId);
    if (!p) continue; // output of a call before a resume / compaction: nothing to pair
    if (isExecEnd) {
      // Persisted only by builds that keep exec events: fills in what the output line lacks.
      const code = num(payload.exit_code);
      if (p.event.exitCode === undefined && code !== undefined) p.event.exitCode = code;
      continue;
    }
    if (p.done) continue;
    const out = readOutput(payload.output);
    const ev = p.event;
    if (timeMs >= ev.timeMs) {
      ev.endMs = timeMs;
      ev.timePrecision = 'call-result';
    }
    if (out.exitCode !== undefined) ev.exitCode = out.exitCode;
    if (out.durationMs !== undefined) ev.fields!.durationMs = out.durationMs;
    if (out.text !== undefined) ev.fields!.output = clip(out.text, OUTPUT_CHARS);
    p.done = true;
    yield* pending.flush(false);
  }
  yield* pending.flush(true);
}

export const codexFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'OpenAI Codex CLI rollout files (session JSON lines under ~/.codex/sessions/)',
  notes:
    'Detected by JSON lines `{timestamp, type, payload}` with type session_meta/response_item/event_msg/turn_context ' +
    'and an ISO timestamp. Tool calls are response_item function_call, custom_tool_call and local_shell_call, paired by ' +
    'call_id with function_call_output / custom_tool_call_output. Interval: call line timestamp to output line ' +
    'timestamp (precision call-result; without an output: start only, precision response). The output\'s ' +
    'metadata.duration_seconds is kept as fields.durationMs, not used for endMs: it is rounded to 0.1 s and the ' +
    'call-to-output bracket always contains the execution. exitCode from metadata.exit_code (or `Exit code: <n>` ' +
    'text). session = session_meta.payload.id; argv arrays are joined with spaces, quoting as a shell would ' +
    '(`bash -lc <script>` is kept whole). Legacy rollouts without per-line timestamps (before Codex 0.30) are not read.',
  probe,
  parse,
};
