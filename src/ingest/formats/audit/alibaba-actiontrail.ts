// Alibaba Cloud ActionTrail events: JSON lines, a JSON array, LookupEvents output, or the Simple Log
// Service (SLS) form where the event is a JSON string (or flattened `event.*` keys) beside `__time__`.
import { ipVersion } from '../../shared/ip.js';
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { recordReader, readsUnits, tryParse } from '../../shared/json-units.js';
import { parseEpochSeconds, parseIsoMs } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'alibaba-actiontrail';
/** RAM / STS refusals: NoPermission, Forbidden.RAM, Forbidden.AccessKeyDisabled, InvalidAccessKeyId.NotFound, ... */
const AUTHZ_CODE = /NoPermission|Forbidden|InvalidAccessKeyId|AccessKeyDisabled|InvalidSecurityToken|Unauthorized|AccessDenied|NotAuthorized/i;
/** ECS instance ids, e.g. i-bp1g6zv0ce8oghu7k2xd: the session name of an instance RAM role */
const INSTANCE_ID = /^i-[a-z0-9]{8,}$/;

function listOf(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObject(v) && Array.isArray(v.Events)) return v.Events;
  return undefined;
}

/** The event itself, from a plain event, an SLS record with an `event` string/object, or flattened `event.*` keys. */
function unwrap(rec: JsonObject): { event?: JsonObject; sls: boolean } {
  if (typeof rec.event === 'string') {
    const inner = tryParse(rec.event);
    return { event: isObject(inner) ? inner : undefined, sls: true };
  }
  if (isObject(rec.event)) return { event: rec.event, sls: true };
  let flat: JsonObject | undefined;
  for (const key of Object.keys(rec)) {
    if (!key.startsWith('event.')) continue;
    flat ??= {};
    const parts = key.slice(6).split('.');
    let cur = flat;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = cur[parts[i]!];
      if (!isObject(next)) cur[parts[i]!] = {};
      cur = cur[parts[i]!] as JsonObject;
    }
    let value = rec[key];
    // SLS stores nested objects of a flattened event as JSON text
    if (typeof value === 'string' && (parts[0] === 'userIdentity' || parts[0] === 'requestParameters') && parts.length === 1 && value.startsWith('{')) value = tryParse(value) ?? value;
    cur[parts[parts.length - 1]!] = value;
  }
  if (flat) return { event: flat, sls: true };
  return { event: rec, sls: false };
}

function isActionTrailEvent(ev: JsonObject | undefined): boolean {
  if (!ev || typeof ev.eventName !== 'string' || typeof ev.eventId !== 'string' || 'awsRegion' in ev) return false;
  const t = str(ev.eventTime);
  if (!t || Number.isNaN(parseIsoMs(t))) return false;
  return typeof ev.acsRegion === 'string' || typeof ev.serviceName === 'string' || (typeof ev.eventSource === 'string' && ev.eventSource.endsWith('aliyuncs.com'));
}

function probe(head: Head): number {
  let recs: unknown[] = [];
  if (head.container === 'jsonl') recs = head.objects.flatMap((o) => listOf(o)?.slice(0, 20) ?? [o]);
  else if (head.container === 'json') recs = listOf(head.document)?.slice(0, 20) ?? [];
  if (recs.length === 0) return 0;
  const hits = recs.filter((r) => isObject(r) && isActionTrailEvent(unwrap(r).event)).length;
  return hits > 0 && hits * 2 >= recs.length ? 0.95 : 0;
}

function instanceFromPrincipal(identity: JsonObject): string | undefined {
  for (const v of [str(identity.principalId), str(identity.userName)]) {
    if (!v) continue;
    const at = Math.max(v.lastIndexOf(':'), v.lastIndexOf('/'));
    if (at >= 0 && INSTANCE_ID.test(v.slice(at + 1))) return v.slice(at + 1);
  }
  return undefined;
}

function toEvent(rec: unknown, ref: Ref, ctx: ParseContext): ForensicEvent | undefined {
  const { path: _path, ...where } = ref;
  if (!isObject(rec)) {
    ctx.skip(where, 'ActionTrail record is not a JSON object');
    return undefined;
  }
  const { event, sls } = unwrap(rec);
  if (!event) {
    ctx.skip(where, 'SLS record whose event field is not a JSON object');
    return undefined;
  }
  let timeRaw = str(event.eventTime);
  let timeMs = timeRaw ? parseIsoMs(timeRaw, 'UTC') : NaN; // ActionTrail eventTime is UTC
  if (Number.isNaN(timeMs) && sls && rec.__time__ !== undefined) {
    timeRaw = str(rec.__time__);
    timeMs = timeRaw ? parseEpochSeconds(timeRaw) : NaN;
  }
  const operation = str(event.eventName);
  if (!timeRaw || Number.isNaN(timeMs) || !operation) {
    ctx.skip(where, 'ActionTrail event without a valid eventTime and eventName');
    return undefined;
  }
  const identity = isObject(event.userIdentity) ? event.userIdentity : {};
  const actor = str(identity.arn) ?? str(identity.userName) ?? str(identity.principalId);
  const sourceIp = str(event.sourceIpAddress);
  const params = isObject(event.requestParameters) ? event.requestParameters : undefined;
  const targetInstance = params ? str(params.InstanceId) : undefined;
  const host = instanceFromPrincipal(identity) ?? (targetInstance && INSTANCE_ID.test(targetInstance) ? targetInstance : undefined);
  const errorCode = str(event.errorCode) || undefined;
  const eventSource = str(event.eventSource);

  const fields: Record<string, unknown> = {};
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') fields[k] = clipField(v);
  };
  set('eventSource', eventSource);
  set('serviceName', str(event.serviceName));
  set('eventType', str(event.eventType));
  set('eventRW', str(event.eventRW));
  set('acsRegion', str(event.acsRegion));
  set('errorCode', errorCode);
  set('errorMessage', str(event.errorMessage));
  set('userAgent', str(event.userAgent));
  set('eventId', str(event.eventId));
  set('requestId', str(event.requestId));
  set('identityType', str(identity.type));
  set('accountId', str(identity.accountId));
  set('accessKeyId', str(identity.accessKeyId));
  set('instanceId', targetInstance);
  if (sls) set('topic', str(rec.__topic__));
  if (errorCode !== undefined && AUTHZ_CODE.test(errorCode)) fields.authzDenied = true;

  const ev: ForensicEvent = { kind: 'audit', source: 'audit', format: NAME, timeMs, timeRaw, ref, operation, action: errorCode ? 'error' : 'allow', fields };
  if (actor) ev.actor = actor;
  if (sourceIp) ev.src = ipVersion(sourceIp) ? { ip: sourceIp } : { domain: sourceIp };
  if (host) ev.host = host;
  if (errorCode) ev.errorCode = errorCode;
  ev.message = `${operation}${eventSource ? ` [${eventSource}]` : ''}${actor ? ` by ${actor}` : ''}${sourceIp ? ` from ${sourceIp}` : ''}${errorCode ? ` -> ${errorCode}` : ''}`;
  return ev;
}

export const alibabaActiontrailFormat: InputFormat = {
  name: NAME,
  source: 'audit',
  description: 'Alibaba Cloud ActionTrail events: JSON lines, JSON array, LookupEvents output, or SLS records (`event` JSON string or flattened event.* keys)',
  notes:
    'Recognized by eventId, eventName, a parsable eventTime and acsRegion/serviceName/an aliyuncs.com eventSource (and no ' +
    'awsRegion). timeMs = eventTime (ISO 8601 UTC), an instant; SLS __time__ (epoch seconds) only when eventTime is missing. ' +
    'A non-empty errorCode gives action "error" (fields.authzDenied for NoPermission, Forbidden.*, InvalidAccessKeyId.*, ...). ' +
    'host = the ECS instance id of an instance-role session, else requestParameters.InstanceId.',
  probe,
  ...readsUnits((ctx) => recordReader(ctx, listOf, toEvent)),
};
