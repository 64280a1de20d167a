// Google Cloud Audit Logs: LogEntry records whose protoPayload is a google.cloud.audit.AuditLog
// (JSON lines, a `gcloud logging read --format=json` array, or an entries.list `{"entries": [...]}`).
import { ipVersion } from '../../shared/ip.js';
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { recordReader, readsUnits } from '../../shared/json-units.js';
import { parseIsoMs } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'gcp-audit';
const AUDIT_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';
/** google.rpc.Code canonical names (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto) */
const CODES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

function entriesOf(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObject(v) && Array.isArray(v.entries)) return v.entries;
  return undefined;
}

function isAuditEntry(v: unknown): v is JsonObject {
  if (!isObject(v) || !isObject(v.protoPayload) || v.protoPayload['@type'] !== AUDIT_TYPE) return false;
  const t = str(v.timestamp) ?? str(v.receiveTimestamp);
  return t !== undefined && !Number.isNaN(parseIsoMs(t)) && typeof v.protoPayload.methodName === 'string';
}

function probe(head: Head): number {
  let recs: unknown[] = [];
  if (head.container === 'jsonl') recs = head.objects.flatMap((o) => entriesOf(o)?.slice(0, 20) ?? [o]);
  else if (head.container === 'json') recs = entriesOf(head.document)?.slice(0, 20) ?? [];
  if (recs.length === 0) return 0;
  const hits = recs.filter(isAuditEntry).length;
  return hits > 0 && hits * 2 >= recs.length ? 0.95 : 0;
}

function toEvent(entry: unknown, ref: Ref, ctx: ParseContext): ForensicEvent | undefined {
  const { path: _path, ...where } = ref;
  if (!isAuditEntry(entry)) {
    ctx.skip(where, 'not a Cloud Audit Logs entry (protoPayload AuditLog with methodName and a valid timestamp)');
    return undefined;
  }
  const p = entry.protoPayload as JsonObject;
  const timeRaw = str(entry.timestamp) ?? str(entry.receiveTimestamp)!;
  const timeMs = parseIsoMs(timeRaw, ctx.tz);
  const operation = str(p.methodName)!;
  const serviceName = str(p.serviceName);
  const authn = isObject(p.authenticationInfo) ? p.authenticationInfo : {};
  const actor = str(authn.principalEmail) ?? str(authn.principalSubject);
  const meta = isObject(p.requestMetadata) ? p.requestMetadata : {};
  const callerIp = str(meta.callerIp);
  const status = isObject(p.status) ? p.status : {};
  const code = typeof status.code === 'number' ? status.code : 0;
  const authz = Array.isArray(p.authorizationInfo) ? p.authorizationInfo.filter(isObject) : [];
  // proto3 JSON drops false booleans, so only an explicit `granted: false` is read as a refusal when status is OK
  const refused = authz.find((a) => a.granted === false);
  let errorCode: string | undefined;
  if (code !== 0) errorCode = CODES[code] ?? String(code);
  else if (refused) errorCode = 'PERMISSION_DENIED';

  const resource = isObject(entry.resource) ? entry.resource : {};
  const labels = isObject(resource.labels) ? resource.labels : {};
  const resourceName = str(p.resourceName);
  let host: string | undefined;
  if (resource.type === 'gce_instance') {
    const at = resourceName ? resourceName.lastIndexOf('/instances/') : -1;
    host = at >= 0 ? resourceName!.slice(at + 11) : str(labels.instance_id);
  }

  const fields: Record<string, unknown> = {};
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') fields[k] = clipField(v);
  };
  set('serviceName', serviceName);
  set('resourceName', resourceName);
  set('resourceType', str(resource.type));
  for (const [k, v] of Object.entries(labels)) set(`resource.${k}`, str(v));
  set('logName', str(entry.logName));
  set('severity', str(entry.severity));
  set('insertId', str(entry.insertId));
  if (code !== 0) fields.statusCode = code;
  set('statusMessage', str(status.message));
  set('errorCode', errorCode);
  set('callerIp', callerIp);
  set('userAgent', str(meta.callerSuppliedUserAgent));
  set('permission', str((refused ?? authz[0])?.permission));
  if (errorCode === 'PERMISSION_DENIED' || errorCode === 'UNAUTHENTICATED') fields.authzDenied = true;
  const op = isObject(entry.operation) ? entry.operation : undefined;
  if (op) set('operationId', str(op.id));

  const ev: ForensicEvent = { kind: 'audit', source: 'audit', format: NAME, timeMs, timeRaw, ref, operation, action: errorCode ? 'error' : 'allow', fields };
  if (actor) ev.actor = actor;
  if (callerIp && ipVersion(callerIp)) ev.src = { ip: callerIp };
  if (host) ev.host = host;
  if (errorCode) ev.errorCode = errorCode;
  ev.message = `${operation}${serviceName ? ` [${serviceName}]` : ''}${actor ? ` by ${actor}` : ''}${callerIp ? ` from ${callerIp}` : ''}${errorCode ? ` -> ${errorCode}` : ''}`;
  return ev;
}

export const gcpAuditFormat: InputFormat = {
  name: NAME,
  source: 'audit',
  description: 'Google Cloud Audit Logs (LogEntry with an AuditLog protoPayload): JSON lines, a JSON array or {"entries": [...]}',
  notes:
    'Recognized by protoPayload.@type google.cloud.audit.AuditLog with methodName and a parsable timestamp. timeMs = ' +
    'the entry timestamp (RFC 3339, UTC; receiveTimestamp when missing), an instant. status.code != 0 gives action ' +
    '"error" with errorCode = the google.rpc canonical name (7 PERMISSION_DENIED, 16 UNAUTHENTICATED, ...); an explicit ' +
    'authorizationInfo[].granted=false also gives PERMISSION_DENIED. src.ip = requestMetadata.callerIp when it is an IP ' +
    '(values like "private" stay in fields.callerIp); host = the instance name for gce_instance resources.',
  probe,
  ...readsUnits((ctx) => recordReader(ctx, entriesOf, toEvent)),
};
