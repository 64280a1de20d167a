// Azure Activity Log: the resource-log / Event Hub schema (`records[]` with time, operationName, resultType)
// and the REST / export schema (eventTimestamp, operationName.value, status.value). Start and final records
// of one operation are merged into one event.
import { ipVersion } from '../../shared/ip.js';
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { readsUnits, tryParse, type UnitReader } from '../../shared/json-units.js';
import { parseIsoMs } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'azure-activity';
/** An unmatched record is emitted alone once the log has moved this far from it. */
const PAIR_WINDOW_MS = 3_600_000;
const MAX_PENDING = 10_000;
const ACTIVITY_CATEGORIES = new Set(['administrative', 'action', 'servicehealth', 'resourcehealth', 'alert', 'autoscale', 'recommendation', 'security', 'policy', 'write', 'delete']);
const AUTHZ = /Forbidden|AuthorizationFailed|Unauthorized|^40[13]$|LinkedAuthorizationFailed|InvalidAuthenticationToken/i;
const CLAIM_UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const CLAIM_NAME = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const CLAIM_OID = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

function listOf(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (isObject(v) && Array.isArray(v.records)) return v.records;
  if (isObject(v) && Array.isArray(v.value)) return v.value;
  return undefined;
}

/** `{value, localizedValue}` objects of the REST schema, or plain strings. */
function val(v: unknown): string | undefined {
  if (isObject(v)) return str(v.value) ?? str(v.localizedValue);
  return str(v);
}

type Phase = 'start' | 'mid' | 'final';

interface Parsed {
  timeMs: number;
  timeRaw: string;
  operation: string;
  status: string;
  phase: Phase;
  key?: string;
}

/** The fields both schemas share, or undefined when the record is not an Activity Log record. */
function read(rec: unknown): Parsed | undefined {
  if (!isObject(rec)) return undefined;
  let timeRaw: string | undefined, operation: string | undefined, status: string | undefined;
  if (typeof rec.eventTimestamp === 'string' && isObject(rec.operationName)) {
    timeRaw = rec.eventTimestamp;
    operation = val(rec.operationName);
    status = val(rec.status);
  } else if (typeof rec.time === 'string' && typeof rec.operationName === 'string' && typeof rec.resultType === 'string') {
    const category = str(rec.category)?.toLowerCase() ?? '';
    if (category.includes('flow')) return undefined; // NSG / VNet flow logs share the envelope
    timeRaw = rec.time;
    operation = rec.operationName;
    status = rec.resultType;
  }
  if (!timeRaw || !operation || status === undefined) return undefined;
  const timeMs = parseIsoMs(timeRaw);
  if (Number.isNaN(timeMs)) return undefined;
  const s = status.toLowerCase();
  const phase: Phase = s === 'start' || s === 'started' ? 'start' : s === 'accept' || s === 'accepted' || s === 'inprogress' || s === 'active' ? 'mid' : 'final';
  const correlation = str(rec.correlationId);
  const key = correlation ? `${correlation}|${operation.toLowerCase()}|${(str(rec.resourceId) ?? '').toLowerCase()}` : undefined;
  return { timeMs, timeRaw, operation, status, phase, key };
}

function probe(head: Head): number {
  let recs: unknown[] = [];
  if (head.container === 'jsonl') recs = head.objects.flatMap((o) => listOf(o)?.slice(0, 20) ?? [o]);
  else if (head.container === 'json') {
    const d = head.document;
    recs = listOf(d)?.slice(0, 20) ?? (isObject(d) ? [d] : []);
  }
  if (recs.length === 0) return 0;
  let hits = 0, known = 0;
  for (const r of recs) {
    if (!read(r)) continue;
    hits++;
    const cat = isObject(r) ? (val(r.category) ?? '').toLowerCase() : '';
    if (ACTIVITY_CATEGORIES.has(cat) || (isObject(r) && 'eventTimestamp' in r)) known++;
  }
  if (hits === 0 || hits * 2 < recs.length) return 0;
  return known > 0 ? 0.95 : 0.85;
}

interface Seen {
  rec: JsonObject;
  ref: Ref;
  p: Parsed;
}

interface Pending {
  start?: Seen;
  mid?: Seen;
  final?: Seen;
  lastMs: number;
}

function actorOf(rec: JsonObject): string | undefined {
  const caller = str(rec.caller);
  if (caller) return caller;
  const identity = isObject(rec.identity) ? rec.identity : {};
  const claims = isObject(identity.claims) ? identity.claims : {};
  const evidence = isObject(identity.authorization) && isObject(identity.authorization.evidence) ? identity.authorization.evidence : {};
  return str(claims[CLAIM_UPN]) ?? str(claims[CLAIM_NAME]) ?? str(claims.appid) ?? str(claims[CLAIM_OID]) ?? str(evidence.principalId);
}

/** `Failed.Forbidden` → Forbidden; bare codes stay as they are. */
function signatureCode(sig: string | undefined): string | undefined {
  if (!sig) return undefined;
  const dot = sig.indexOf('.');
  if (dot < 0) return sig;
  const head = sig.slice(0, dot).toLowerCase();
  if (head === 'started' || head === 'succeeded' || head === 'failed' || head === 'accepted') return sig.slice(dot + 1) || undefined;
  return sig;
}

function toEvent(base: Seen, start: Seen | undefined): ForensicEvent {
  const { rec, ref, p } = base;
  const props = isObject(rec.properties) ? rec.properties : {};
  const statusCode = str(props.statusCode);
  const subStatus = val(rec.subStatus);
  const signature = signatureCode(str(rec.resultSignature));
  let detailCode: string | undefined;
  const statusMessage = str(props.statusMessage);
  if (statusMessage && statusMessage.startsWith('{')) {
    const m = tryParse(statusMessage);
    if (isObject(m) && isObject(m.error)) detailCode = str(m.error.code);
  }
  const s = p.status.toLowerCase();
  const codes = [statusCode, subStatus, signature, detailCode].filter((c): c is string => !!c);
  const denied = codes.some((c) => AUTHZ.test(c));
  const failed = s === 'failure' || s === 'failed' || denied;
  const errorCode = failed ? (codes[0] ?? p.status) : undefined;
  const ip = str(rec.callerIpAddress) ?? (isObject(rec.httpRequest) ? str(rec.httpRequest.clientIpAddress) : undefined);
  const actor = actorOf(rec);
  const resourceId = str(rec.resourceId);
  let host: string | undefined;
  if (resourceId) {
    const m = /\/providers\/microsoft\.compute\/virtualmachines\/([^/]+)/i.exec(resourceId);
    if (m) host = m[1];
  }

  const fields: Record<string, unknown> = { status: p.status };
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') fields[k] = clipField(v);
  };
  set('category', val(rec.category));
  set('resourceId', resourceId);
  set('correlationId', str(rec.correlationId));
  set('eventDataId', str(rec.eventDataId));
  set('resultSignature', str(rec.resultSignature));
  set('subStatus', subStatus);
  set('statusCode', statusCode);
  set('errorDetailCode', detailCode);
  set('level', val(rec.level));
  set('subscriptionId', str(rec.subscriptionId));
  if (isObject(rec.identity) && isObject(rec.identity.authorization)) set('scope', str(rec.identity.authorization.scope));
  else if (isObject(rec.authorization)) set('scope', str(rec.authorization.scope));
  if (denied) fields.authzDenied = true;

  const ev: ForensicEvent = { kind: 'audit', source: 'audit', format: NAME, timeMs: p.timeMs, timeRaw: p.timeRaw, ref, operation: p.operation, action: failed ? 'error' : 'allow', fields };
  if (start && start !== base && start.p.timeMs <= p.timeMs) {
    ev.timeMs = start.p.timeMs;
    ev.timeRaw = start.p.timeRaw;
    ev.endMs = p.timeMs;
    fields.endTimeRaw = p.timeRaw;
  }
  if (actor) ev.actor = actor;
  if (ip) ev.src = ipVersion(ip) ? { ip } : { domain: ip };
  if (host) ev.host = host;
  if (errorCode) ev.errorCode = errorCode;
  ev.message = `${p.operation}${actor ? ` by ${actor}` : ''}${ip ? ` from ${ip}` : ''} -> ${errorCode ?? p.status}`;
  return ev;
}

function emit(pending: Pending): ForensicEvent {
  const base = pending.final ?? pending.mid ?? pending.start!;
  return toEvent(base, pending.start);
}

/**
 * The events of the input's units in turn (records of one operation held until they pair), and of
 * those still held at the end (readsUnits gives the stream and the line reader from it).
 */
function unitReader(ctx: ParseContext): UnitReader {
  const pending = new Map<string, Pending>();
  function* expire(nowMs: number): Generator<ForensicEvent> {
    for (const [key, p] of pending) {
      if (pending.size <= MAX_PENDING && Math.abs(nowMs - p.lastMs) <= PAIR_WINDOW_MS) break;
      pending.delete(key);
      yield emit(p);
    }
  }
  function* take(rec: unknown, ref: Ref): Generator<ForensicEvent> {
    const p = read(rec);
    if (!p) {
      const { path: _path, ...where } = ref;
      ctx.skip(where, 'not an Azure Activity Log record (time/eventTimestamp, operationName and resultType/status)');
      return;
    }
    const seen: Seen = { rec: rec as JsonObject, ref, p };
    if (!p.key) {
      yield toEvent(seen, undefined);
      return;
    }
    let entry = pending.get(p.key);
    if (!entry) {
      entry = { lastMs: p.timeMs };
      pending.set(p.key, entry);
    }
    entry.lastMs = p.timeMs;
    // Exports may list newest first: keep the earliest start and the final, in whatever order they come.
    if (p.phase === 'start') {
      if (!entry.start || p.timeMs < entry.start.p.timeMs) entry.start = seen;
    } else if (p.phase === 'mid') entry.mid = seen;
    else if (entry.final) {
      // a second final for the same key: the first one stands alone
      yield emit({ ...entry, start: undefined, mid: undefined });
      entry.final = seen;
    } else entry.final = seen;
    if (entry.start && entry.final) {
      pending.delete(p.key);
      yield emit(entry);
    }
    yield* expire(p.timeMs);
  }
  return {
    *unit(value, line) {
      const list = listOf(value);
      if (list) {
        for (let i = 0; i < list.length; i++) yield* take(list[i], line !== undefined ? { path: ctx.path, line, index: i } : { path: ctx.path, index: i });
      } else yield* take(value, line !== undefined ? { path: ctx.path, line } : { path: ctx.path, index: 0 });
    },
    *end() {
      for (const p of pending.values()) yield emit(p);
    },
  };
}

export const azureActivityFormat: InputFormat = {
  name: NAME,
  source: 'audit',
  description: 'Azure Activity Log: resource-log / Event Hub records (`records[]`) and REST / export events (eventTimestamp, status.value)',
  notes:
    'Recognized by time + operationName + resultType (resource-log schema) or eventTimestamp + operationName.value + ' +
    'status.value (REST schema); flow-log categories are refused. Times are ISO 8601 UTC. The Start (and Accept) and the ' +
    'final record of one operation (same correlationId, operationName and resourceId, in either file order) become one ' +
    'event: timeMs = Start time, endMs = final time, ref = the final record; unmatched records are emitted alone after ' +
    '1 h of log time or at the end. Failure, or a Forbidden / 401 / 403 / AuthorizationFailed status, gives action ' +
    '"error" with errorCode = properties.statusCode, subStatus, resultSignature or statusMessage error code, verbatim.',
  probe,
  ...readsUnits(unitReader),
};
