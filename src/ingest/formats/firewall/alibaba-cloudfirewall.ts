// Alibaba Cloud Firewall traffic logs (internet / NAT / VPC firewall, IPS) as exported from Log Service
// as JSON lines (fields: https://www.alibabacloud.com/help/en/cloud-firewall/cloudfirewall/user-guide/log-fields).
import { ipVersion } from '../../shared/ip.js';
import type { Action, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineReader, LineRecord, ParseContext } from '../../format.js';
import { endpointText } from '../../shared/endpoint.js';
import { isObject, majorityScore, type JsonObject } from '../../shared/json.js';
import { jsonLineReader, lineEvents } from '../../shared/line-events.js';
import { parseEpochSeconds } from '../../shared/time.js';
import { clipField, isDigits } from '../../shared/text.js';
import { IP_PROTOCOL_NAMES } from '../../shared/proto.js';

const NAME = 'alibaba-cloudfirewall';
const PROTOCOLS: Record<string, string> = { ...IP_PROTOCOL_NAMES, icmpv6: 'ipv6-icmp' };
/** acl_rule_id when no access control policy was hit */
const NO_RULE = '00000000-0000-0000-0000-000000000000';

/** rule_result words (documented: pass, alert, drop) and the obvious vendor synonyms. */
const RESULTS: Record<string, Action> = {
  pass: 'allow', allow: 'allow', accept: 'allow',
  drop: 'deny', deny: 'deny', block: 'deny', discard: 'deny',
  reject: 'reject',
  alert: 'alert', log: 'alert', monitor: 'alert', observe: 'alert',
};
const NUMERIC_FIELDS = new Set([
  '__time__', 'vul_level', 'rule_source', 'new_conn', 'in_packet_bytes', 'in_packet_count', 'out_packet_bytes', 'out_packet_count',
  'total_packet_bytes', 'total_packet_count', 'in_bps', 'out_bps', 'total_bps', 'in_pps', 'out_pps', 'total_pps', 'start_time_min', 'tcp_seq',
]);
/** Values that become first-class event properties and are not repeated in `fields`. */
const NOT_IN_FIELDS = new Set(['src_ip', 'dst_ip', 'src_port', 'dst_port', 'start_time', 'end_time']);

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The record's time text: start_time (epoch seconds), else __time__ (the SLS write time). */
function startText(o: JsonObject): string | undefined {
  return text(o['start_time']) ?? text(o['__time__']);
}

function looksLikeCloudFirewall(o: unknown): boolean {
  if (!isObject(o)) return false;
  if (typeof o['src_ip'] !== 'string' || typeof o['dst_ip'] !== 'string' || typeof o['log_type'] !== 'string') return false;
  const topic = o['__topic__'];
  if (!('rule_result' in o) && !(typeof topic === 'string' && topic.startsWith('cloudfirewall'))) return false;
  const t = startText(o);
  return t !== undefined && !Number.isNaN(parseEpochSeconds(t));
}

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  return majorityScore(head.objects, looksLikeCloudFirewall, 0.95);
}

/** The host part of a logged URL (`http://host:port/path`), for records that carry no domain. */
function urlHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const start = url.indexOf('://');
  const from = start < 0 ? 0 : start + 3;
  let end = from;
  while (end < url.length && url[end] !== '/' && url[end] !== ':' && url[end] !== '?') end++;
  return end > from ? url.slice(from, end) : undefined;
}

/** An IPS / threat-engine hit: an IPS rule id or an attack type is named. */
function isIpsHit(o: JsonObject): boolean {
  const id = text(o['ips_rule_id']);
  return (id !== undefined && id !== '0') || text(o['ips_ai_rule_id']) !== undefined ||
    text(o['attack_type_name_en']) !== undefined || text(o['attack_type_name']) !== undefined;
}

/**
 * The record keys cloudFirewallEvent reads for a lean event, besides the `fields` keys kept: a lean reading
 * parses only these (jsonLineReader). test/scan/lean.test.ts checks that it reads no other.
 */
export const LEAN_RECORD_KEYS: readonly string[] = [
  'start_time', '__time__', 'end_time', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'ip_protocol', 'proto', 'rule_result',
  'ips_rule_id', 'ips_ai_rule_id', 'attack_type_name_en', 'attack_type_name', 'domain', 'url', 'cloud_instance_id', 'src_private_ip',
];

/** `lean`: only these `fields` keys, and no message (see LineReader). Exported for the test of LEAN_RECORD_KEYS. */
export function cloudFirewallEvent(o: JsonObject, ctx: ParseContext, line: number, lean?: ReadonlySet<string>): ForensicEvent | string {
  const startRaw = startText(o);
  if (startRaw === undefined) return 'record has no start_time or __time__';
  const timeMs = parseEpochSeconds(startRaw);
  if (Number.isNaN(timeMs)) return `start_time is not epoch seconds: '${startRaw}'`;
  const endRaw = text(o['start_time']) !== undefined ? text(o['end_time']) : undefined;
  const endMs = endRaw === undefined ? undefined : parseEpochSeconds(endRaw);
  if (endMs !== undefined && Number.isNaN(endMs)) return `end_time is not epoch seconds: '${endRaw}'`;
  const srcIp = text(o['src_ip']);
  const dstIp = text(o['dst_ip']);
  if (srcIp === undefined || ipVersion(srcIp) === 0) return `src_ip is not an IP address: '${srcIp ?? ''}'`;
  if (dstIp === undefined || ipVersion(dstIp) === 0) return `dst_ip is not an IP address: '${dstIp ?? ''}'`;
  const srcPort = text(o['src_port']);
  if (srcPort !== undefined && !(srcPort.length <= 5 && isDigits(srcPort))) return `src_port is not a port number: '${srcPort}'`;
  const dstPort = text(o['dst_port']);
  if (dstPort !== undefined && !(dstPort.length <= 5 && isDigits(dstPort))) return `dst_port is not a port number: '${dstPort}'`;
  const ports = [srcPort === undefined ? undefined : Number(srcPort), dstPort === undefined ? undefined : Number(dstPort)] as const;
  const protoRaw = (text(o['ip_protocol']) ?? text(o['proto']))?.toLowerCase();
  const proto = protoRaw === undefined ? undefined : (PROTOCOLS[protoRaw] ?? protoRaw);
  const result = text(o['rule_result']);
  let action: Action | undefined;
  if (result !== undefined) {
    action = RESULTS[result.toLowerCase()];
    if (action === undefined) return `unknown rule_result '${result}'`;
  }
  const ips = isIpsHit(o);
  // An IPS hit that was let through (observe mode) is still an alert; a dropped one stays a deny.
  if (ips && (action === 'allow' || action === undefined)) action = 'alert';

  const fields: Record<string, unknown> = {};
  const copy = (key: string) => {
    if (NOT_IN_FIELDS.has(key) || key.startsWith('__tag__')) return;
    const t = text(o[key]);
    if (t === undefined || (key === 'acl_rule_id' && t === NO_RULE)) return;
    fields[key] = NUMERIC_FIELDS.has(key) && isDigits(t) ? Number(t) : clipField(t);
  };
  if (lean) {
    for (const key of lean) if (Object.hasOwn(o, key)) copy(key);
  } else for (const key in o) copy(key);
  if (ips && (!lean || lean.has('ips_hit'))) fields['ips_hit'] = true;

  const domain = text(o['domain']) ?? urlHost(text(o['url']));
  const dst: { ip?: string; port?: number; domain?: string } = { ip: dstIp, port: ports[1] };
  if (domain !== undefined) dst.domain = domain;
  // Named only in the message, which a lean event has not.
  const threat = lean ? undefined : text(o['ips_rule_name_en']) ?? text(o['attack_type_name_en']) ?? text(o['ips_rule_name']) ?? text(o['attack_type_name']);
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs,
    timeRaw: startRaw,
    ref: { path: ctx.path, line },
    src: { ip: srcIp, port: ports[0] },
    dst,
    // One literal for both readings (a lean event is never kept, so its undefined message is never shown).
    message: lean ? undefined :
      `${(result ?? 'log').toUpperCase()} ${(proto ?? 'ip').toUpperCase()} ${endpointText(srcIp, ports[0])} -> ${endpointText(dstIp, ports[1])}` +
      (domain !== undefined ? ` (${domain})` : '') +
      (ips ? ` [${threat ?? 'IPS'}]` : ''),
    fields,
  };
  if (endMs !== undefined && endMs >= timeMs) event.endMs = endMs;
  if (proto !== undefined) event.proto = proto;
  if (action !== undefined) event.action = action;
  // The log names the protected asset by its private address (internet firewall) or by an ECS instance id.
  const instance = text(o['cloud_instance_id']);
  const host = text(o['src_private_ip']) ?? (instance?.startsWith('i-') ? instance : undefined);
  if (host !== undefined) event.host = host;
  return event;
}

function lineReader(ctx: ParseContext): LineReader {
  return jsonLineReader(ctx, (o, _path, line, lean) => {
    const r = cloudFirewallEvent(o, ctx, line, lean);
    return typeof r === 'string' ? { problem: r } : { event: r };
  }, LEAN_RECORD_KEYS);
}

function parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  return lineEvents(lines, ctx, lineReader(ctx));
}

export const alibabaCloudfirewallFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'Alibaba Cloud Firewall traffic logs (internet, NAT and VPC firewalls, IPS hits) exported from Log Service as JSON lines',
  notes:
    'Detected from JSON lines with log_type, src_ip, dst_ip, rule_result (or __topic__ cloudfirewall_*) and an epoch-seconds start_time or __time__. ' +
    'Times: start_time/end_time are epoch seconds (UTC) of the session: timeMs = start_time, endMs = end_time; without start_time, __time__ (SLS write time) is the instant. ' +
    'rule_result pass -> allow, drop -> deny, alert -> alert; an IPS or attack hit (ips_rule_id, attack_type_name) that was passed becomes alert, a dropped one stays deny, ' +
    'and fields.ips_hit is set. dst.domain = domain, else the host of url. host = src_private_ip, or cloud_instance_id when it is an ECS instance (i-...).',
  probe,
  parse,
  lineReader,
  projectsFields: true,
};
