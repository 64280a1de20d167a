// pfSense / OPNsense `filterlog` records: the pf packet filter's CSV payload behind a BSD (RFC 3164)
// or RFC 5424 syslog header. One packet verdict per line; what it means is left to the rules.
import { ipVersion as addressVersion } from '../../shared/ip.js';
import type { Action, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import type { LineOutcome } from '../../shared/line-events.js';
import { parseSyslogHeader, probeSyslogLines, splitTag, SyslogClock, syslogLineEvents, syslogLineReader } from '../../shared/syslog.js';
import { IP_PROTOCOL_NAMES } from '../../shared/proto.js';
import { endpointText } from '../../shared/endpoint.js';

const NAME = 'pfsense-filterlog';

// Field layout (https://docs.netgate.com/pfsense/en/latest/monitoring/logs/raw-filter-format.html):
// rule,subrule,anchor,tracker,interface,reason,action,direction,ipversion, then
// IPv4: tos,ecn,ttl,id,offset,flags,protonum,protoname,length,src,dst
// IPv6: class,flowlabel,hoplimit,protoname,protonum,length,src,dst
// then tcp/udp: srcport,dstport,datalen[,tcpflags,seq,ack,window,urg,options]
const COMMON = 9;

const ACTIONS: Record<string, Action> = { pass: 'allow', block: 'deny', reject: 'reject' };

function portOf(v: string | undefined): number | undefined | null {
  if (v === undefined || v === '') return undefined;
  if (!/^\d{1,5}$/.test(v)) return null;
  const n = Number(v);
  return n <= 65535 ? n : null;
}

/** The filterlog CSV of a line, or undefined when the line is some other program's syslog message. */
function payloadOf(text: string, clock: SyslogClock): { csv: string; timeMs: number; timeRaw: string; host?: string } | { problem: string } | undefined {
  const h = parseSyslogHeader(text, clock);
  if (!h) return { problem: 'no syslog timestamp at the start of the line' };
  if (h.style === 'rfc5424') return h.app === 'filterlog' ? { csv: h.rest, timeMs: h.timeMs, timeRaw: h.timeRaw, host: h.host } : undefined;
  const tag = splitTag(h.rest);
  if (!tag || tag.app !== 'filterlog') return undefined;
  return { csv: tag.msg, timeMs: h.timeMs, timeRaw: h.timeRaw, host: h.host };
}

function parseLine(text: string, clock: SyslogClock, path: string, line: number): LineOutcome {
  const p = payloadOf(text, clock);
  if (p === undefined || 'problem' in p) return p;
  const f = p.csv.trim().split(',');
  if (f.length < COMMON + 8) return { problem: `truncated filterlog record: ${f.length} fields` };
  const [rule, , , tracker, iface, reason, vendorAction, direction, ipVersion] = f as [string, string, string, string, string, string, string, string, string];
  if (direction !== 'in' && direction !== 'out') return { problem: `unknown direction '${direction}'` };
  let protoNum: string;
  let src: string;
  let dst: string;
  let next: number;
  if (ipVersion === '4') {
    if (f.length < COMMON + 11) return { problem: `truncated IPv4 filterlog record: ${f.length} fields` };
    protoNum = f[COMMON + 6]!;
    src = f[COMMON + 9]!;
    dst = f[COMMON + 10]!;
    next = COMMON + 11;
  } else if (ipVersion === '6') {
    protoNum = f[COMMON + 4]!;
    src = f[COMMON + 6]!;
    dst = f[COMMON + 7]!;
    next = COMMON + 8;
  } else return { problem: `unknown IP version '${ipVersion}'` };
  if (addressVersion(src) === 0 || addressVersion(dst) === 0) return { problem: `not an IP address pair: '${src}', '${dst}'` };
  if (!/^\d{1,3}$/.test(protoNum)) return { problem: `protocol number is not a number: '${protoNum}'` };
  const proto = IP_PROTOCOL_NAMES[protoNum] ?? protoNum;
  let sport: number | undefined;
  let dport: number | undefined;
  if (proto === 'tcp' || proto === 'udp') {
    const s = portOf(f[next]);
    const d = portOf(f[next + 1]);
    if (s === null || d === null || s === undefined || d === undefined) return { problem: `invalid ports '${f[next] ?? ''}', '${f[next + 1] ?? ''}'` };
    sport = s;
    dport = d;
  }
  const action = ACTIONS[vendorAction];
  const fields: Record<string, unknown> = { rule, interface: iface, direction, reason, vendor_action: vendorAction };
  if (tracker !== '') fields.tracker = tracker;
  if (proto === 'tcp' && f[next + 3]) fields.tcp_flags = f[next + 3];
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs: p.timeMs,
    timeRaw: p.timeRaw,
    ref: { path, line },
    src: sport === undefined ? { ip: src } : { ip: src, port: sport },
    dst: dport === undefined ? { ip: dst } : { ip: dst, port: dport },
    proto,
    message: `${(action ?? vendorAction).toUpperCase()} ${proto.toUpperCase()} ${endpointText(src, sport)} -> ${endpointText(dst, dport)} (${iface} ${direction}, rule ${rule})`,
    fields,
  };
  if (action) event.action = action;
  if (p.host !== undefined) event.host = p.host;
  return { event };
}

function probe(head: Head): number {
  return probeSyslogLines(head, parseLine, 0.55);
}

function parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  return syslogLineEvents(lines, ctx, parseLine);
}

export const pfsenseFilterlogFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'pfSense / OPNsense filterlog packet records (CSV) behind BSD or RFC 5424 syslog headers.',
  notes:
    'Recognized by a syslog header whose program is filterlog and a CSV payload with the pf rule, interface, action, direction and IPv4/IPv6 layout. ' +
    'The time is the syslog timestamp; BSD headers carry no zone or year: --tz and --year (or the inferred year) apply, RFC 5424 stamps carry their offset. ' +
    'block → deny, pass → allow, reject → reject. Other programs\' lines in the same log are ignored; damaged filterlog records are skipped.',
  probe,
  parse,
  yearless: true,
  lineReader: (ctx) => syslogLineReader(ctx, parseLine),
};
