// The normalized event every parser emits and every later stage reads.
// Parsers fill what their format really says; nothing here is guessed by later stages.

/** Where an event came from in the evidence: 1-based `line` for line inputs, 0-based `index` for documents. */
export interface Ref {
  path: string;
  line?: number;
  index?: number;
}

/** A reference with the positions that are known (undefined or null: none), in the order parsers give them. */
export function refFor(path: string, line?: number | null, index?: number | null): Ref {
  const ref: Ref = { path };
  if (line != null) ref.line = line;
  if (index != null) ref.index = index;
  return ref;
}

export type SourceKind = 'firewall' | 'audit' | 'agent' | 'other';

/** The contract's action vocabulary; `block` in vendor logs is normalized to `deny`. */
export type Action = 'allow' | 'deny' | 'drop' | 'reject' | 'alert' | 'error';

export type EventKind =
  /** a connection, flow, packet or IDS alert */
  | 'network'
  /** a cloud / cluster / host audit record (API call, syscall, exec) */
  | 'audit'
  /** one agent tool call, with the interval its format gives */
  | 'tool-call';

/**
 * How precisely the tool call's interval is known, best first.
 * exact: start and end recorded for the call itself (spans, call + result lines with their own stamps).
 * call-result: call and result are separate timestamped records (the interval brackets the execution).
 * response: only the model response time is known (the call ran some time after it).
 * step: times are derived from step durations relative to a known start.
 * session: only the session window is known.
 */
export type TimePrecision = 'exact' | 'call-result' | 'response' | 'step' | 'session';

export interface Endpoint {
  ip?: string;
  port?: number;
  domain?: string;
}

export interface ForensicEvent {
  kind: EventKind;
  source: SourceKind;
  /** the contract's detection name of the input format */
  format: string;
  /** start (or only) time, epoch milliseconds UTC, as parsed (before clock correction) */
  timeMs: number;
  /** end of the interval for windows (flow capture windows, tool calls with a result), epoch ms */
  endMs?: number;
  /** the timestamp text as it stands in the record */
  timeRaw: string;
  ref: Ref;

  /** the host that logged the record (syslog hostname, instance id, node) */
  host?: string;
  sandbox?: string;
  container?: string;
  /** agent session / trajectory id, verbatim */
  session?: string;

  src?: Endpoint;
  dst?: Endpoint;
  proto?: string;
  action?: Action;

  /** audit: who did it, what operation, and the refusal code if any */
  actor?: string;
  operation?: string;
  errorCode?: string;

  /** tool call: the transcript's own id, tool name, executed command text, exit status */
  callId?: string;
  tool?: string;
  command?: string;
  exitCode?: number;
  timePrecision?: TimePrecision;

  /** one-line human summary of the record */
  message?: string;
  /** format-specific fields, for rules (e.g. suricata `alert.signature`, auditd `exe`) */
  fields?: Record<string, unknown>;
}

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Stable total order of events: time, then path, then line/index. */
export function compareEvents(a: ForensicEvent, b: ForensicEvent): number {
  return (
    a.timeMs - b.timeMs ||
    compareRefs(a.ref, b.ref)
  );
}

export function compareRefs(a: Ref, b: Ref): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0) || (a.index ?? -1) - (b.index ?? -1) || (a.line ?? -1) - (b.line ?? -1);
}

export function formatRef(ref: Ref): string {
  if (ref.line !== undefined) return `${ref.path}:${ref.line}`;
  if (ref.index !== undefined) return `${ref.path}#${ref.index}`;
  return ref.path;
}
