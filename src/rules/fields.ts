// How a rule names an event's values: the event's own dotted paths (dst.ip, fields.signature),
// bare format-specific keys (signature → fields.signature), and a few Sigma taxonomy names.
import type { ForensicEvent } from '../model/event.js';

/** Sigma taxonomy names (network_connection, process_creation, cloud) → our event paths. */
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  DestinationIp: 'dst.ip',
  DestinationPort: 'dst.port',
  DestinationHostname: 'dst.domain',
  SourceIp: 'src.ip',
  SourcePort: 'src.port',
  Protocol: 'proto',
  CommandLine: 'command',
  Image: 'fields.exe',
  eventName: 'operation',
  eventSource: 'fields.eventSource',
  errorCode: 'errorCode',
  Computer: 'host',
};

const TOP_LEVEL = new Set(['kind', 'source', 'format', 'timeMs', 'endMs', 'timeRaw', 'host', 'sandbox', 'container', 'session', 'src', 'dst', 'proto', 'action', 'actor', 'operation', 'errorCode', 'callId', 'tool', 'command', 'exitCode', 'timePrecision', 'message', 'fields']);

/** The value a rule field name refers to in an event, or undefined when absent. */
export function getField(event: ForensicEvent, name: string): unknown {
  const path = FIELD_ALIASES[name] ?? name;
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  if (!TOP_LEVEL.has(head)) return event.fields?.[path];
  let cur: unknown = event;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur === undefined && head === 'fields') return undefined;
  return cur;
}
