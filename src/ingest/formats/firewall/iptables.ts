// Netfilter LOG / NFLOG lines (iptables, nftables, UFW, Proxmox pve-firewall) behind RFC 3164, RFC 5424
// or ISO syslog headers. Reads one packet record per line; what a packet means is left to the rules.
import type { Action, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import type { LineOutcome } from '../../shared/line-events.js';
import { parseSyslogHeader, probeSyslogLines, SyslogClock, syslogLineEvents, syslogLineReader } from '../../shared/syslog.js';
import { MONTHS } from '../../shared/time.js';
import { clipField, isDigitCode, isDigits } from '../../shared/text.js';
import { endpointText } from '../../shared/endpoint.js';

const NAME = 'iptables';

/**
 * Every key this format may put in `fields`, checked by the compiler (FieldKey): rules that read any
 * other key can be answered without reading the record, and lean records leave these out.
 */
const FIELD_KEYS = ['vmid', 'chain', 'prefix', 'in', 'out', 'physin', 'physout', 'mac', 'uid', 'gid', 'mark', 'icmp_type', 'icmp_code'] as const;
type FieldKey = (typeof FIELD_KEYS)[number];
type PacketRecordFields = Partial<Record<FieldKey, unknown>>;

/** Netfilter prints these protocol names; everything else is printed as its number. */
const PROTOCOLS = new Map(Object.entries({
  TCP: 'tcp', UDP: 'udp', ICMP: 'icmp', ICMPV6: 'ipv6-icmp', UDPLITE: '136', ESP: '50', AH: '51', SCTP: '132', GRE: '47',
}));

/** Netfilter writes the names in capitals: they are looked up as written before being upper-cased. */
function protocolOf(raw: string): string {
  return PROTOCOLS.get(raw) ?? PROTOCOLS.get(raw.toUpperCase()) ?? raw;
}

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

/**
 * The payload without a leading kernel uptime (`[46000.620353] `). The usual shape is cut by hand
 * (this runs for every line); anything else goes through UPTIME, so the answer is the regex's.
 */
export function withoutUptime(payload: string): string {
  let i = 1;
  while (payload.charCodeAt(i) === 32) i++;
  const intStart = i;
  while (isDigitCode(payload.charCodeAt(i))) i++;
  if (i === intStart || payload.charCodeAt(i) !== 46 /* . */) return payload.replace(UPTIME, '');
  const fracStart = ++i;
  while (isDigitCode(payload.charCodeAt(i))) i++;
  if (i === fracStart || payload.charCodeAt(i) !== 93 /* ] */) return payload.replace(UPTIME, '');
  i++;
  while (payload.charCodeAt(i) === 32) i++;
  // Another kind of white space after the bracket: let the regex decide how much to take.
  const next = payload.charCodeAt(i);
  if (next === 9 || next === 10 || next === 11 || next === 12 || next === 13 || next === 160 || next > 0x167f) return payload.replace(UPTIME, '');
  return payload.slice(i);
}

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

/** A log has a handful of distinct prefixes: their verdicts are remembered (bounded) instead of re-split per line. */
const verdictCache = new Map<string, Action | null>();

function cachedVerdict(prefix: string): Action | undefined {
  let v = verdictCache.get(prefix);
  if (v === undefined) {
    v = verdictOf(prefix) ?? null;
    if (verdictCache.size >= 4096) verdictCache.clear();
    verdictCache.set(prefix, v);
  }
  return v ?? undefined;
}

interface Envelope {
  timeMs: number;
  timeRaw: string;
  host?: string;
  /** the log prefix and the KEY=value part that follows it */
  payload: string;
  fields: PacketRecordFields;
}

/** The header of a line: syslog (any style) or Proxmox; undefined when the line has neither. */
function envelope(text: string, clock: SyslogClock): Envelope | undefined {
  const c0 = text.charCodeAt(0);
  const px = c0 >= 48 && c0 <= 57 ? PROXMOX.exec(text) : null;
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
  let payload = h.style === 'rfc5424' ? h.rest : h.rest.startsWith('kernel: ') ? h.rest.slice(8) : h.rest.replace(LOGGER_TAG, '');
  payload = payload.trimStart();
  if (payload.charCodeAt(0) === 91 /* [ */) payload = withoutUptime(payload);
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
  if (v.length > 5 || !isDigits(v)) return null;
  const n = Number(v);
  return n <= 65535 ? n : null;
};

/** The netfilter fields an event uses; the first occurrence of a key wins, other keys are not kept. */
class PacketFields {
  IN?: string; OUT?: string; PHYSIN?: string; PHYSOUT?: string; MAC?: string; SRC?: string; DST?: string;
  PROTO?: string; SPT?: string; DPT?: string; UID?: string; GID?: string; MARK?: string; TYPE?: string; CODE?: string;

  /** `text[at..eq)` is the key and `text(eq..end)` its value. */
  set(text: string, at: number, eq: number, end: number): void {
    switch (eq - at) {
      case 2:
        if (text.startsWith('IN', at)) this.IN ??= text.slice(eq + 1, end);
        break;
      case 3:
        if (text.startsWith('SRC', at)) this.SRC ??= text.slice(eq + 1, end);
        else if (text.startsWith('DST', at)) this.DST ??= text.slice(eq + 1, end);
        else if (text.startsWith('SPT', at)) this.SPT ??= text.slice(eq + 1, end);
        else if (text.startsWith('DPT', at)) this.DPT ??= text.slice(eq + 1, end);
        else if (text.startsWith('OUT', at)) this.OUT ??= text.slice(eq + 1, end);
        else if (text.startsWith('MAC', at)) this.MAC ??= text.slice(eq + 1, end);
        else if (text.startsWith('UID', at)) this.UID ??= text.slice(eq + 1, end);
        else if (text.startsWith('GID', at)) this.GID ??= text.slice(eq + 1, end);
        break;
      case 4:
        if (text.startsWith('MARK', at)) this.MARK ??= text.slice(eq + 1, end);
        else if (text.startsWith('TYPE', at)) this.TYPE ??= text.slice(eq + 1, end);
        else if (text.startsWith('CODE', at)) this.CODE ??= text.slice(eq + 1, end);
        break;
      case 5:
        if (text.startsWith('PROTO', at)) this.PROTO ??= text.slice(eq + 1, end);
        break;
      case 6:
        if (text.startsWith('PHYSIN', at)) this.PHYSIN ??= text.slice(eq + 1, end);
        break;
      case 7:
        if (text.startsWith('PHYSOUT', at)) this.PHYSOUT ??= text.slice(eq + 1, end);
        break;
    }
  }
}

/** Every key an event uses, walking the KEY=value tokens in order. */
function packetFieldsOf(body: string): PacketFields {
  const kv = new PacketFields();
  let i = 0;
  while (i < body.length) {
    while (body.charCodeAt(i) === 32) i++;
    if (i >= body.length) break;
    // `[SRC=... DST=... ]` is the packet quoted inside an ICMP error: it must not replace the outer one.
    if (body.charCodeAt(i) === 91 /* [ */) break;
    let end = body.indexOf(' ', i);
    if (end < 0) end = body.length;
    const eq = body.indexOf('=', i);
    if (eq > i && eq < end) kv.set(body, i, eq, end);
    i = end;
  }
  return kv;
}

/**
 * The five keys a lean event reads, found by searching for them rather than by walking every token:
 * the same first-token-wins answer as the walk (a token starts the text or follows a space, and the
 * walk stops at the first token that opens `[`). test/property/iptables-lean.property.test.ts compares both.
 */
function leanPacketFields(body: string): PacketFields {
  const kv = new PacketFields();
  const quoted = body.indexOf(' [');
  const limit = quoted < 0 ? body.length : quoted;
  kv.SRC = tokenValue(body, 'SRC=', limit);
  kv.DST = tokenValue(body, 'DST=', limit);
  kv.PROTO = tokenValue(body, 'PROTO=', limit);
  kv.SPT = tokenValue(body, 'SPT=', limit);
  kv.DPT = tokenValue(body, 'DPT=', limit);
  return kv;
}

/** The value of the first token before `limit` that starts with `key` (which ends in `=`). */
function tokenValue(body: string, key: string, limit: number): string | undefined {
  // Searching for the key itself, not ' ' + key: a space starts a search at every word.
  let at = body.indexOf(key);
  while (at > 0 && body.charCodeAt(at - 1) !== 32) at = body.indexOf(key, at + 1);
  if (at < 0 || at >= limit) return undefined;
  const from = at + key.length;
  const end = body.indexOf(' ', from);
  return body.slice(from, end < 0 ? body.length : end);
}

function put(fields: PacketRecordFields, key: FieldKey, v: string | undefined, numeric = false): void {
  if (v === undefined || v === '') return;
  fields[key] = numeric && isDigits(v) ? Number(v) : v;
}

function parseLine(text: string, clock: SyslogClock, path: string, line: number, lean = false): LineOutcome {
  const env = envelope(text, clock);
  if (!env) return { problem: 'no syslog or pve-firewall timestamp at the start of the line' };
  if (!isNetfilter(env.payload)) return undefined;
  const start = kvStart(env.payload);
  if (start < 0) return { problem: 'no KEY=value packet fields after the log prefix' };
  const prefix = env.payload.slice(0, start).trim();
  const body = env.payload.slice(start);
  const kv = lean ? leanPacketFields(body) : packetFieldsOf(body);
  const src = kv.SRC;
  const dst = kv.DST;
  if (!src || !dst) return { problem: 'netfilter record without SRC= and DST= addresses' };
  const spt = portOf(kv.SPT);
  const dpt = portOf(kv.DPT);
  if (spt === null || dpt === null) return { problem: `invalid port SPT=${kv.SPT ?? ''} DPT=${kv.DPT ?? ''}` };
  const protoRaw = kv.PROTO;
  const proto = protoRaw === undefined ? undefined : protocolOf(protoRaw);

  const action = cachedVerdict(prefix);
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs: env.timeMs,
    timeRaw: env.timeRaw,
    ref: { path, line },
    src: spt === undefined ? { ip: src } : { ip: src, port: spt },
    dst: dpt === undefined ? { ip: dst } : { ip: dst, port: dpt },
  };
  // A lean record (see InputFormat.fieldKeys) stops here: no message, no fields.
  if (!lean) {
    event.message = `${action ? action.toUpperCase() : 'LOG'} ${(proto ?? 'ip').toUpperCase()} ${endpointText(src, spt)} -> ${endpointText(dst, dpt)}${prefix ? ` (${prefix.slice(0, 200)})` : ''}`;
    event.fields = packetFields(env.fields, prefix, kv, proto);
  }
  if (proto !== undefined) event.proto = proto;
  if (action) event.action = action;
  if (env.host !== undefined) event.host = env.host;
  return { event };
}

/** The envelope's fields (this line's own object, filled in place) with the packet's. */
function packetFields(fields: PacketRecordFields, prefix: string, kv: PacketFields, proto: string | undefined): PacketRecordFields {
  if (prefix !== '') fields.prefix = clipField(prefix);
  put(fields, 'in', kv.IN);
  put(fields, 'out', kv.OUT);
  put(fields, 'physin', kv.PHYSIN);
  put(fields, 'physout', kv.PHYSOUT);
  put(fields, 'mac', kv.MAC);
  put(fields, 'uid', kv.UID, true);
  put(fields, 'gid', kv.GID, true);
  put(fields, 'mark', kv.MARK);
  if (proto === 'icmp' || proto === 'ipv6-icmp') {
    put(fields, 'icmp_type', kv.TYPE, true);
    put(fields, 'icmp_code', kv.CODE, true);
  }
  return fields;
}

function probe(head: Head): number {
  return probeSyslogLines(head, parseLine, 0.5);
}

function parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  return syslogLineEvents(lines, ctx, parseLine);
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
  yearless: true,
  lineReader: (ctx) => syslogLineReader(ctx, parseLine),
  fieldKeys: FIELD_KEYS,
};
