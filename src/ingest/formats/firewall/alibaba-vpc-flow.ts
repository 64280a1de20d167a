// Alibaba Cloud VPC flow logs as stored in Log Service (SLS) and exported as JSON lines
// (field list: https://www.alibabacloud.com/help/en/sls/flowlog-field-details). One event per OK record.
import { ipVersion } from '../../shared/ip.js';
import type { ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { endpointText } from '../../shared/endpoint.js';
import { isObject, majorityScore, parseJsonLine, type JsonObject } from '../../shared/json.js';
import { parseEpochSeconds } from '../../shared/time.js';
import { IP_PROTOCOL_NAMES } from '../../shared/proto.js';
import { clipField } from '../../shared/text.js';

const NAME = 'alibaba-vpc-flow';
const NUMERIC_FIELDS = new Set(['version', 'protocol', 'packets', 'bytes', 'tcp-flags', 'traffic_path', 'traffic-path', '__time__']);
/** Values that become first-class event properties and are not repeated in `fields`. */
const NOT_IN_FIELDS = new Set(['srcport', 'dstport', 'start', 'end']);

/** SLS exports every value as a string; numbers appear when the data went through other tools. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

const epochMs = (v: unknown): number => {
  const t = text(v);
  return t === undefined ? NaN : parseEpochSeconds(t);
};

function looksLikeFlow(o: unknown): boolean {
  if (!isObject(o)) return false;
  if (!('srcaddr' in o) || !('dstaddr' in o) || !('start' in o)) return false;
  if (!('eni-id' in o) && !('vswitch-id' in o) && !('vm-id' in o) && o['__topic__'] !== 'flow_log') return false;
  return !Number.isNaN(epochMs(o['start']));
}

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  return majorityScore(head.objects, looksLikeFlow, 0.95);
}

/** The event of one record, or the reason it cannot be used; undefined for NODATA/SKIPDATA. */
function toEvent(o: JsonObject, ctx: ParseContext, line: number, counts: { skipData: number }): ForensicEvent | string | undefined {
  const status = text(o['log-status']) ?? 'OK';
  if (status === 'NODATA') return undefined;
  if (status === 'SKIPDATA') {
    counts.skipData++;
    return undefined;
  }
  if (status !== 'OK') return `unknown log-status '${status}'`;
  const startRaw = text(o['start']);
  if (startRaw === undefined) return 'record has no start time';
  const timeMs = parseEpochSeconds(startRaw);
  if (Number.isNaN(timeMs)) return `start is not epoch seconds: '${startRaw}'`;
  const endRaw = text(o['end']);
  const endMs = endRaw === undefined ? undefined : parseEpochSeconds(endRaw);
  if (endMs !== undefined && Number.isNaN(endMs)) return `end is not epoch seconds: '${endRaw}'`;
  const srcIp = text(o['srcaddr']);
  const dstIp = text(o['dstaddr']);
  if (srcIp !== undefined && ipVersion(srcIp) === 0) return `srcaddr is not an IP address: '${srcIp}'`;
  if (dstIp !== undefined && ipVersion(dstIp) === 0) return `dstaddr is not an IP address: '${dstIp}'`;
  const ports: (number | undefined)[] = [];
  for (const key of ['srcport', 'dstport']) {
    const p = text(o[key]);
    if (p !== undefined && !/^\d{1,5}$/.test(p)) return `${key} is not a port number: '${p}'`;
    ports.push(p === undefined ? undefined : Number(p));
  }
  const protoRaw = text(o['protocol']);
  const proto = protoRaw === undefined ? undefined : (IP_PROTOCOL_NAMES[protoRaw] ?? protoRaw.toLowerCase());
  const vendorAction = text(o['action']);
  if (vendorAction !== undefined && vendorAction !== 'ACCEPT' && vendorAction !== 'REJECT') return `unknown action '${vendorAction}'`;

  const fields: Record<string, unknown> = {};
  for (const key in o) {
    if (NOT_IN_FIELDS.has(key) || key.startsWith('__tag__')) continue;
    const v = o[key];
    const t = text(v);
    if (t === undefined) continue;
    fields[key.replace(/-/g, '_')] = NUMERIC_FIELDS.has(key) && /^\d+$/.test(t) ? Number(t) : clipField(t);
  }
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs,
    timeRaw: startRaw,
    ref: { path: ctx.path, line },
    src: { ip: srcIp, port: ports[0] },
    dst: { ip: dstIp, port: ports[1] },
    message: `${vendorAction ?? 'FLOW'} ${(proto ?? 'ip').toUpperCase()} ${endpointText(srcIp, ports[0])} -> ${endpointText(dstIp, ports[1])}`,
    fields,
  };
  if (endMs !== undefined) event.endMs = endMs;
  if (proto !== undefined) event.proto = proto;
  if (vendorAction === 'ACCEPT') event.action = 'allow';
  else if (vendorAction === 'REJECT') event.action = 'reject';
  const host = text(o['vm-id']) ?? text(o['eni-id']);
  if (host !== undefined) event.host = host;
  return event;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const counts = { skipData: 0 };
  for await (const rec of lines) {
    if (rec.text.trim() === '') continue;
    const o = parseJsonLine(rec, ctx);
    if (!o) continue;
    const r = toEvent(o, ctx, rec.line, counts);
    if (typeof r === 'string') ctx.skip({ line: rec.line }, r);
    else if (r) yield r;
  }
  if (counts.skipData > 0) ctx.note(`${counts.skipData} SKIPDATA record(s): flows were skipped in those capture windows`);
}

export const alibabaVpcFlowFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'Alibaba Cloud VPC flow logs exported from Log Service (SLS) as JSON lines',
  notes:
    'Detected from JSON lines with srcaddr, dstaddr, an epoch-seconds start and an eni-id / vswitch-id / vm-id (or __topic__ flow_log). ' +
    'Times: start and end are epoch seconds (UTC) of the capture window: timeMs = start, endMs = end (__time__, the SLS write time, is kept in fields). ' +
    'ACCEPT maps to allow, REJECT to reject; NODATA and SKIPDATA records give no event. host = vm-id, else eni-id.',
  probe,
  parse,
};
