// Azure Network Watcher flow logs: NSG flow logs v1/v2 (properties.flows[].flows[].flowTuples) and VNet flow logs
// (flowRecords.flows[].flowGroups[].flowTuples), as the PT1H.json `{"records":[...]}` blob or one record per line.
import { ipVersion } from '../../shared/ip.js';
import type { ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, majorityScore, readJsonDocument, type JsonObject } from '../../shared/json.js';
import { firstNonBlank, withFirst } from '../../shared/json-input.js';
import { parseEpochSeconds } from '../../shared/time.js';
import { IP_PROTOCOL_NAMES } from '../../shared/proto.js';
import { endpointText } from '../../shared/endpoint.js';

const NAME = 'azure-nsg-flow';
/** NSG tuples name the protocol by letter; VNet tuples by IANA number. */
const PROTOCOLS: Record<string, string> = { T: 'tcp', U: 'udp', I: 'icmp', ...IP_PROTOCOL_NAMES };

/** One group of tuples with what the record says about them. */
interface TupleGroup {
  kind: 'nsg' | 'vnet';
  rule?: string;
  mac?: string;
  aclId?: string;
  version?: number;
  resource?: string;
  tuples: unknown[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** The last segment of an ARM resource id (`/SUBSCRIPTIONS/.../NETWORKSECURITYGROUPS/MYVM-NSG` -> `MYVM-NSG`). */
function shortName(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const s = id.slice(id.lastIndexOf('/') + 1);
  return s === '' ? undefined : s;
}

const isNsgRecord = (r: JsonObject): boolean => isObject(r['properties']) && Array.isArray((r['properties'] as JsonObject)['flows']);
const isVnetRecord = (r: JsonObject): boolean => isObject(r['flowRecords']) && Array.isArray((r['flowRecords'] as JsonObject)['flows']);

/** The tuple groups of one record, in reading order; undefined when it is not a flow log record. */
function groupsOf(r: JsonObject): TupleGroup[] | undefined {
  const out: TupleGroup[] = [];
  if (isNsgRecord(r)) {
    const props = r['properties'] as JsonObject;
    const version = typeof props['Version'] === 'number' ? props['Version'] : undefined;
    const resource = shortName(str(r['resourceId']));
    for (const rule of props['flows'] as unknown[]) {
      if (!isObject(rule) || !Array.isArray(rule['flows'])) continue;
      for (const f of rule['flows']) {
        if (!isObject(f) || !Array.isArray(f['flowTuples'])) continue;
        out.push({ kind: 'nsg', rule: str(rule['rule']), mac: str(f['mac']) ?? str(r['macAddress']), version, resource, tuples: f['flowTuples'] });
      }
    }
    return out;
  }
  if (isVnetRecord(r)) {
    const version = typeof r['flowLogVersion'] === 'number' ? r['flowLogVersion'] : undefined;
    const resource = shortName(str(r['targetResourceID']));
    for (const acl of (r['flowRecords'] as JsonObject)['flows'] as unknown[]) {
      if (!isObject(acl) || !Array.isArray(acl['flowGroups'])) continue;
      for (const g of acl['flowGroups']) {
        if (!isObject(g) || !Array.isArray(g['flowTuples'])) continue;
        out.push({ kind: 'vnet', rule: str(g['rule']), mac: str(r['macAddress']), aclId: str(acl['aclID']), version, resource, tuples: g['flowTuples'] });
      }
    }
    return out;
  }
  return undefined;
}

/** The records of a parsed value: `{records:[...]}`, a bare array of records, or one record. */
function recordsOf(v: unknown): unknown[] | undefined {
  if (isObject(v) && Array.isArray(v['records'])) return v['records'];
  if (Array.isArray(v)) return v;
  if (isObject(v) && (isNsgRecord(v) || isVnetRecord(v))) return [v];
  return undefined;
}

/** Whether a value holds flow log records whose first tuple looks right. */
function looksLikeFlowLog(v: unknown): boolean {
  const records = recordsOf(v);
  if (!records || records.length === 0 || !isObject(records[0])) return false;
  const groups = groupsOf(records[0]);
  if (!groups) return false;
  const first = groups.find((g) => g.tuples.length > 0)?.tuples[0];
  return typeof first === 'string' && /^\d{10,13},/.test(first);
}

function probe(head: Head): number {
  if (head.container === 'json') {
    if (head.document !== undefined) return looksLikeFlowLog(head.document) ? 1 : 0;
    const t = head.text;
    return t.includes('"records"') && t.includes('"flowTuples"') && (t.includes('NetworkSecurityGroupFlowEvent') || t.includes('"flowRecords"')) ? 0.9 : 0;
  }
  if (head.container === 'jsonl' && head.objects.length > 0) {
    return majorityScore(head.objects, looksLikeFlowLog, 0.95);
  }
  return 0;
}

const PORT = /^\d{1,5}$/;
const COUNT = /^\d{0,20}$/;

/** One tuple to an event, or the reason it cannot be used. */
function tupleEvent(tuple: unknown, g: TupleGroup, ref: { path: string; line?: number; index: number }): ForensicEvent | string {
  if (typeof tuple !== 'string') return 'flow tuple is not a string';
  const v = tuple.split(',');
  const isVnet = g.kind === 'vnet';
  // NSG v1 tuples have 8 values, v2 and VNet tuples 13 (state, then packets/bytes each way).
  if (isVnet ? v.length !== 13 : v.length !== 8 && v.length !== 13) {
    return `flow tuple has ${v.length} values, expected ${isVnet ? '13' : '8 (v1) or 13 (v2)'}: '${tuple.slice(0, 200)}'`;
  }
  const [ts, srcIp, dstIp, sp, dp, pr, dir, decisionOrState] = v as [string, string, string, string, string, string, string, string];
  let timeMs: number;
  if (isVnet) timeMs = /^\d{13}$/.test(ts) ? Number(ts) : NaN;
  else timeMs = /^\d{10}$/.test(ts) ? parseEpochSeconds(ts) : NaN;
  if (Number.isNaN(timeMs)) return `flow tuple time is not epoch ${isVnet ? 'milliseconds' : 'seconds'}: '${ts}'`;
  if (ipVersion(srcIp) === 0) return `flow tuple source is not an IP address: '${srcIp}'`;
  if (ipVersion(dstIp) === 0) return `flow tuple destination is not an IP address: '${dstIp}'`;
  if ((sp !== '' && !PORT.test(sp)) || (dp !== '' && !PORT.test(dp))) return `flow tuple port is not a number: '${sp}' / '${dp}'`;
  const proto = PROTOCOLS[pr] ?? (/^\d+$/.test(pr) ? pr : undefined);
  if (proto === undefined) return `flow tuple protocol is unknown: '${pr}'`;
  if (dir !== 'I' && dir !== 'O') return `flow tuple direction is not I or O: '${dir}'`;

  let denied: boolean;
  let state: string | undefined;
  if (isVnet) {
    state = decisionOrState;
    if (!'BCED'.includes(state) || state.length !== 1) return `flow tuple state is not B, C, E or D: '${state}'`;
    denied = state === 'D';
  } else {
    if (decisionOrState !== 'A' && decisionOrState !== 'D') return `flow tuple decision is not A or D: '${decisionOrState}'`;
    denied = decisionOrState === 'D';
    if (v.length === 13) {
      state = v[8]!;
      if (state !== 'B' && state !== 'C' && state !== 'E') return `flow tuple state is not B, C or E: '${state}'`;
    }
  }
  const fields: Record<string, unknown> = {};
  if (g.rule !== undefined) fields['rule'] = g.rule;
  if (g.mac !== undefined) fields['mac'] = g.mac;
  fields['direction'] = dir === 'I' ? 'in' : 'out';
  if (!isVnet) fields['decision'] = decisionOrState;
  if (state !== undefined) fields['flow_state'] = state;
  if (v.length === 13) {
    const counts = v.slice(9);
    if (!counts.every((c) => COUNT.test(c))) return `flow tuple packet/byte counts are not numbers: '${counts.join(',')}'`;
    const names = ['packets_src_to_dst', 'bytes_src_to_dst', 'packets_dst_to_src', 'bytes_dst_to_src'];
    counts.forEach((c, i) => {
      if (c !== '') fields[names[i]!] = Number(c);
    });
  }
  if (isVnet && v[8] !== '') fields['encryption'] = v[8];
  if (g.aclId !== undefined) fields['acl_id'] = g.aclId;
  if (g.version !== undefined) fields['version'] = g.version;
  if (g.resource !== undefined) fields['resource'] = g.resource;

  const srcPort = sp === '' ? undefined : Number(sp);
  const dstPort = dp === '' ? undefined : Number(dp);
  const event: ForensicEvent = {
    kind: 'network',
    source: 'firewall',
    format: NAME,
    timeMs,
    timeRaw: ts,
    ref,
    src: { ip: srcIp, port: srcPort },
    dst: { ip: dstIp, port: dstPort },
    proto,
    action: denied ? 'deny' : 'allow',
    message: `${denied ? 'DENY' : 'ALLOW'} ${proto.toUpperCase()} ${endpointText(srcIp, srcPort)} -> ${endpointText(dstIp, dstPort)}${g.rule ? ` (${g.rule})` : ''}`,
    fields,
  };
  const host = g.mac ?? g.resource;
  if (host !== undefined) event.host = host;
  return event;
}

/**
 * Events of the records in `value`. `index` counts tuples across the whole input in reading order, so a
 * tuple's ref is stable; a record that holds no flows is reported at the index the next tuple would have.
 */
function* recordEvents(value: unknown, at: { index: number }, ctx: ParseContext, line: number | undefined): Generator<ForensicEvent> {
  const where = (): { line?: number; index: number } => (line === undefined ? { index: at.index } : { line, index: at.index });
  const records = recordsOf(value);
  if (!records) {
    ctx.skip(where(), 'not a flow log record (no records, properties.flows or flowRecords.flows)');
    return;
  }
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const groups = isObject(r) ? groupsOf(r) : undefined;
    if (!groups) {
      ctx.skip(where(), `records[${i}] is not a flow log record (no properties.flows or flowRecords.flows)`);
      continue;
    }
    for (const g of groups) {
      for (const tuple of g.tuples) {
        const ref = line === undefined ? { path: ctx.path, index: at.index } : { path: ctx.path, line, index: at.index };
        const e = tupleEvent(tuple, g, ref);
        if (typeof e === 'string') ctx.skip(where(), e);
        else yield e;
        at.index++;
      }
    }
  }
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const opened = await firstNonBlank(lines);
  if (!opened) return;
  const first = opened.first;
  const at = { index: 0 };
  const firstText = first.text.trim();
  let firstValue: unknown;
  let firstParses = true;
  try {
    firstValue = JSON.parse(firstText);
  } catch {
    firstParses = false;
  }
  // A blob as Azure writes it starts with `{"records":[` on its own line; a pretty-printed one with `{`.
  // One record (or one blob) per line is read line by line. A long broken first line stays a line-mode skip.
  if (!firstParses && (firstText.startsWith('[') || firstText.length < 100)) {
    const doc = await readJsonDocument(withFirst(opened), ctx);
    if (doc !== undefined) yield* recordEvents(doc, at, ctx, undefined);
    return;
  }
  for await (const rec of withFirst(opened)) {
    const text = rec.text.trim();
    if (text !== '') {
      let value: unknown;
      let ok = true;
      if (rec === first && firstParses) value = firstValue;
      else {
        try {
          value = JSON.parse(text);
        } catch (err) {
          ok = false;
          ctx.skip({ line: rec.line }, `not valid JSON: ${(err as Error).message}`);
        }
      }
      if (ok) yield* recordEvents(value, at, ctx, rec.line);
    }
  }
}

export const azureNsgFlowFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'Azure Network Watcher flow logs: NSG flow logs v1/v2 and VNet flow logs (PT1H.json blobs or one record per line)',
  notes:
    'Detected from records holding properties.flows[].flows[].flowTuples (NSG) or flowRecords.flows[].flowGroups[].flowTuples (VNet) whose first tuple starts with an epoch time. ' +
    'One event per tuple, at the tuple time (an instant): NSG tuples carry epoch seconds, VNet tuples epoch milliseconds. ' +
    'NSG decision A -> allow, D -> deny; VNet state D (denied) -> deny, B/C/E -> allow. NSG v1 tuples have 8 values, v2 and VNet 13 (state and packet/byte counts). ' +
    'Refs: a whole document gives the 0-based tuple index in reading order; one record per line gives the line and that index. host = the NIC MAC address, else the resource short name.',
  probe,
  parse,
};
