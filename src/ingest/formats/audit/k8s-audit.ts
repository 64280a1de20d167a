// Kubernetes API server audit events (audit.k8s.io Event, JSON lines or an EventList document).
// One event per request (auditID): the stages of a request are merged, the final one wins.
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { Head, InputFormat, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { readsUnits, type UnitReader } from '../../shared/json-units.js';
import { parseIsoMs } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'k8s-audit';
/** Requests still open after this much log time are emitted with the stage they reached. */
const PENDING_MS = 3_600_000;
const MAX_PENDING = 10_000;

function isAuditEvent(v: unknown): v is JsonObject {
  if (!isObject(v) || v.kind !== 'Event' || typeof v.apiVersion !== 'string' || !v.apiVersion.startsWith('audit.k8s.io/')) return false;
  const t = str(v.requestReceivedTimestamp) ?? str(v.stageTimestamp);
  return typeof v.stage === 'string' && typeof v.verb === 'string' && t !== undefined && !Number.isNaN(parseIsoMs(t));
}

function probe(head: Head): number {
  let recs: unknown[] = [];
  if (head.container === 'jsonl') recs = head.objects.flatMap((o) => (isObject(o) && o.kind === 'EventList' && Array.isArray(o.items) ? o.items.slice(0, 20) : [o]));
  else if (head.container === 'json') {
    const d = head.document;
    if (isObject(d) && d.kind === 'EventList' && Array.isArray(d.items)) recs = d.items.slice(0, 20);
    else if (Array.isArray(d)) recs = d.slice(0, 20);
  }
  if (recs.length === 0) return 0;
  const hits = recs.filter(isAuditEvent).length;
  return hits > 0 && hits * 2 >= recs.length ? 0.95 : 0;
}

/** Shell-like join of an argv: arguments with whitespace or quotes are double-quoted. */
function joinArgv(args: string[]): string {
  return args.map((a) => (a === '' || /[\s"'\\]/.test(a) ? `"${a.replace(/(["\\])/g, '\\$1')}"` : a)).join(' ');
}

interface Pending {
  rec: JsonObject;
  ref: Ref;
  timeMs: number;
}

function toEvent(rec: JsonObject, ref: Ref, ctx: ParseContext): ForensicEvent | undefined {
  const receivedRaw = str(rec.requestReceivedTimestamp);
  const stageRaw = str(rec.stageTimestamp);
  const timeRaw = receivedRaw ?? stageRaw!;
  const timeMs = parseIsoMs(timeRaw, ctx.tz);
  const stage = str(rec.stage)!;
  const verb = str(rec.verb)!;
  const obj = isObject(rec.objectRef) ? rec.objectRef : undefined;
  const resource = obj ? str(obj.resource) : undefined;
  const sub = obj ? str(obj.subresource) : undefined;
  const namespace = obj ? str(obj.namespace) : undefined;
  const name = obj ? str(obj.name) : undefined;
  const uri = str(rec.requestURI) ?? '';
  const qAt = uri.indexOf('?');
  const operation = resource ? `${verb} ${resource}${sub ? `/${sub}` : ''}` : `${verb} ${qAt >= 0 ? uri.slice(0, qAt) : uri}`;
  const user = isObject(rec.user) ? rec.user : {};
  const actor = str(user.username);
  const ips = Array.isArray(rec.sourceIPs) ? rec.sourceIPs.filter((x): x is string => typeof x === 'string') : [];
  const status = isObject(rec.responseStatus) ? rec.responseStatus : undefined;
  const code = status ? (typeof status.code === 'number' ? status.code : undefined) : undefined;
  const reason = status ? str(status.reason) || undefined : undefined;
  const failed = stage === 'Panic' || (code !== undefined && code >= 400);
  const errorCode = failed ? (reason ?? (code !== undefined ? String(code) : 'Panic')) : undefined;
  const annotations = isObject(rec.annotations) ? rec.annotations : {};

  const fields: Record<string, unknown> = { stage };
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') fields[k] = clipField(v);
  };
  set('auditID', str(rec.auditID));
  set('level', str(rec.level));
  set('verb', verb);
  set('resource', resource);
  set('subresource', sub);
  set('namespace', namespace);
  set('name', name);
  if (resource === 'pods') set('pod', name);
  set('requestURI', uri);
  set('userAgent', str(rec.userAgent));
  if (Array.isArray(user.groups)) set('groups', user.groups.filter((g) => typeof g === 'string').join(','));
  if (isObject(rec.impersonatedUser)) set('impersonatedUser', str(rec.impersonatedUser.username));
  if (code !== undefined) fields.code = code;
  set('reason', reason);
  set('message', status ? str(status.message) : undefined);
  set('decision', str(annotations['authorization.k8s.io/decision']));
  set('authzReason', str(annotations['authorization.k8s.io/reason']));
  if (code === 401 || code === 403 || reason === 'Forbidden' || reason === 'Unauthorized' || annotations['authorization.k8s.io/decision'] === 'forbid') fields.authzDenied = true;
  podSpecFields(rec.requestObject, fields);

  const ev: ForensicEvent = { kind: 'audit', source: 'audit', format: NAME, timeMs, timeRaw, ref, operation, action: failed ? 'error' : 'allow', fields };
  if (receivedRaw && stageRaw && stage !== 'RequestReceived') {
    const end = parseIsoMs(stageRaw, ctx.tz);
    if (!Number.isNaN(end) && end >= timeMs) ev.endMs = end;
  }
  if (actor) ev.actor = actor;
  if (ips[0]) ev.src = { ip: ips[0] };
  if (errorCode) ev.errorCode = errorCode;
  if (resource === 'pods' && (sub === 'exec' || sub === 'attach') && qAt >= 0) {
    // kubectl encodes the argv as repeated `command=` query parameters (Go url.Values: '+' is a space)
    const q = new URLSearchParams(uri.slice(qAt + 1));
    const argv = q.getAll('command');
    if (argv.length) ev.command = joinArgv(argv);
    const container = q.get('container');
    if (container) ev.container = container;
  }
  const target = name ? ` ${namespace ? `${namespace}/` : ''}${name}` : '';
  ev.message = `${operation}${target}${actor ? ` by ${actor}` : ''}${ips[0] ? ` from ${ips[0]}` : ''}${ev.command ? `: ${ev.command}` : ''}` + (errorCode ? ` -> ${errorCode}` : code !== undefined ? ` -> ${code}` : '');
  return ev;
}

/** Pod creations: the facts rules ask about (privileged containers, host namespaces, images). */
function podSpecFields(obj: unknown, fields: Record<string, unknown>): void {
  if (!isObject(obj) || obj.kind !== 'Pod' || !isObject(obj.spec)) return;
  const spec = obj.spec;
  const containers = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])].filter(isObject);
  if (containers.some((c) => isObject(c.securityContext) && c.securityContext.privileged === true)) fields.privileged = true;
  if (spec.hostNetwork === true) fields.hostNetwork = true;
  if (spec.hostPID === true) fields.hostPID = true;
  const images = containers.map((c) => str(c.image)).filter((x): x is string => !!x);
  if (images.length) fields.images = clipField(images.join(','));
}

/**
 * The events of the input's units in turn (stages of one request held until its last), and of the
 * requests still held at the end (readsUnits gives the stream and the line reader from it).
 */
function unitReader(ctx: ParseContext): UnitReader {
  const pending = new Map<string, Pending>();
  function* expire(nowMs: number): Generator<ForensicEvent> {
    for (const [id, p] of pending) {
      if (pending.size <= MAX_PENDING && p.timeMs >= nowMs - PENDING_MS) break;
      pending.delete(id);
      const ev = toEvent(p.rec, p.ref, ctx);
      if (ev) yield ev;
    }
  }
  function* take(rec: unknown, ref: Ref): Generator<ForensicEvent> {
    const { path: _path, ...where } = ref;
    if (!isAuditEvent(rec)) {
      ctx.skip(where, 'not a Kubernetes audit Event with stage, verb and a valid timestamp');
      return;
    }
    const stageRaw = str(rec.stageTimestamp) ?? str(rec.requestReceivedTimestamp)!;
    const stageMs = parseIsoMs(stageRaw, ctx.tz);
    const id = str(rec.auditID);
    const final = rec.stage === 'ResponseComplete' || rec.stage === 'Panic';
    if (!id || final) {
      if (id) pending.delete(id);
      const ev = toEvent(rec, ref, ctx);
      if (ev) yield ev;
    } else {
      pending.delete(id); // re-insert so the map stays ordered by last activity
      pending.set(id, { rec, ref, timeMs: Number.isNaN(stageMs) ? 0 : stageMs });
    }
    if (!Number.isNaN(stageMs)) yield* expire(stageMs);
  }
  return {
    *unit(value, line) {
      if (isObject(value) && value.kind === 'EventList' && Array.isArray(value.items)) {
        for (let i = 0; i < value.items.length; i++) {
          const ref: Ref = line !== undefined ? { path: ctx.path, line, index: i } : { path: ctx.path, index: i };
          yield* take(value.items[i], ref);
        }
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const ref: Ref = line !== undefined ? { path: ctx.path, line, index: i } : { path: ctx.path, index: i };
          yield* take(value[i], ref);
        }
      } else {
        yield* take(value, line !== undefined ? { path: ctx.path, line } : { path: ctx.path, index: 0 });
      }
    },
    *end() {
      for (const p of pending.values()) {
        const ev = toEvent(p.rec, p.ref, ctx);
        if (ev) yield ev;
      }
    },
  };
}

export const k8sAuditFormat: InputFormat = {
  name: NAME,
  source: 'audit',
  description: 'Kubernetes API server audit log (audit.k8s.io/v1 Event, JSON lines or EventList)',
  notes:
    'Recognized by apiVersion audit.k8s.io/*, kind Event, stage, verb and a parsable timestamp. One event per auditID: ' +
    'the ResponseComplete or Panic stage, else the latest stage seen (requests open for more than 1 h of log time are ' +
    'emitted as they stand). timeMs = requestReceivedTimestamp, endMs = stageTimestamp of the final stage (UTC). ' +
    'ref is the line of the emitted stage. pods/exec and pods/attach: command = the URL-decoded command= parameters ' +
    'joined with spaces (arguments with spaces double-quoted), container = the container= parameter. responseStatus.code ' +
    '>= 400 gives action "error" with errorCode = the status reason (e.g. Forbidden) or the code.',
  probe,
  ...readsUnits(unitReader),
};
