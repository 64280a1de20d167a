// Cloud Logging LogEntry exports, shared by the GCP formats: JSON lines, or one document
// (a `gcloud logging read --format=json` array or a Logging API `{entries: [...]}` page).
import { ipVersion } from './ip.js';
import type { Action, ForensicEvent, Ref } from '../../model/event.js';
import type { Head, LineRecord, ParseContext } from '../format.js';
import { endpointText } from './endpoint.js';
import { isObject, parseJsonLine, pick, readJsonDocument, type JsonObject } from './json.js';
import { firstNonBlank, withFirst } from './json-input.js';
import { IP_PROTOCOL_NAMES } from './proto.js';

/** The entries of a JSON document export: an array, a Logging API `{entries: [...]}` page, or one entry. */
export function documentEntries(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (isObject(doc) && Array.isArray(doc['entries'])) return doc['entries'];
  if (isObject(doc) && 'logName' in doc) return [doc];
  return undefined;
}

export interface LogEntryRecord {
  entry: JsonObject;
  ref: Ref;
  where: { line?: number; index?: number };
}

/** LogEntry records with their refs, from JSON lines or from one JSON document (pretty-printed or an array). */
export async function* logEntries(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<LogEntryRecord> {
  const opened = await firstNonBlank(lines);
  if (!opened) return;
  const t = opened.first.text.trim();
  if (t.startsWith('[') || t === '{') {
    const doc = await readJsonDocument(withFirst(opened), ctx);
    if (doc === undefined) return;
    const entries = documentEntries(doc);
    if (entries === undefined) {
      ctx.skip({ index: 0 }, 'JSON document holds no LogEntry array');
      return;
    }
    for (let index = 0; index < entries.length; index++) {
      const e = entries[index];
      if (!isObject(e)) ctx.skip({ index }, 'not a JSON object');
      else yield { entry: e, ref: { path: ctx.path, index }, where: { index } };
    }
    return;
  }
  for await (const rec of withFirst(opened)) {
    if (rec.text.trim() !== '') {
      const o = parseJsonLine(rec, ctx);
      if (o) yield { entry: o, ref: { path: ctx.path, line: rec.line }, where: { line: rec.line } };
    }
  }
}

export interface ComputeLog {
  /** an entry of this log: its logName, a jsonPayload.connection object and the log's string field */
  isEntry(o: unknown): o is JsonObject;
  probe(head: Head): number;
}

/**
 * A Compute Engine connection log (`log` is the LOG_ID after compute.googleapis.com, `key` a string
 * field of jsonPayload every entry of it has): how to tell its entries, and the probe that counts them.
 */
export function computeLog(log: string, key: string): ComputeLog {
  const escaped = `compute.googleapis.com%2F${log}`;
  const plain = `compute.googleapis.com/${log}`;
  const keyPath = `jsonPayload.${key}`;
  const inText = new RegExp(`"logName"\\s*:\\s*"[^"]*compute\\.googleapis\\.com%2F${log}"`);
  const isEntry = (o: unknown): o is JsonObject => {
    if (!isObject(o)) return false;
    const logName = o['logName'];
    if (typeof logName !== 'string' || !(logName.endsWith(escaped) || logName.endsWith(plain))) return false;
    return isObject(pick(o, 'jsonPayload.connection')) && typeof pick(o, keyPath) === 'string';
  };
  const probe = (head: Head): number => {
    let items: unknown[];
    if (head.container === 'jsonl') items = head.objects;
    else if (head.container === 'json') {
      const entries = head.document === undefined ? undefined : documentEntries(head.document);
      // Too large to parse for detection: the first entries in the text still name the log.
      if (entries === undefined) {
        return head.document === undefined && inText.test(head.text) && head.text.includes(`"${key}"`) ? 0.9 : 0;
      }
      items = entries.slice(0, 50);
    } else return 0;
    if (items.length === 0) return 0;
    let good = 0;
    for (const o of items) if (isEntry(o)) good++;
    return good * 2 > items.length ? good / items.length : 0;
  };
  return { isEntry, probe };
}

/** A non-empty string, or a finite number as text (LogEntry JSON writes int64 values as strings). */
export const entryStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** A port number or numeric string; undefined when absent, false when present but not a port. */
export function entryPort(v: unknown): number | undefined | false {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : false;
}

/** The 5-tuple of a Compute Engine log's jsonPayload.connection. */
export interface EntryConnection {
  srcIp: string;
  dstIp: string;
  srcPort: number | undefined;
  dstPort: number | undefined;
  /** as logged: an IANA protocol number, or a name */
  protoRaw: string | undefined;
  /** lower-case protocol name */
  proto: string | undefined;
}

/** The connection's 5-tuple, or why it cannot be read. */
export function entryConnection(c: JsonObject): EntryConnection | string {
  const srcIp = entryStr(c['src_ip']);
  const dstIp = entryStr(c['dest_ip']);
  if (srcIp === undefined || ipVersion(srcIp) === 0) return `connection.src_ip is not an IP address: '${srcIp ?? ''}'`;
  if (dstIp === undefined || ipVersion(dstIp) === 0) return `connection.dest_ip is not an IP address: '${dstIp ?? ''}'`;
  const srcPort = entryPort(c['src_port']);
  const dstPort = entryPort(c['dest_port']);
  if (srcPort === false) return `connection.src_port is not a port number: '${String(c['src_port'])}'`;
  if (dstPort === false) return `connection.dest_port is not a port number: '${String(c['dest_port'])}'`;
  const protoRaw = entryStr(c['protocol']);
  const proto = protoRaw === undefined ? undefined : (IP_PROTOCOL_NAMES[protoRaw] ?? protoRaw.toLowerCase());
  return { srcIp, dstIp, srcPort, dstPort, protoRaw, proto };
}

/**
 * The network event of one connection entry; the message is `<verb> <PROTO> <src> -> <dst><suffix>`.
 * endMs goes in before proto so the event's keys keep the order the formats have always written.
 */
export function connectionEvent(
  format: string,
  at: { timeMs: number; timeRaw: string; endMs?: number | undefined; ref: Ref },
  conn: EntryConnection,
  action: Action,
  verb: string,
  suffix: string,
  fields: Record<string, unknown>,
): ForensicEvent {
  const { srcIp, srcPort, dstIp, dstPort, proto } = conn;
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format,
    timeMs: at.timeMs,
    timeRaw: at.timeRaw,
    ref: at.ref,
    src: { ip: srcIp, port: srcPort },
    dst: { ip: dstIp, port: dstPort },
    action,
    message: `${verb} ${(proto ?? 'ip').toUpperCase()} ${endpointText(srcIp, srcPort)} -> ${endpointText(dstIp, dstPort)}${suffix}`,
    fields,
  };
  if (at.endMs !== undefined) event.endMs = at.endMs;
  if (proto !== undefined) event.proto = proto;
  return event;
}
