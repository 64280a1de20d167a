// Netfilter LOG / NFLOG lines (iptables, nftables, UFW, Proxmox pve-firewall) behind RFC 3164, RFC 5424
// or ISO syslog headers. Reads one packet record per line; what a packet means is left to the rules.
import type { Action, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { parseSyslogHeader, probeClock, SyslogClock } from '../../shared/syslog.js';
import { MONTHS } from '../../shared/time.js';

const NAME = 'iptables';

/** Netfilter prints these protocol names; everything else is printed as its number. */
const PROTOCOLS: Record<string, string> = {
  TCP: 'tcp', UDP: 'udp', ICMP: 'icmp', ICMPV6: 'ipv6-icmp', UDPLITE: '136', ESP: '50', AH: '51', SCTP: '132', GRE: '47',
};

/** Verdict words of log prefixes (`IPTABLES-DROP:`, `[UFW BLOCK]`, `nft drop:`, `policy DROP:`). */
const VERDICTS: Record<string, Action> = {
  DROP: 'drop', DROPPED: 'drop',
  REJECT: 'reject', REJECTED: 'reject',
  DENY: 'deny', DENIED: 'deny', BLOCK: 'deny', BLOCKED: 'deny',
  ACCEPT: 'allow', ACCEPTED: 'allow', ALLOW: 'allow', ALLOWED: 'allow', PASS: 'allow',
};
/** Ubiquiti EdgeOS / VyOS prefixes `[RULESET-RULE-A|D|R]`: accept, drop, reject. */
const EDGE_PREFIX = /^\[[^\]\s]+-([ADR])\]$/;
const EDGE_VERDICTS: Record<string, Action> = { A: 'allow', D: 'drop', R: 'reject' };

/** Proxmox pve-firewall log: `VMID LEVEL CHAIN dd/Mon/yyyy:hh:mm:ss +zzzz PREFIX: IN=...`. */
const PROXMOX = /^(\d+) (\d+) (\S+) ((\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})) /;

const UPTIME = /^\[\s*\d+\.\d+\]\s*/;
/** The syslog tags netfilter records arrive under: the kernel ring buffer, or ulogd for NFLOG. */
const LOGGER_TAG = /^(?:kernel|ulogd2?)(?:\[\d+\])?:/;

function verdictOf(prefix: string): Action | undefined {
  for (const word of prefix.toUpperCase().split(/[^A-Z]+/)) {
    const v = VERDICTS[word];
    if (v) return v;
  }
  const m = EDGE_PREFIX.exec(prefix);
  return m ? EDGE_VERDICTS[m[1]!] : undefined;
}

interface Envelope {
  timeMs: number;
  timeRaw: string;
  host?: string;
  /** the log prefix and the KEY=value part that follows it */
  payload: string;
  fields: Record<string, unknown>;
}

/** The header of a line: syslog (any style) or Proxmox; undefined when the line has neither. */
function envelope(text: string, clock: SyslogClock): Envelope | undefined {
  const px = PROXMOX.exec(text);
  if (px) {
    const month = MONTHS[px[6]!];
    if (!month) return undefined;
    const offset = (Number(px[12]) * 60 + Number(px[13])) * (px[11] === '-' ? -1 : 1);
    const timeMs = Date.UTC(Number(px[7]), month - 1, Number(px[5]), Number(px[8]), Number(px[9]), Number(px[10])) - offset * 60_000;
    if (Number.isNaN(timeMs)) return undefined;
    return { timeMs, timeRaw: px[4]!, payload: text.slice(px[0].length), fields: { vmid: px[1], chain: px[3] } };
  }
  const h = parseSyslogHeader(text, clock);
  if (!h) return undefined;
  // RFC 5424 carries the tag as APP-NAME; RFC 3164 / ISO lines start with it (when the logger wrote one).
  const payload = (h.style === 'rfc5424' ? h.rest : h.rest.replace(LOGGER_TAG, '')).trimStart().replace(UPTIME, '');
  return { timeMs: h.timeMs, timeRaw: h.timeRaw, host: h.host, payload, fields: {} };
}

/** Where the KEY=value list starts: at `IN=` (always printed first by netfilter), else at the first KEY= token. */
function kvStart(payload: string): number {
  let from = 0;
  for (;;) {
    const i = payload.indexOf('IN=', from);
    if (i < 0) break;
    const before = i === 0 ? 32 : payload.charCodeAt(i - 1);
    if (!(before >= 65 && before <= 90)) return i;
    from = i + 3;
  }
  const m = /(?:^|\s)[A-Z][A-Z0-9]*=/.exec(payload);
  if (!m) return -1;
  return m.index + (m[0].length - m[0].trimStart().length);
}

/** True when the payload looks like a netfilter packet record at all (other syslog traffic is not ours). */
function isNetfilter(payload: string): boolean {
  return payload.includes('SRC=') || (payload.includes('IN=') && payload.includes('OUT='));
}

const portOf = (v: string | undefined): number | undefined | null => {
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v)) return null;
  const n = Number(v);
  return n <= 65535 ? n : null;
};

const endpointText = (ip: string, port: number | undefined): string => `${ip.includes(':') ? `[${ip}]` : ip}${port !== undefined ? `:${port}` : ''}`;

type Parsed = { event: ForensicEvent } | { problem: string } | undefined;

function parseLine(text: string, clock: SyslogClock, path: string, line: number): Parsed {
  const env = envelope(text, clock);
  if (!env) return { problem: 'no syslog or pve-firewall timestamp at the start of the line' };
  if (!isNetfilter(env.payload)) return undefined;
  const start = kvStart(env.payload);
  if (start < 0) return { problem: 'no KEY=value packet fields after the log prefix' };
  const prefix = env.payload.slice(0, start).trim();
  const kv: Record<string, string> = {};
  const body = env.payload.slice(start);
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ') i++;
    if (i >= body.length) break;
    // `[SRC=... DST=... ]` is the packet quoted inside an ICMP error: it must not replace the outer one.
    if (body[i] === '[') break;
    let end = body.indexOf(' ', i);
    if (end < 0) end = body.length;
    const eq = body.indexOf('=', i);
    if (eq > i && eq < end) {
      const key = body.slice(i, eq);
      if (kv[key] === undefined) kv[key] = body.slice(eq + 1, end);
    }
    i = end;
  }
  const src = kv['SRC'];
  const dst = kv['DST'];
  if (!src || !dst) return { problem: 'netfilter record without SRC= and DST= addresses' };
  const spt = portOf(kv['SPT']);
  const dpt = portOf(kv['DPT']);
  if (spt === null || dpt === null) return { problem: `invalid port SPT=${kv['SPT'] ?? ''} DPT=${kv['DPT'] ?? ''}` };
  const protoRaw = kv['PROTO'];
  const proto = protoRaw === undefined ? undefined : (PROTOCOLS[protoRaw.toUpperCase()] ?? protoRaw);

  const fields: Record<string, unknown> = { ...env.fields };
  if (prefix !== '') fields.prefix = prefix.slice(0, 2000);
  const put = (key: string, name: string, numeric = false): void => {
    const v = kv[name];
    if (v === undefined || v === '') return;
    fields[key] = numeric && /^\d+$/.test(v) ? Number(v) : v;
  };
  put('in', 'IN');
  put('out', 'OUT');
  put('physin', 'PHYSIN');
  put('physout', 'PHYSOUT');
  put('mac', 'MAC');
  put('uid', 'UID', true);
  put('gid', 'GID', true);
  put('mark', 'MARK');
  if (proto === 'icmp' || proto === 'ipv6-icmp') {
    put('icmp_type', 'TYPE', true);
    put('icmp_code', 'CODE', true);
  }

  const action = verdictOf(prefix);
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs: env.timeMs,
    timeRaw: env.timeRaw,
    ref: { path, line },
    src: spt === undefined ? { ip: src } : { ip: src, port: spt },
    dst: dpt === undefined ? { ip: dst } : { ip: dst, port: dpt },
    message: `${action ? action.toUpperCase() : 'LOG'} ${(proto ?? 'ip').toUpperCase()} ${endpointText(src, spt)} -> ${endpointText(dst, dpt)}${prefix ? ` (${prefix.slice(0, 200)})` : ''}`,
    fields,
  };
  if (proto !== undefined) event.proto = proto;
  if (action) event.action = action;
  if (env.host !== undefined) event.host = env.host;
  return { event };
}

function probe(head: Head): number {
  if (head.container !== 'lines' || head.lines.length === 0) return 0;
  const clock = probeClock();
  let good = 0;
  for (const l of head.lines) {
    const r = parseLine(l.text, clock, '', l.line);
    if (r && 'event' in r) good++;
  }
  if (good === 0) return 0;
  return 0.5 + 0.45 * (good / head.lines.length);
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const clock = new SyslogClock(ctx);
  for await (const rec of lines) {
    if (rec.text.trim() === '') continue;
    const r = parseLine(rec.text, clock, ctx.path, rec.line);
    if (r === undefined) continue;
    if ('problem' in r) ctx.skip({ line: rec.line }, r.problem);
    else yield r.event;
  }
}

export const iptablesFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'Netfilter LOG lines written by iptables, nftables, UFW and Proxmox pve-firewall, behind RFC 3164, RFC 5424 or ISO syslog headers.',
  notes:
    'Recognized by a syslog (or pve-firewall) timestamp followed by a netfilter record with SRC=/DST= and IN=/OUT= among the first lines of the input. ' +
    'The time is the syslog timestamp of the packet; RFC 3164 stamps carry no zone or year: --tz and --year (or the inferred year) apply. ' +
    'The action comes from the log prefix (DROP, REJECT, DENY/BLOCK, ACCEPT/ALLOW words, EdgeOS -A/-D/-R); a prefix without a verdict leaves it unset. ' +
    'Other syslog lines in the same file are ignored; lines without a readable timestamp or without addresses are skipped.',
  probe,
  parse,
};
