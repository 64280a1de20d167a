// AWS CloudTrail: S3 `Records` files, JSON lines of events, and `aws cloudtrail lookup-events` output.
// Each record becomes one audit event; which records are violations is the rules' business.
import { ipVersion } from '../../shared/ip.js';
import { refFor, type ForensicEvent, type Ref } from '../../../model/event.js';
import type { Head, InputFormat, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { readsUnits, tryParse } from '../../shared/json-units.js';
import { parseEpochSeconds, parseIsoMs } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'aws-cloudtrail';
/** Error codes that mean "refused for authorization" (IAM, EC2, STS, service-specific variants). */
const AUTHZ_CODE = /AccessDenied|Unauthorized|Forbidden|NotAuthorized|AuthorizationError|AuthFailure/i;
/** `arn:aws:sts::<acct>:assumed-role/<role>/i-0123abcd`: the session name of an EC2 instance role is the instance id. */
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** The records a probe can look at: JSON lines objects, or the first items of a document. */
function candidates(head: Head): unknown[] {
  const out: unknown[] = [];
  const add = (v: unknown) => {
    if (isObject(v) && Array.isArray(v.Records)) out.push(...v.Records.slice(0, 20));
    else if (isObject(v) && Array.isArray(v.Events)) out.push(...v.Events.slice(0, 20).map(innerEvent));
    else if (Array.isArray(v)) out.push(...v.slice(0, 20));
    else out.push(v);
  };
  if (head.container === 'jsonl') head.objects.forEach(add);
  else if (head.container === 'json' && head.document !== undefined) add(head.document);
  return out;
}

/** A lookup-events item carries the full record as a JSON string in `CloudTrailEvent`. */
function innerEvent(item: unknown): unknown {
  if (!isObject(item) || typeof item.CloudTrailEvent !== 'string') return item;
  return tryParse(item.CloudTrailEvent) ?? item;
}

function isCloudTrailRecord(v: unknown): boolean {
  if (!isObject(v)) return false;
  const time = str(v.eventTime);
  if (!time || Number.isNaN(parseIsoMs(time))) return false;
  if (typeof v.eventName !== 'string' || typeof v.eventSource !== 'string') return false;
  return (typeof v.awsRegion === 'string' || v.eventSource.endsWith('.amazonaws.com')) && ('eventVersion' in v || 'eventID' in v || 'userIdentity' in v);
}

function probe(head: Head): number {
  const recs = candidates(head);
  if (recs.length > 0) {
    const hits = recs.filter(isCloudTrailRecord).length;
    return hits > 0 && hits * 2 >= recs.length ? 0.95 : 0;
  }
  // A Records file too big for the head to hold one whole line: look at the text.
  const text = head.text.trimStart();
  if (/^\{\s*"Records"\s*:\s*\[/.test(text) && text.includes('"eventVersion"') && text.includes('"awsRegion"') && /"eventTime"\s*:\s*"\d{4}-\d\d-\d\dT/.test(text)) return 0.8;
  return 0;
}

function instanceFromPrincipal(identity: JsonObject): string | undefined {
  const arn = str(identity.arn);
  if (arn && arn.includes(':assumed-role/')) {
    const session = arn.slice(arn.lastIndexOf('/') + 1);
    if (INSTANCE_ID.test(session)) return session;
  }
  const principal = str(identity.principalId);
  if (principal && principal.includes(':')) {
    const session = principal.slice(principal.lastIndexOf(':') + 1);
    if (INSTANCE_ID.test(session)) return session;
  }
  return undefined;
}

/** Normalizes one CloudTrail record; `fallback` holds the lookup-events envelope for records without their own values. */
function toEvent(rec: unknown, ref: Ref, ctx: ParseContext, fallback?: JsonObject): ForensicEvent | undefined {
  const { path: _path, ...where } = ref;
  if (!isObject(rec)) {
    ctx.skip(where, 'CloudTrail record is not a JSON object');
    return undefined;
  }
  let timeRaw = str(rec.eventTime);
  let timeMs = timeRaw ? parseIsoMs(timeRaw, ctx.tz) : NaN;
  if (Number.isNaN(timeMs) && fallback) {
    // lookup-events: AWS CLI v2 prints ISO 8601, v1 epoch seconds
    timeRaw = str(fallback.EventTime);
    if (timeRaw) timeMs = /^\d+(\.\d+)?$/.test(timeRaw) ? parseEpochSeconds(timeRaw) : parseIsoMs(timeRaw, ctx.tz);
  }
  if (!timeRaw || Number.isNaN(timeMs)) {
    ctx.skip(where, 'CloudTrail record without a valid eventTime');
    return undefined;
  }
  const operation = str(rec.eventName) ?? (fallback ? str(fallback.EventName) : undefined);
  if (!operation) {
    ctx.skip(where, 'CloudTrail record without eventName');
    return undefined;
  }
  const identity = isObject(rec.userIdentity) ? rec.userIdentity : {};
  const actor =
    str(identity.arn) ?? str(identity.userName) ?? str(identity.principalId) ?? str(identity.invokedBy) ?? (fallback ? str(fallback.Username) : undefined);
  const sourceIp = str(rec.sourceIPAddress);
  const src = sourceIp ? (ipVersion(sourceIp) ? { ip: sourceIp } : { domain: sourceIp }) : undefined;
  const params = isObject(rec.requestParameters) ? rec.requestParameters : undefined;
  const targetInstance = params ? str(params.instanceId) : undefined;
  const host = instanceFromPrincipal(identity) ?? targetInstance;
  const errorCode = str(rec.errorCode) || undefined;
  const errorMessage = str(rec.errorMessage) || undefined;
  const response = isObject(rec.responseElements) ? rec.responseElements : undefined;
  // ConsoleLogin failures carry no errorCode, only responseElements.ConsoleLogin = "Failure".
  const failed = errorCode !== undefined || (response !== undefined && response.ConsoleLogin === 'Failure');
  const eventSource = str(rec.eventSource);
  const fields: Record<string, unknown> = {};
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') fields[k] = clipField(v);
  };
  set('eventSource', eventSource);
  set('awsRegion', str(rec.awsRegion));
  set('errorCode', errorCode);
  set('errorMessage', errorMessage);
  set('userAgent', str(rec.userAgent));
  set('eventID', str(rec.eventID));
  set('eventType', str(rec.eventType));
  set('recipientAccountId', str(rec.recipientAccountId));
  set('identityType', str(identity.type));
  set('accessKeyId', str(identity.accessKeyId));
  set('instanceId', targetInstance);
  if (errorCode !== undefined && AUTHZ_CODE.test(errorCode)) fields.authzDenied = true;
  // Sigma CloudTrail rules test request and response values (`requestParameters.bucketName`).
  flattenInto(fields, 'requestParameters', params);
  flattenInto(fields, 'responseElements', response);
  const ev: ForensicEvent = {
    kind: 'audit',
    source: 'audit',
    format: NAME,
    timeMs,
    timeRaw,
    ref,
    operation,
    action: failed ? 'error' : 'allow',
    fields,
  };
  if (actor) ev.actor = actor;
  if (src) ev.src = src;
  if (host) ev.host = host;
  if (errorCode) ev.errorCode = errorCode;
  ev.message =
    `${operation}${eventSource ? ` [${eventSource}]` : ''}${actor ? ` by ${actor}` : ''}${sourceIp ? ` from ${sourceIp}` : ''}` +
    (errorCode ? ` -> ${errorCode}` : failed ? ' -> failed' : '');
  return ev;
}

const MAX_FLAT_KEYS = 64;

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Scalar values of a nested object as `prefix.a.b` keys (three levels, 64 keys, strings truncated);
 * a list of scalars stays a list under its own key, which Sigma matches when any element does.
 */
function flattenInto(fields: Record<string, unknown>, prefix: string, value: unknown, depth = 0): void {
  if (value === undefined || value === null || depth > 3 || Object.keys(fields).length >= MAX_FLAT_KEYS) return;
  if (typeof value === 'string') fields[prefix] = clipField(value);
  else if (typeof value === 'number' || typeof value === 'boolean') fields[prefix] = value;
  else if (Array.isArray(value) && value.every(isScalar)) fields[prefix] = value.slice(0, 32).map((v) => (typeof v === 'string' ? clipField(v) : v));
  else if (Array.isArray(value)) value.slice(0, 8).forEach((v, i) => flattenInto(fields, `${prefix}.${i}`, v, depth + 1));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) flattenInto(fields, `${prefix}.${k}`, v, depth + 1);
}


/**
 * The events of one JSON value of the input (a record, a `Records` or `Events` file, an array), one
 * at a time (a whole document's events are not held together); `line`: its line in JSON lines.
 */
function* unitEvents(value: unknown, line: number | undefined, ctx: ParseContext): Generator<ForensicEvent> {
  if (isObject(value) && Array.isArray(value.Records)) {
    // S3 delivery file (possibly several of them, one per line): positions count within the file or line
    for (let i = 0; i < value.Records.length; i++) {
      const ev = toEvent(value.Records[i], refFor(ctx.path, line, i), ctx);
      if (ev) yield ev;
    }
  } else if (isObject(value) && Array.isArray(value.Events)) {
    for (let i = 0; i < value.Events.length; i++) {
      const item = value.Events[i];
      const ref = refFor(ctx.path, line, i);
      if (!isObject(item)) {
        ctx.skip(line !== undefined ? { line, index: i } : { index: i }, 'lookup-events item is not a JSON object');
        continue;
      }
      let rec: unknown = {};
      if (typeof item.CloudTrailEvent === 'string') {
        rec = tryParse(item.CloudTrailEvent);
        if (!isObject(rec)) {
          ctx.skip(line !== undefined ? { line, index: i } : { index: i }, 'CloudTrailEvent is not a JSON object string');
          continue;
        }
      }
      const ev = toEvent(rec, ref, ctx, item);
      if (ev) yield ev;
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const ev = toEvent(value[i], refFor(ctx.path, line, i), ctx);
      if (ev) yield ev;
    }
  } else {
    const ev = toEvent(value, refFor(ctx.path, line, line === undefined ? 0 : undefined), ctx);
    if (ev) yield ev;
  }
}

export const awsCloudtrailFormat: InputFormat = {
  name: NAME,
  source: 'audit',
  description: 'AWS CloudTrail events: S3 `Records` files, JSON lines, or `aws cloudtrail lookup-events` output',
  notes:
    'Recognized by records with eventTime (ISO 8601), eventName, eventSource and awsRegion. Time is eventTime (UTC, ' +
    'second precision), an instant. Records are emitted in file order (CloudTrail files are not time-ordered). ' +
    'Refs: {line} for JSON lines, {index} into Records/Events for documents, both for a Records document on one line. ' +
    'Any errorCode (and a failed ConsoleLogin) gives action "error"; fields.authzDenied marks authorization refusals. ' +
    'host is the instance id of an EC2 instance-role session (assumed-role/<role>/i-...), else requestParameters.instanceId.',
  probe,
  ...readsUnits((ctx) => ({ unit: (value, line) => unitEvents(value, line, ctx) })),
};
