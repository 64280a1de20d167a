// How a rule names an event's values: the event's own dotted paths (dst.ip, fields.signature),
// bare format-specific keys (signature → fields.signature), Sigma taxonomy names, and the source
// field names real Sigma rules use per log source (eventName, id.resp_h, a0...), all in ONE table.
import type { ForensicEvent } from '../model/event.js';

/** Where a rule field's value comes from: an event path, or a value computed from the event. */
export type FieldSource = string | ((event: ForensicEvent) => unknown);

// Vendor words for our action vocabulary: Sigma's firewall taxonomy writes `denied`, `blocked`,
// `accept`. Only synonyms, never a word of another of our actions, so `action: deny` stays exact.
// Frozen: rule matching remembers its answer per list (match.ts), so a list must never change.
const ACTION_SYNONYMS: Record<string, readonly string[]> = Object.fromEntries(Object.entries({
  allow: ['allow', 'allowed', 'accept', 'accepted', 'pass', 'permit', 'permitted'],
  deny: ['deny', 'denied', 'block', 'blocked'],
  drop: ['drop', 'dropped'],
  reject: ['reject', 'rejected'],
  alert: ['alert'],
  error: ['error', 'failure', 'failed'],
}).map(([action, words]) => [action, Object.freeze(words)]));

/** auditd EXECVE arguments: the parser joins argv with joinArgv's quoting; this inverts it. */
export function splitArgv(command: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < command.length) {
    while (command[i] === ' ') i++;
    if (i >= command.length) break;
    let arg = '';
    if (command[i] === '"') {
      i++;
      while (i < command.length && command[i] !== '"') {
        if (command[i] === '\\' && i + 1 < command.length) i++;
        arg += command[i++];
      }
      i++;
    } else {
      while (i < command.length && command[i] !== ' ') arg += command[i++];
    }
    out.push(arg);
  }
  return out;
}

/** What each computed field reads of an event, by path: lets a scan know the rules leave some parts unread. */
const READS = new WeakMap<object, readonly string[]>();
function reading<F extends (e: ForensicEvent) => unknown>(paths: readonly string[], fn: F): F {
  READS.set(fn, paths);
  return fn;
}

const argvOf = (e: ForensicEvent): string[] | undefined =>
  e.command !== undefined && String(e.fields?.recordTypes ?? '').split(',').includes('EXECVE') ? splitArgv(e.command) : undefined;
const argAt = (n: number) => reading(['command', 'fields.recordTypes'], (e: ForensicEvent) => argvOf(e)?.[n]);
const AUDITD_ARGS: Record<string, FieldSource> = Object.fromEntries(Array.from({ length: 10 }, (_, n) => [`a${n}`, argAt(n)]));
const srcAddress = reading(['src.ip', 'src.domain'], (e: ForensicEvent) => e.src?.ip ?? e.src?.domain);

/**
 * Rule field names → event values. `*` applies to every format (Sigma taxonomy names of the
 * network_connection, firewall, dns, process_creation and cloud categories); a format's own entry
 * wins over `*` and holds the source field names of that log (what SigmaHQ rules for the product use).
 * Names absent here resolve to the event path (dst.ip, fields.x) or to the bare format field.
 */
export const FIELD_ALIASES: Readonly<Record<string, Readonly<Record<string, FieldSource>>>> = {
  '*': {
    DestinationIp: 'dst.ip', DestinationPort: 'dst.port', DestinationHostname: 'dst.domain',
    SourceIp: 'src.ip', SourcePort: 'src.port', SourceHostname: 'src.domain', Protocol: 'proto',
    src_ip: 'src.ip', src_port: 'src.port', dst_ip: 'dst.ip', dst_port: 'dst.port', dst_host: 'dst.domain',
    query: 'dst.domain', QueryName: 'dst.domain', 'dns.question.name': 'dst.domain',
    CommandLine: 'command', Image: 'fields.exe', ParentProcessId: 'fields.ppid', ProcessId: 'fields.pid', User: 'actor',
    eventName: 'operation', eventSource: 'fields.eventSource', errorCode: 'errorCode',
    Computer: 'host', ComputerName: 'host',
    action: reading(['action'], (e) => (e.action ? (Object.hasOwn(ACTION_SYNONYMS, e.action) ? ACTION_SYNONYMS[e.action] : [e.action]) : undefined)),
  },
  'aws-cloudtrail': {
    errorMessage: 'fields.errorMessage', userAgent: 'fields.userAgent', awsRegion: 'fields.awsRegion',
    eventType: 'fields.eventType', eventID: 'fields.eventID', recipientAccountId: 'fields.recipientAccountId',
    'userIdentity.type': 'fields.identityType', type: 'fields.identityType',
    'userIdentity.arn': 'actor', 'userIdentity.accessKeyId': 'fields.accessKeyId',
    sourceIPAddress: srcAddress, 'requestParameters.instanceId': 'fields.instanceId',
  },
  'alibaba-actiontrail': {
    'userIdentity.type': 'fields.identityType', 'userIdentity.accessKeyId': 'fields.accessKeyId',
    sourceIpAddress: srcAddress, acsRegion: 'fields.acsRegion', errorMessage: 'fields.errorMessage',
  },
  'gcp-audit': {
    'gcp.audit.method_name': 'operation', 'protoPayload.methodName': 'operation', methodName: 'operation',
    'gcp.audit.service_name': 'fields.serviceName', 'protoPayload.serviceName': 'fields.serviceName',
    'gcp.audit.principal_email': 'actor', 'protoPayload.authenticationInfo.principalEmail': 'actor',
    'gcp.audit.resource_name': 'fields.resourceName', 'protoPayload.resourceName': 'fields.resourceName',
    'protoPayload.status.code': 'fields.statusCode', 'protoPayload.requestMetadata.callerIp': srcAddress,
  },
  'azure-activity': {
    operationName: 'operation', OperationNameValue: 'operation', Caller: 'actor', CallerIpAddress: srcAddress,
    ActivityStatusValue: 'fields.status', ResultType: 'fields.status', ResourceId: 'fields.resourceId',
  },
  'k8s-audit': {
    'objectRef.resource': 'fields.resource', 'objectRef.subresource': 'fields.subresource',
    'objectRef.namespace': 'fields.namespace', 'objectRef.name': 'fields.name',
    'user.username': 'actor', 'user.groups': 'fields.groups', 'responseStatus.code': 'fields.code',
    sourceIPs: srcAddress,
  },
  'zeek-conn': {
    'id.orig_h': 'src.ip', 'id.orig_p': 'src.port', 'id.resp_h': 'dst.ip', 'id.resp_p': 'dst.port',
  },
  'suricata-eve': {
    src_ip: 'src.ip', dest_ip: 'dst.ip', dest_port: 'dst.port',
    'alert.signature': 'fields.signature', 'alert.signature_id': 'fields.signature_id',
    'alert.category': 'fields.category', 'alert.severity': 'fields.severity', 'alert.action': 'fields.alert_action',
    'dns.rrname': 'dst.domain', 'dns.query.rrname': 'dst.domain', 'tls.sni': 'dst.domain', 'http.hostname': 'dst.domain',
    'http.url': 'fields.url', 'http.http_user_agent': 'fields.http_user_agent',
    answers: reading(['fields.output'], (e) => (typeof e.fields?.output === 'string' ? e.fields.output.split(',') : undefined)),
    'flow.bytes_toserver': 'fields.bytes_toserver', 'flow.bytes_toclient': 'fields.bytes_toclient',
  },
  auditd: {
    // Sigma's auditd rules test one record type (`type: EXECVE`); our event groups a whole audit event.
    type: reading(['fields.recordTypes'], (e) => (typeof e.fields?.recordTypes === 'string' ? e.fields.recordTypes.split(',') : undefined)),
    syscall: 'operation',
    ...AUDITD_ARGS,
  },
  'aws-vpc-flow': { srcAddr: 'src.ip', dstAddr: 'dst.ip', srcPort: 'src.port', dstPort: 'dst.port' },
  'opensandbox-egress': {
    'target.host': 'dst.domain', peer: 'dst.ip',
    answers: reading(['fields.output'], (e) => (typeof e.fields?.output === 'string' ? e.fields.output.split(',') : undefined)),
  },
};

const TOP_LEVEL = new Set(['kind', 'source', 'format', 'timeMs', 'endMs', 'timeRaw', 'host', 'sandbox', 'container', 'session', 'src', 'dst', 'proto', 'action', 'actor', 'operation', 'errorCode', 'callId', 'tool', 'command', 'exitCode', 'timePrecision', 'message', 'fields']);

/** Paths split once: correlations read the same few paths of every event they count. */
const PATH_KEYS = new Map<string, string[] | null>();

function pathKeys(path: string): string[] | null {
  let keys = PATH_KEYS.get(path);
  if (keys === undefined) {
    const dot = path.indexOf('.');
    // A name that is not a top-level property is a key of `fields`, dots and all.
    keys = TOP_LEVEL.has(dot < 0 ? path : path.slice(0, dot)) ? path.split('.') : null;
    if (PATH_KEYS.size >= 4096) PATH_KEYS.clear();
    PATH_KEYS.set(path, keys);
  }
  return keys;
}

function byPath(event: ForensicEvent, path: string): unknown {
  const keys = pathKeys(path);
  if (keys === null) return event.fields?.[path];
  let cur: unknown = event;
  for (const key of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Where a rule field name points for events of this format (for `rules list` and docs). */
export function fieldSource(format: string, name: string): FieldSource {
  return FIELD_ALIASES[format]?.[name] ?? FIELD_ALIASES['*']![name] ?? name;
}

/**
 * What a rule field reads of an event: for each path, the top-level property and, for `fields`, the
 * key (a bare format field name is a `fields` key). Undefined for a computed field that does not say.
 */
function readParts(format: string, name: string): { head: string; fieldKey?: string }[] | undefined {
  const source = fieldSource(format, name);
  const paths = typeof source === 'function' ? READS.get(source) : [source];
  return paths?.map((path) => {
    const [head, key] = path.split('.', 2) as [string, string | undefined];
    if (!TOP_LEVEL.has(head)) return { head: 'fields', fieldKey: path };
    return head === 'fields' ? { head, fieldKey: key } : { head };
  });
}

/**
 * The `fields` keys a rule field reads, when it reads `fields` only by key (none when it reads
 * top-level properties only); undefined when it may read `message`, the whole `fields`, or it cannot tell.
 */
export function fieldKeysRead(format: string, name: string): string[] | undefined {
  const parts = readParts(format, name);
  if (!parts || parts.some((p) => p.head === 'message' || (p.head === 'fields' && p.fieldKey === undefined))) return undefined;
  return parts.flatMap((p) => (p.fieldKey === undefined ? [] : [p.fieldKey]));
}

/**
 * Whether a rule field reads only `fields` keys outside this list (so, for a format whose `fields`
 * hold only these keys, the field is never present).
 */
export function onlyOtherFieldKeys(format: string, name: string, fieldKeys: readonly string[]): boolean {
  const parts = readParts(format, name);
  if (!parts) return false;
  return parts.every((p) => p.fieldKey !== undefined && !fieldKeys.includes(p.fieldKey));
}

/** The value a rule field name refers to in an event, or undefined when absent (may be a list). */
export function getField(event: ForensicEvent, name: string): unknown {
  const source = fieldSource(event.format, name);
  return typeof source === 'function' ? source(event) : byPath(event, source);
}

/**
 * One comparable text for a field, for grouping and counting in correlations: the event's own
 * value (not the synonyms a rule may test), lists joined, absent as ''.
 */
export function fieldKey(event: ForensicEvent, name: string): string {
  const source = name === 'action' ? 'action' : fieldSource(event.format, name);
  const v = typeof source === 'function' ? source(event) : byPath(event, source);
  if (v === undefined || v === null) return '';
  return Array.isArray(v) ? v.map(String).join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
