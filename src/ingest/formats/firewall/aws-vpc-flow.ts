// AWS VPC Flow Logs as delivered to S3 or CloudWatch Logs: space-separated records, v2 default
// layout or a custom field list (v3-v8) announced by a header line. Rules and NAT mapping live elsewhere.
import { ipVersion } from '../../shared/ip.js';
import type { ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { endpointText } from '../../shared/endpoint.js';
import { parseEpochSeconds, parseIsoMs } from '../../shared/time.js';
import { IP_PROTOCOL_NAMES } from '../../shared/proto.js';

const NAME = 'aws-vpc-flow';

/** The v2 default format (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html). */
const V2_DEFAULT = ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'];

/** Every field name AWS documents for custom formats, versions 2 to 8. */
const KNOWN_FIELDS = new Set([
  ...V2_DEFAULT,
  'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr',
  'region', 'az-id', 'sublocation-type', 'sublocation-id', 'pkt-src-aws-service', 'pkt-dst-aws-service',
  'flow-direction', 'traffic-path', 'ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn',
  'ecs-container-instance-id', 'ecs-container-id', 'ecs-second-container-id', 'ecs-service-name',
  'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id', 'reject-reason', 'resource-id', 'encryption-status',
]);
const ADDRESS_FIELDS = ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'];
const NUMERIC_FIELDS = new Set(['version', 'protocol', 'packets', 'bytes', 'tcp-flags', 'traffic-path']);
/** Fields that become first-class event properties and are not repeated in `fields`. */
const NOT_IN_FIELDS = new Set(['srcport', 'dstport', 'start', 'end']);
const HEADER_TOKEN = /^[a-z][a-z0-9_-]*$/;

const protoName = (n: string): string => IP_PROTOCOL_NAMES[n] ?? n;

/** A field list compiled once: positions of the fields the parser reads, and the `fields` keys. */
interface Layout {
  names: string[];
  keys: string[];
  at: Record<string, number>;
}

function compile(names: string[]): Layout {
  const at: Record<string, number> = {};
  names.forEach((n, i) => {
    if (at[n] === undefined) at[n] = i;
  });
  return { names, keys: names.map((n) => n.replace(/-/g, '_')), at };
}

const DEFAULT_LAYOUT = compile(V2_DEFAULT);

/** The field list of a header line (`version account-id ...`; `_` accepted for `-`), or undefined. */
function headerLayout(tokens: string[]): Layout | undefined {
  if (tokens.length < 3) return undefined;
  let known = 0;
  let hasAddress = false;
  const names: string[] = [];
  for (const t of tokens) {
    if (!HEADER_TOKEN.test(t)) return undefined;
    const n = t.replace(/_/g, '-');
    if (KNOWN_FIELDS.has(n)) known++;
    if (ADDRESS_FIELDS.includes(n)) hasAddress = true;
    names.push(n);
  }
  // Newer AWS fields we do not know yet are kept by name, but most of the line must be known.
  return hasAddress && known >= 3 && known * 2 >= tokens.length ? compile(names) : undefined;
}

const isDigits = (s: string): boolean => s.length > 0 && s.length <= 20 && /^\d+$/.test(s);

/** Drops the ingestion timestamp CloudWatch Logs puts before each message in S3 exports. */
function dataTokens(tokens: string[], layout: Layout): string[] {
  if (tokens.length === layout.names.length + 1 && !Number.isNaN(parseIsoMs(tokens[0]!))) return tokens.slice(1);
  return tokens;
}

/** Checks the values a record of `layout` must have; the reason when it does not fit. */
function recordProblem(t: string[], layout: Layout): string | undefined {
  if (t.length !== layout.names.length) return `expected ${layout.names.length} space-separated fields, found ${t.length}`;
  const at = layout.at;
  const status = at['log-status'] !== undefined ? t[at['log-status']]! : 'OK';
  if (status !== 'OK' && status !== 'NODATA' && status !== 'SKIPDATA') return `unknown log-status '${status}'`;
  for (const f of ['start', 'end']) {
    const i = at[f];
    if (i !== undefined && !(t[i] === '-' && status !== 'OK') && !/^\d{9,11}$/.test(t[i]!)) return `${f} is not epoch seconds: '${t[i]}'`;
  }
  if (status !== 'OK') return undefined;
  for (const f of ADDRESS_FIELDS) {
    const i = at[f];
    if (i !== undefined && t[i] !== '-' && ipVersion(t[i]!) === 0) return `${f} is not an IP address: '${t[i]}'`;
  }
  for (const f of ['srcport', 'dstport', 'protocol', 'packets', 'bytes']) {
    const i = at[f];
    if (i !== undefined && t[i] !== '-' && !isDigits(t[i]!)) return `${f} is not a number: '${t[i]}'`;
  }
  const a = at['action'];
  if (a !== undefined && t[a] !== 'ACCEPT' && t[a] !== 'REJECT' && t[a] !== '-') return `unknown action '${t[a]}'`;
  return undefined;
}

function probe(head: Head): number {
  if (head.container !== 'lines') return 0;
  let layout = DEFAULT_LAYOUT;
  let header = false;
  let good = 0;
  let bad = 0;
  for (const l of head.lines) {
    const tokens = l.text.trim().split(/\s+/);
    const h = headerLayout(tokens);
    if (h) {
      layout = h;
      header = true;
      continue;
    }
    // Without a header only the v2 default layout can be assumed; its version field is 2.
    const t = dataTokens(tokens, layout);
    if (recordProblem(t, layout) === undefined && (header || t[0] === '2')) good++;
    else bad++;
  }
  if (good === 0) return header && bad === 0 ? 0.8 : 0;
  if (bad > good) return 0;
  return (header ? 1 : 0.95) * (good / (good + bad));
}

/** The value of field `f` in a record, undefined when the layout lacks it or AWS wrote `-`. */
function value(t: string[], at: Record<string, number>, f: string): string | undefined {
  const i = at[f];
  const v = i === undefined ? undefined : t[i];
  return v === '-' ? undefined : v;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  let layout = DEFAULT_LAYOUT;
  let skipData = 0;
  let noStartNoted = false;
  for await (const rec of lines) {
    const text = rec.text.trim();
    if (text === '') continue;
    const tokens = text.split(/\s+/);
    const h = headerLayout(tokens);
    if (h) {
      // A new header (concatenated deliveries) switches the layout from here on.
      layout = h;
      continue;
    }
    const t = dataTokens(tokens, layout);
    const problem = recordProblem(t, layout);
    if (problem) {
      ctx.skip({ line: rec.line }, problem);
      continue;
    }
    const at = layout.at;
    const status = at['log-status'] !== undefined ? t[at['log-status']]! : 'OK';
    // NODATA / SKIPDATA windows carry no traffic: no event, and not a parse failure.
    if (status === 'SKIPDATA') skipData++;
    if (status !== 'OK') continue;
    if (at['start'] === undefined) {
      if (!noStartNoted) ctx.note('the custom field list has no start field: its records cannot be placed on the timeline');
      noStartNoted = true;
      ctx.skip({ line: rec.line }, 'record has no start time (the field list lacks start)');
      continue;
    }
    const startRaw = t[at['start']]!;
    const timeMs = parseEpochSeconds(startRaw);
    const endRaw = at['end'] !== undefined ? t[at['end']]! : '-';
    const endMs = endRaw === '-' ? undefined : parseEpochSeconds(endRaw);

    const fields: Record<string, unknown> = {};
    for (let i = 0; i < t.length; i++) {
      const name = layout.names[i]!;
      const v = t[i]!;
      if (v === '-' || NOT_IN_FIELDS.has(name)) continue;
      fields[layout.keys[i]!] = NUMERIC_FIELDS.has(name) && isDigits(v) ? Number(v) : v;
    }
    // Behind a NAT gateway or an ENI with several addresses the packet-level address is the real peer.
    const srcIp = value(t, at, 'pkt-srcaddr') ?? value(t, at, 'srcaddr');
    const dstIp = value(t, at, 'pkt-dstaddr') ?? value(t, at, 'dstaddr');
    const srcPortText = value(t, at, 'srcport');
    const dstPortText = value(t, at, 'dstport');
    const srcPort = srcPortText === undefined ? undefined : Number(srcPortText);
    const dstPort = dstPortText === undefined ? undefined : Number(dstPortText);
    const protoNum = value(t, at, 'protocol');
    const proto = protoNum === undefined ? undefined : protoName(protoNum);
    const vendorAction = value(t, at, 'action');
    const event: ForensicEvent = {
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs,
      timeRaw: startRaw,
      ref: { path: ctx.path, line: rec.line },
      src: { ip: srcIp, port: srcPort },
      dst: { ip: dstIp, port: dstPort },
      message: `${vendorAction ?? 'FLOW'} ${(proto ?? 'ip').toUpperCase()} ${endpointText(srcIp, srcPort)} -> ${endpointText(dstIp, dstPort)}`,
      fields,
    };
    if (endMs !== undefined) event.endMs = endMs;
    if (proto !== undefined) event.proto = proto;
    if (vendorAction === 'ACCEPT') event.action = 'allow';
    else if (vendorAction === 'REJECT') event.action = 'reject';
    const host = value(t, at, 'instance-id') ?? value(t, at, 'interface-id');
    if (host !== undefined) event.host = host;
    yield event;
  }
  if (skipData > 0) ctx.note(`${skipData} SKIPDATA record(s): AWS could not capture some flows in those capture windows`);
}

export const awsVpcFlowFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'AWS VPC Flow Logs (S3 / CloudWatch text): v2 default layout, or custom v3-v8 field lists given by a header line',
  notes:
    'Detected from space-separated records whose fields parse (addresses, ports, epoch start/end, ACCEPT/REJECT, OK/NODATA/SKIPDATA); ' +
    'a header line of AWS field names selects a custom layout, without it only the v2 default layout is assumed. ' +
    'Times: start and end are epoch seconds (UTC) of the capture window: timeMs = start, endMs = end. ' +
    'NODATA and SKIPDATA records carry no traffic and give no event. pkt-srcaddr/pkt-dstaddr win over srcaddr/dstaddr (NAT). ' +
    'A leading ISO timestamp (CloudWatch Logs export) is ignored.',
  probe,
  parse,
};
