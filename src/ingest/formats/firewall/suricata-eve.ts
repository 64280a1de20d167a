// Suricata EVE JSON lines: IDS alerts plus the flow / protocol records (dns, tls, http, ssh, fileinfo...)
// that show what traffic was seen. Engine statistics are not traffic and produce nothing.
import { ipVersion } from '../../shared/ip.js';
import type { Action, Endpoint, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, num, str, type JsonObject } from '../../shared/json.js';
import { jsonLineEvents, jsonLineReader, type LineOutcome } from '../../shared/line-events.js';
import { parseIsoMs } from '../../shared/time.js';
import { IP_PROTOCOL_NAMES } from '../../shared/proto.js';

const NAME = 'suricata-eve';

/** Records about the engine, not about packets: no event, and not a parse failure. */
const ENGINE_TYPES = new Set(['stats', 'engine']);
const PROTOCOLS: Record<string, string> = { TCP: 'tcp', UDP: 'udp', ICMP: 'icmp', IPV6_ICMP: 'ipv6-icmp', ICMPV6: 'ipv6-icmp', 'IPV6-ICMP': 'ipv6-icmp' };

const clip = (s: string, n = 2000): string => (s.length > n ? s.slice(0, n) : s);
const domainOf = (v: unknown): string | undefined => {
  const s = str(v);
  if (!s) return undefined;
  return s.endsWith('.') ? s.slice(0, -1) : s;
};
const endpointText = (e: Endpoint): string => `${e.ip?.includes(':') ? `[${e.ip}]` : (e.ip ?? '?')}${e.port !== undefined ? `:${e.port}` : ''}`;

function portOf(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

function protoOf(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const up = s.toUpperCase();
  return PROTOCOLS[up] ?? (/^\d+$/.test(s) ? (IP_PROTOCOL_NAMES[s] ?? s) : s.toLowerCase());
}

/** The DNS query name of EVE v1/v2 (`dns.rrname`) or v3 (`dns.queries[0].rrname`). */
function dnsName(dns: JsonObject): string | undefined {
  const direct = domainOf(dns.rrname);
  if (direct) return direct;
  const q = Array.isArray(dns.queries) ? dns.queries[0] : undefined;
  return isObject(q) ? domainOf(q.rrname) : undefined;
}

function dnsAnswers(dns: JsonObject): string | undefined {
  if (str(dns.rdata)) return str(dns.rdata);
  if (Array.isArray(dns.answers)) {
    const out = dns.answers.map((a) => (isObject(a) ? str(a.rdata) : undefined)).filter((x): x is string => !!x);
    if (out.length) return clip(out.join(','));
  }
  if (isObject(dns.grouped)) {
    const out: string[] = [];
    for (const v of Object.values(dns.grouped)) if (Array.isArray(v)) for (const x of v) if (str(x)) out.push(str(x)!);
    if (out.length) return clip(out.join(','));
  }
  return undefined;
}

function timeOf(o: JsonObject, eventType: string): { timeMs: number; timeRaw: string; endMs?: number } | undefined {
  const raw = str(o.timestamp);
  const ts = raw === undefined ? NaN : parseIsoMs(raw);
  if (Number.isNaN(ts)) return undefined;
  // A flow / netflow record is written when the flow ends; its window is flow.start → flow.end.
  if ((eventType === 'flow' || eventType === 'netflow') && isObject(o[eventType])) {
    const f = o[eventType] as JsonObject;
    const startRaw = str(f.start);
    const start = startRaw === undefined ? NaN : parseIsoMs(startRaw);
    if (!Number.isNaN(start)) {
      const endRaw = str(f.end);
      const end = endRaw === undefined ? NaN : parseIsoMs(endRaw);
      return { timeMs: start, timeRaw: startRaw!, endMs: !Number.isNaN(end) && end >= start ? end : undefined };
    }
  }
  return { timeMs: ts, timeRaw: raw! };
}

function toEvent(o: JsonObject, path: string, line: number): LineOutcome {
  const eventType = str(o.event_type);
  if (eventType === undefined) return { problem: 'EVE record without event_type' };
  const t = timeOf(o, eventType);
  if (!t) return { problem: `EVE record without a valid timestamp: '${String(o.timestamp)}'` };
  if (ENGINE_TYPES.has(eventType)) return undefined;
  const srcIp = str(o.src_ip);
  const dstIp = str(o.dest_ip);
  // Records with no packet addresses (engine notices) describe no traffic.
  if (srcIp === undefined && dstIp === undefined) return undefined;
  const src: Endpoint = { ip: srcIp };
  const dst: Endpoint = { ip: dstIp };
  const sp = portOf(o.src_port);
  const dp = portOf(o.dest_port);
  if (sp !== undefined) src.port = sp;
  if (dp !== undefined) dst.port = dp;
  const proto = protoOf(o.proto);

  const fields: Record<string, unknown> = { event_type: eventType };
  const copy = (key: string, v: unknown, n = 2000): void => {
    if (typeof v === 'number' && Number.isFinite(v)) fields[key] = v;
    else if (typeof v === 'string' && v !== '') fields[key] = clip(v, n);
  };
  copy('in_iface', o.in_iface);
  copy('flow_id', o.flow_id);
  copy('app_proto', o.app_proto);
  copy('community_id', o.community_id);

  let action: Action | undefined;
  let detail = '';
  if (eventType === 'alert') {
    action = 'alert';
    const a = isObject(o.alert) ? o.alert : {};
    copy('signature', a.signature);
    copy('signature_id', a.signature_id);
    copy('gid', a.gid);
    copy('rev', a.rev);
    copy('category', a.category);
    copy('severity', a.severity);
    copy('alert_action', a.action);
    detail = ` [${str(a.gid) ?? '1'}:${str(a.signature_id) ?? '?'}] ${str(a.signature) ?? ''}`.trimEnd();
  } else if (eventType === 'drop') action = 'drop';
  else if (eventType !== 'anomaly') action = 'allow';

  // The names each protocol record carries; an alert may carry them too (its app-layer metadata).
  if (isObject(o.dns)) {
    const name = dnsName(o.dns);
    if (name) dst.domain = name;
    copy('dns_type', o.dns.type);
    copy('rrtype', o.dns.rrtype);
    copy('rcode', o.dns.rcode);
    const answers = dnsAnswers(o.dns);
    if (answers) fields.output = answers;
    if (eventType === 'dns') detail = ` ${str(o.dns.type) ?? ''} ${name ?? ''} ${str(o.dns.rrtype) ?? ''} ${str(o.dns.rcode) ?? ''}`.replace(/\s+/g, ' ').trimEnd();
  }
  if (isObject(o.tls)) {
    const sni = domainOf(o.tls.sni);
    if (sni) dst.domain = sni;
    copy('tls_subject', o.tls.subject);
    copy('tls_version', o.tls.version);
    if (eventType === 'tls' && sni) detail = ` sni ${sni}`;
  }
  if (isObject(o.http)) {
    const host = domainOf(o.http.hostname);
    // A Host header that is an address literal names no domain.
    if (host && !dst.domain && ipVersion(host) === 0) dst.domain = host;
    copy('http_method', o.http.http_method);
    copy('url', o.http.url);
    copy('status', o.http.status);
    copy('http_user_agent', o.http.http_user_agent, 500);
    if ((eventType === 'http' || eventType === 'fileinfo') && host) detail = ` ${str(o.http.http_method) ?? ''} ${host}${str(o.http.url) ?? ''}`.replace(/\s+/g, ' ').trimEnd();
  }
  if (isObject(o.fileinfo)) copy('filename', o.fileinfo.filename);
  if (isObject(o.ssh)) {
    copy('ssh_client', isObject(o.ssh.client) ? o.ssh.client.software_version : undefined);
    copy('ssh_server', isObject(o.ssh.server) ? o.ssh.server.software_version : undefined);
  }
  for (const key of ['flow', 'netflow'] as const) {
    const f = o[key];
    if (isObject(f)) {
      copy('flow_state', f.state);
      copy('flow_reason', f.reason);
      copy('bytes_toserver', f.bytes_toserver);
      copy('bytes_toclient', f.bytes_toclient);
    }
  }

  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs: t.timeMs,
    timeRaw: t.timeRaw,
    ref: { path, line },
    src,
    dst,
    message: `${eventType.toUpperCase()} ${(proto ?? 'ip').toUpperCase()} ${endpointText(src)} -> ${endpointText(dst)}${detail}`,
    fields,
  };
  if (t.endMs !== undefined) event.endMs = t.endMs;
  if (proto !== undefined) event.proto = proto;
  if (action) event.action = action;
  const host = str(o.host);
  if (host) event.host = host;
  return { event };
}

function isEve(o: unknown): boolean {
  if (!isObject(o)) return false;
  const type = str(o.event_type);
  const ts = str(o.timestamp);
  if (!type || !ts || Number.isNaN(parseIsoMs(ts))) return false;
  return ENGINE_TYPES.has(type) || (str(o.src_ip) !== undefined && str(o.dest_ip) !== undefined);
}

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  let good = 0;
  for (const o of head.objects) if (isEve(o)) good++;
  if (good === 0) return 0;
  return 0.5 + 0.45 * (good / head.lines.length);
}

function parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  return jsonLineEvents(lines, ctx, toEvent);
}

export const suricataEveFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'Suricata EVE JSON lines: alerts, drops, flows and protocol records (dns, tls, http, ssh, fileinfo, ...).',
  notes:
    'Recognized by JSON lines with event_type, a parseable timestamp and src_ip/dest_ip (or stats records). ' +
    'The time is the record timestamp (with its zone offset); flow and netflow records span flow.start → flow.end. ' +
    'alert → action alert (alert.severity 1 is the highest), drop → drop, anomaly → no action, other traffic records → allow. ' +
    'dst.domain is the DNS query name, TLS SNI or HTTP hostname. stats records produce no event.',
  probe,
  parse,
  lineReader: (ctx) => jsonLineReader(ctx, toEvent),
};
