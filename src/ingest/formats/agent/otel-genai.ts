// OTLP/JSON trace exports (a whole document, or the collector file exporter's JSON lines): every span
// following the OpenTelemetry GenAI `execute_tool` convention is one tool call; all other spans are context only.
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { jsonLinesOrDocument } from '../../shared/json-input.js';
import { parseEpochNanos } from '../../shared/time.js';
import { truncate, summary, compactJson, commandFromArguments } from '../../shared/text.js';

const NAME = 'otel-genai';
// Semantic conventions, GenAI spans, "Execute tool span":
// https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/#execute-tool-span
const OP = 'gen_ai.operation.name';
const TOOL_NAME = 'gen_ai.tool.name';
const CALL_ID = 'gen_ai.tool.call.id';
const ARGUMENTS = 'gen_ai.tool.call.arguments';
const RESULT = 'gen_ai.tool.call.result';
const CONVERSATION = 'gen_ai.conversation.id';
/** OTLP Status.code: 2 = STATUS_CODE_ERROR */
const STATUS_ERROR = 2;

/** Scope-span lists: `scopeSpans`, or `instrumentationLibrarySpans` in OTLP before 0.15. */
function scopeLists(rs: JsonObject): unknown[] {
  if (Array.isArray(rs.scopeSpans)) return rs.scopeSpans;
  if (Array.isArray(rs.instrumentationLibrarySpans)) return rs.instrumentationLibrarySpans;
  return [];
}

function nanosText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  // JSON numbers above 2^53 have lost their last digits already; still good to the millisecond.
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v)).toString();
  return undefined;
}

function hasIds(v: unknown): v is JsonObject {
  return isObject(v) && typeof v.traceId === 'string' && typeof v.spanId === 'string';
}

function hasStart(v: JsonObject): boolean {
  const start = nanosText(v.startTimeUnixNano);
  return start !== undefined && !Number.isNaN(parseEpochNanos(start));
}

/** True when the object is an OTLP traces request: every span seen has ids, and one has a parseable start. */
function isTracesRequest(v: unknown): boolean {
  if (!isObject(v) || !Array.isArray(v.resourceSpans)) return false;
  let timed = 0;
  for (const rs of v.resourceSpans.slice(0, 5)) {
    if (!isObject(rs)) return false;
    for (const ss of scopeLists(rs).slice(0, 5)) {
      if (!isObject(ss) || !Array.isArray(ss.spans)) return false;
      for (const span of ss.spans.slice(0, 5)) {
        if (!hasIds(span)) return false;
        if (hasStart(span)) timed++;
      }
    }
  }
  return timed > 0;
}

function probe(head: Head): number {
  if (head.container === 'json') {
    if (head.document !== undefined) return isTracesRequest(head.document) ? 0.95 : 0;
    const t = head.text;
    return /^\s*\{\s*"resourceSpans"\s*:\s*\[/.test(t) && /"startTimeUnixNano"\s*:/.test(t) && /"spanId"\s*:\s*"/.test(t) ? 0.6 : 0;
  }
  if (head.container === 'jsonl' && head.objects.length > 0) {
    const good = head.objects.filter(isTracesRequest).length;
    return good * 2 >= head.objects.length ? 0.9 : 0;
  }
  return 0;
}

/** OTLP/JSON AnyValue → plain JS value. */
function anyValue(v: unknown): unknown {
  if (!isObject(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return typeof v.intValue === 'string' ? Number(v.intValue) : v.intValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('bytesValue' in v) return v.bytesValue;
  if (isObject(v.arrayValue)) return Array.isArray(v.arrayValue.values) ? v.arrayValue.values.map(anyValue) : [];
  if (isObject(v.kvlistValue)) return attributes(v.kvlistValue.values);
  return undefined;
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) if (isObject(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : compactJson(v);
}

interface Collected {
  event: ForensicEvent;
  order: number;
}

/** One ExportTraceServiceRequest → tool-call events; `refOf(n)` names the n-th span of the input. */
function collect(request: JsonObject, ctx: ParseContext, refOf: (spanIndex: number) => Ref, counter: { n: number }, out: Collected[]): void {
  const resourceSpans = Array.isArray(request.resourceSpans) ? request.resourceSpans : [];
  for (const rs of resourceSpans) {
    if (!isObject(rs)) continue;
    const resource = attributes(isObject(rs.resource) ? rs.resource.attributes : undefined);
    for (const ss of scopeLists(rs)) {
      if (!isObject(ss) || !Array.isArray(ss.spans)) continue;
      for (const span of ss.spans) {
        const n = counter.n++;
        const ref = refOf(n);
        const where = ref.line !== undefined ? { line: ref.line } : { index: ref.index };
        if (!isObject(span)) {
          ctx.skip(where, 'OTLP span is not a JSON object');
          continue;
        }
        const attrs = attributes(span.attributes);
        const name = str(span.name) ?? '';
        const isTool = attrs[OP] === 'execute_tool' || (attrs[OP] === undefined && name.startsWith('execute_tool '));
        if (!isTool) continue;
        const startRaw = nanosText(span.startTimeUnixNano);
        const timeMs = startRaw === undefined ? NaN : parseEpochNanos(startRaw);
        if (Number.isNaN(timeMs)) {
          ctx.skip(where, `execute_tool span ${str(span.spanId) ?? '(no spanId)'} has no valid startTimeUnixNano`);
          continue;
        }
        const endRaw = nanosText(span.endTimeUnixNano);
        const endMs = endRaw === undefined ? NaN : parseEpochNanos(endRaw);
        const spanId = str(span.spanId);
        const traceId = str(span.traceId);
        const tool = str(attrs[TOOL_NAME]) ?? (name.startsWith('execute_tool ') ? name.slice('execute_tool '.length) : name);
        const callId = str(attrs[CALL_ID]) ?? spanId;
        const command = commandFromArguments(attrs[ARGUMENTS]);
        const fields: Record<string, unknown> = {};
        if (spanId !== undefined) fields.spanId = spanId;
        if (traceId !== undefined) fields.traceId = traceId;
        const service = str(resource['service.name']);
        if (service !== undefined) fields.service = service;
        const toolType = str(attrs['gen_ai.tool.type']);
        if (toolType !== undefined) fields.toolType = toolType;
        const output = text(attrs[RESULT]);
        if (output !== undefined) fields.output = truncate(output, 2000);
        const errorType = str(attrs['error.type']);
        if (errorType !== undefined) fields.error = errorType;
        const status = isObject(span.status) ? span.status : undefined;
        if (status && (status.code === STATUS_ERROR || status.code === 'STATUS_CODE_ERROR')) {
          fields.status = 'error';
          const msg = str(status.message);
          if (msg !== undefined) fields.statusMessage = truncate(msg, 2000);
        }
        const model = str(attrs['gen_ai.request.model']) ?? str(attrs['gen_ai.response.model']);
        if (model !== undefined) fields.model = model;
        const cwd = str(attrs['process.working_directory']);
        if (cwd !== undefined) fields.cwd = cwd;
        const event: ForensicEvent = {
          kind: 'tool-call', source: 'agent', format: NAME, timeMs, timeRaw: startRaw!, ref,
          callId, tool, command, timePrecision: 'exact',
          session: str(attrs[CONVERSATION]) ?? str(resource[CONVERSATION]) ?? traceId,
          message: summary(tool, command),
          fields,
        };
        if (!Number.isNaN(endMs)) event.endMs = Math.max(endMs, timeMs);
        const exit = attrs['process.exit.code'];
        if (typeof exit === 'number' && Number.isInteger(exit)) event.exitCode = exit;
        const host = str(resource['host.name']);
        if (host !== undefined) event.host = host;
        const container = str(resource['container.id']);
        if (container !== undefined) event.container = container;
        out.push({ event, order: n });
      }
    }
  }
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const out: Collected[] = [];
  const counter = { n: 0 };
  const input = await jsonLinesOrDocument(lines, ctx);
  if (!input) return;
  if (input.kind === 'document') {
    // A pretty-printed document: spans are referenced by their position in reading order.
    const doc = input.document;
    if (!isObject(doc) || !Array.isArray(doc.resourceSpans)) {
      ctx.skip({ index: 0 }, 'JSON document is not an OTLP traces export (no resourceSpans)');
      return;
    }
    collect(doc, ctx, (n) => ({ path: ctx.path, index: n }), counter, out);
  } else {
    // JSON lines, one ExportTraceServiceRequest per line (collector file exporter).
    for await (const { rec, obj } of input.objects) {
      if (!Array.isArray(obj.resourceSpans)) {
        ctx.skip({ line: rec.line }, 'not an OTLP traces export line (no resourceSpans)');
        continue;
      }
      collect(obj, ctx, () => ({ path: ctx.path, line: rec.line }), counter, out);
    }
  }
  out.sort((a, b) => a.event.timeMs - b.event.timeMs || a.order - b.order);
  for (const c of out) yield c.event;
}

export const otelGenaiFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'OTLP/JSON traces (document or collector JSON lines) with OpenTelemetry GenAI execute_tool spans',
  notes:
    'Detected as any OTLP/JSON traces export whose spans carry traceId, spanId and a parseable startTimeUnixNano (spans of other kinds are ' +
    'read but give no events). A span with gen_ai.operation.name = execute_tool (or, lacking that attribute, named `execute_tool <tool>`) ' +
    'is one call: callId = gen_ai.tool.call.id (else the spanId), tool = gen_ai.tool.name, command = the command/cmd argument of ' +
    'gen_ai.tool.call.arguments, else its compact JSON; output = gen_ai.tool.call.result. Interval = startTimeUnixNano → endTimeUnixNano ' +
    '(UTC nanoseconds), precision exact. Session = gen_ai.conversation.id, else the traceId. host = resource host.name, container = ' +
    'container.id. ref.index = position of the span among all spans of a document; JSON lines refs give the line.',
  probe,
  parse,
};
