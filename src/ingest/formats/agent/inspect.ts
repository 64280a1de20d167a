// Inspect AI eval logs (JSON): one tool call per `tool` event of each sample, with the sandbox execs run
// inside that tool's span attached as evidence. The .eval zip container is not read here.
import type { ForensicEvent, TimePrecision } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, num, readJsonDocument, str, type JsonObject } from '../../shared/json.js';
import { parseIsoMs } from '../../shared/time.js';
import { truncate, summary, compactJson, shellJoin } from '../../shared/text.js';

const NAME = 'inspect';
/** Tools whose argument is the executed program text (Inspect's bash()/python() and common shell tools). */
const COMMAND_ARGS = ['cmd', 'command', 'code'] as const;

function isInspectEvent(v: unknown): boolean {
  return isObject(v) && typeof v.event === 'string' && typeof v.timestamp === 'string' && typeof v.working_start === 'number' && !Number.isNaN(parseIsoMs(v.timestamp));
}

function isEvalHeader(v: unknown): boolean {
  if (!isObject(v) || !isObject(v.eval)) return false;
  const ev = v.eval;
  return (typeof ev.run_id === 'string' || typeof ev.eval_id === 'string') && typeof ev.task === 'string' && typeof ev.created === 'string' && !Number.isNaN(parseIsoMs(ev.created));
}

function isSample(v: unknown): boolean {
  if (!isObject(v) || v.id === undefined || typeof v.epoch !== 'number') return false;
  return (Array.isArray(v.events) && (v.events.length === 0 || isInspectEvent(v.events[0]))) || Array.isArray(v.messages);
}

function isEventsDocument(v: unknown): boolean {
  if (!isObject(v) || !Array.isArray(v.events) || v.events.length === 0) return false;
  const first = v.events.slice(0, 10);
  return first.every(isInspectEvent);
}

function probe(head: Head): number {
  if (head.container !== 'json') return 0;
  const doc = head.document;
  if (doc !== undefined) {
    if (isEvalHeader(doc)) return 0.95;
    if (isSample(doc)) return 0.85;
    if (isEventsDocument(doc)) return 0.8;
    return 0;
  }
  // Too large to parse for detection: an eval log opens with its version, status and eval header.
  const t = head.text;
  return /^\s*\{/.test(t) && /"version"\s*:\s*\d/.test(t) && /"eval"\s*:\s*\{/.test(t) && /"(run_id|eval_id)"\s*:\s*"/.test(t) && /"task"\s*:\s*"/.test(t) ? 0.7 : 0;
}

/** The executed text for shell-like tools, else undefined. */
function programText(args: JsonObject): string | undefined {
  for (const key of COMMAND_ARGS) {
    const v = args[key];
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return shellJoin(v);
  }
  return undefined;
}

/** Tool results are a string or a list of content parts. */
function resultText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const parts = v.map((p) => (isObject(p) ? str(p.text) ?? str(p.content) : str(p))).filter((p): p is string => p !== undefined);
    return parts.length ? parts.join('\n') : undefined;
  }
  return undefined;
}

interface Built {
  event: ForensicEvent;
  order: number;
  /** the sample event it came from (for span linking) */
  raw?: JsonObject;
  position?: number;
  sandbox: string[];
  sandboxExit?: number;
  programmatic: boolean;
}

interface Shared {
  ctx: ParseContext;
  runId?: string;
  model?: string;
  sandboxType?: string;
  /** window of the whole eval, for samples that have only messages */
  window?: { startMs: number; startRaw: string; endMs?: number };
  out: Built[];
  counter: number;
  sessionless: boolean;
}

function sessionOf(shared: Shared, sample: JsonObject): string | undefined {
  const id = str(sample.id);
  const epoch = num(sample.epoch);
  if (id === undefined) return shared.runId;
  const tail = epoch !== undefined ? `${id}/${epoch}` : id;
  return shared.runId !== undefined ? `${shared.runId}/${tail}` : tail;
}

function baseEvent(shared: Shared, index: number, session: string | undefined, sampleId: string | undefined): Omit<ForensicEvent, 'timeMs' | 'timeRaw'> {
  const fields: Record<string, unknown> = {};
  if (shared.model !== undefined) fields.model = shared.model;
  if (sampleId !== undefined) fields.sample = sampleId;
  if (shared.sandboxType !== undefined) fields.sandboxType = shared.sandboxType;
  const e: Omit<ForensicEvent, 'timeMs' | 'timeRaw'> = { kind: 'tool-call', source: 'agent', format: NAME, ref: { path: shared.ctx.path, index }, fields };
  if (session !== undefined) e.session = session;
  else shared.sessionless = true;
  return e;
}

function fromToolEvent(shared: Shared, e: JsonObject, index: number, session: string | undefined, sampleId: string | undefined): Built | undefined {
  const { ctx } = shared;
  const callId = str(e.id);
  const fn = str(e.function);
  if (callId === undefined || fn === undefined) {
    ctx.skip({ index }, `Inspect tool event without ${callId === undefined ? 'an id' : 'a function name'}`);
    return undefined;
  }
  const timeRaw = str(e.timestamp);
  const timeMs = timeRaw === undefined ? NaN : parseIsoMs(timeRaw, ctx.tz);
  if (Number.isNaN(timeMs)) {
    ctx.skip({ index }, `Inspect tool event ${callId} has no valid timestamp`);
    return undefined;
  }
  const args = isObject(e.arguments) ? e.arguments : {};
  const program = programText(args);
  const command = program ?? compactJson(args);
  let endMs: number | undefined;
  let precision: TimePrecision = 'response';
  const completed = str(e.completed);
  const completedMs = completed === undefined ? NaN : parseIsoMs(completed, ctx.tz);
  const workingTime = num(e.working_time);
  if (!Number.isNaN(completedMs)) endMs = completedMs;
  else if (workingTime !== undefined) endMs = timeMs + Math.round(workingTime * 1000);
  if (endMs !== undefined) {
    endMs = Math.max(endMs, timeMs);
    precision = 'exact';
  }
  const event: ForensicEvent = {
    ...baseEvent(shared, index, session, sampleId), timeMs, timeRaw: timeRaw!, callId, tool: fn, command, timePrecision: precision,
    message: summary(fn, command),
  };
  if (endMs !== undefined) event.endMs = endMs;
  const fields = event.fields!;
  const output = resultText(e.result);
  if (output !== undefined && output !== '') fields.output = truncate(output, 2000);
  if (isObject(e.error)) {
    const message = str(e.error.message);
    if (message !== undefined) fields.error = truncate(message, 2000);
    const type = str(e.error.type);
    if (type !== undefined) fields.errorType = type;
  }
  return { event, order: index, raw: e, position: index, sandbox: [], programmatic: program !== undefined };
}

/**
 * Sandbox execs belong to the tool whose span they run in. A tool's span is a `span_begin` of type tool,
 * named after the function, whose parent is the span the tool event was recorded in; it may be listed just
 * before or just after the tool event.
 */
function linkSandbox(events: unknown[], built: Built[]): void {
  const parentOf = new Map<string, string | undefined>();
  const toolSpans: { id: string; name?: string; parent?: string; at: number }[] = [];
  events.forEach((e, at) => {
    if (!isObject(e) || e.event !== 'span_begin') return;
    const id = str(e.id);
    if (id === undefined) return;
    parentOf.set(id, str(e.parent_id));
    if (e.type === 'tool') toolSpans.push({ id, name: str(e.name), parent: str(e.parent_id), at });
  });
  if (toolSpans.length === 0) return;
  const bySpan = new Map<string, Built>();
  const taken = new Set<Built>();
  for (const span of toolSpans) {
    let best: Built | undefined;
    let bestDistance = Infinity;
    for (const b of built) {
      if (taken.has(b) || !b.raw || b.raw.function !== span.name || str(b.raw.span_id) !== span.parent) continue;
      const d = Math.abs((b.position ?? 0) - span.at);
      if (d < bestDistance) {
        best = b;
        bestDistance = d;
      }
    }
    if (best) {
      taken.add(best);
      bySpan.set(span.id, best);
    }
  }
  for (const e of events) {
    if (!isObject(e) || e.event !== 'sandbox' || e.action !== 'exec') continue;
    let span = str(e.span_id);
    let owner: Built | undefined;
    for (let hops = 0; span !== undefined && hops < 50 && !owner; hops++) {
      owner = bySpan.get(span);
      span = parentOf.get(span);
    }
    if (!owner) continue;
    const cmd = str(e.cmd);
    if (cmd !== undefined) owner.sandbox.push(cmd);
    const result = num(e.result);
    if (result !== undefined) owner.sandboxExit = result;
  }
}

/** Samples without events (old logs, or events stripped): tool calls from the messages, timed by the eval window. */
function fromMessages(shared: Shared, messages: unknown[], session: string | undefined, sampleId: string | undefined, sampleWindow: Shared['window']): void {
  const { ctx } = shared;
  const window = sampleWindow ?? shared.window;
  const calls = new Map<string, Built>();
  for (const m of messages) {
    const index = shared.counter++;
    if (!isObject(m)) {
      ctx.skip({ index }, 'Inspect message is not a JSON object');
      continue;
    }
    const add = (callId: string, fn: string, args: JsonObject | undefined): Built | undefined => {
      if (calls.has(callId)) return calls.get(callId);
      if (!window) {
        ctx.skip({ index }, `tool call ${callId} carries no time: no events and no eval/sample start time`);
        return undefined;
      }
      const program = args ? programText(args) : undefined;
      const command = program ?? (args ? compactJson(args) : '');
      const event: ForensicEvent = {
        ...baseEvent(shared, index, session, sampleId), timeMs: window.startMs, timeRaw: window.startRaw, callId, tool: fn, command,
        timePrecision: 'session', message: summary(fn, command),
      };
      if (window.endMs !== undefined) event.endMs = Math.max(window.endMs, window.startMs);
      const b: Built = { event, order: index, sandbox: [], programmatic: program !== undefined };
      calls.set(callId, b);
      shared.out.push(b);
      return b;
    };
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      for (const c of m.tool_calls) {
        if (!isObject(c)) continue;
        const id = str(c.id), fn = str(c.function);
        if (id !== undefined && fn !== undefined) add(id, fn, isObject(c.arguments) ? c.arguments : undefined);
      }
    } else if (m.role === 'tool') {
      const id = str(m.tool_call_id), fn = str(m.function);
      if (id === undefined || fn === undefined) continue;
      const b = add(id, fn, undefined);
      if (!b) continue;
      const fields = b.event.fields!;
      const output = resultText(m.content);
      if (output !== undefined && output !== '' && fields.output === undefined) fields.output = truncate(output, 2000);
      if (isObject(m.error)) {
        const message = str(m.error.message);
        if (message !== undefined) fields.error = truncate(message, 2000);
        const type = str(m.error.type);
        if (type !== undefined) fields.errorType = type;
      }
    }
  }
}

function windowOf(start: unknown, end: unknown, tz: string): Shared['window'] {
  const startRaw = str(start);
  const startMs = startRaw === undefined ? NaN : parseIsoMs(startRaw, tz);
  if (Number.isNaN(startMs)) return undefined;
  const endRaw = str(end);
  const endMs = endRaw === undefined ? NaN : parseIsoMs(endRaw, tz);
  return { startMs, startRaw: startRaw!, endMs: Number.isNaN(endMs) ? undefined : endMs };
}

function readSample(shared: Shared, sample: unknown): void {
  const { ctx } = shared;
  if (!isObject(sample)) {
    ctx.skip({ index: shared.counter }, 'Inspect sample is not a JSON object');
    return;
  }
  const session = sessionOf(shared, sample);
  const sampleId = str(sample.id);
  const events = Array.isArray(sample.events) ? sample.events : [];
  if (events.length === 0) {
    if (Array.isArray(sample.messages)) fromMessages(shared, sample.messages, session, sampleId, windowOf(sample.started_at, sample.completed_at, ctx.tz));
    return;
  }
  const built: Built[] = [];
  for (const e of events) {
    const index = shared.counter++;
    if (!isObject(e)) {
      ctx.skip({ index }, 'Inspect event is not a JSON object');
      continue;
    }
    if (e.event !== 'tool') continue;
    const b = fromToolEvent(shared, e, index, session, sampleId);
    if (b) built.push(b);
  }
  linkSandbox(events, built);
  for (const b of built) {
    if (b.sandbox.length) b.event.fields!.sandboxExec = truncate(b.sandbox.join('\n'), 2000);
    // Only a shell-like tool's exec status is its exit code; other tools run helper processes.
    if (b.programmatic && b.sandboxExit !== undefined) b.event.exitCode = b.sandboxExit;
    shared.out.push(b);
  }
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const doc = await readJsonDocument(lines, ctx);
  if (doc === undefined) return;
  if (!isObject(doc)) {
    ctx.skip({ index: 0 }, 'Inspect log is not a JSON object');
    return;
  }
  const ev = isObject(doc.eval) ? doc.eval : undefined;
  const stats = isObject(doc.stats) ? doc.stats : undefined;
  const shared: Shared = {
    ctx,
    runId: str(ev?.run_id) ?? str(ev?.eval_id),
    model: str(ev?.model),
    sandboxType: isObject(ev?.sandbox) ? str(ev.sandbox.type) : Array.isArray(ev?.sandbox) ? str(ev.sandbox[0]) : undefined,
    window: windowOf(stats?.started_at ?? ev?.created, stats?.completed_at, ctx.tz),
    out: [],
    counter: 0,
    sessionless: false,
  };
  if (Array.isArray(doc.samples)) for (const s of doc.samples) readSample(shared, s);
  else if (isObject(doc.sample)) readSample(shared, doc.sample);
  else if (Array.isArray(doc.events) || Array.isArray(doc.messages)) readSample(shared, doc);
  if (shared.sessionless) ctx.note('Inspect log names no run id or sample id: its tool calls carry no session');
  shared.out.sort((a, b) => a.event.timeMs - b.event.timeMs || a.order - b.order);
  for (const b of shared.out) yield b.event;
}

export const inspectFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'Inspect AI eval log (JSON): tool events of every sample, with their sandbox execs',
  notes:
    'Detected by the eval header (eval.run_id or eval_id, task, a parseable created), or a lone sample {id, epoch, events|messages}, ' +
    'or a document whose events all carry event/timestamp/working_start. Each `tool` event is one call: callId = its id, tool = function, ' +
    'command = the cmd/command/code argument (bash, python), else the compact JSON arguments. Interval = timestamp → completed ' +
    '(else timestamp + working_time): precision exact; with neither, response. Sandbox execs inside the tool\'s span are kept in ' +
    'fields.sandboxExec, and for shell-like tools the last exec status is the exit code. Session = `<run_id>/<sample id>/<epoch>` ' +
    '(eval_id when there is no run_id; without a run id `<sample id>/<epoch>`). Samples that have no events give their messages\' tool calls ' +
    'the eval window (stats.started_at → completed_at) with precision session. ref.index counts the events (or, for samples without ' +
    'events, the messages) of all samples in reading order.',
  probe,
  parse,
};
