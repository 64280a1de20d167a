// GCP Firewall Rules Logging: Cloud Logging LogEntry records (logName .../compute.googleapis.com%2Ffirewall) as
// JSON lines or a `gcloud logging read --format=json` array (https://cloud.google.com/firewall/docs/firewall-rules-logging).
import type { Action, ForensicEvent, Ref } from '../../../model/event.js';
import type { InputFormat, LineRecord, ParseContext } from '../../format.js';
import { computeLog, connectionEvent, entryConnection, entryStr as str, logEntries } from '../../shared/gcp-logging.js';
import { pick, type JsonObject } from '../../shared/json.js';
import { parseIsoMs } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'gcp-firewall';
/** INTERCEPTED (Cloud NGFW) hands the connection to inspection; the verdict, if any, is logged by the endpoint. */
const DISPOSITIONS: Record<string, Action> = { ALLOWED: 'allow', DENIED: 'deny', INTERCEPTED: 'allow' };

const LOG = computeLog('firewall', 'disposition');
const isFirewallEntry = LOG.isEntry;
const probe = LOG.probe;

function toEvent(o: JsonObject, ref: Ref): ForensicEvent | string {
  if (!isFirewallEntry(o)) return `not a GCP firewall log entry (logName '${str(o['logName']) ?? ''}')`;
  const timeRaw = str(o['timestamp']);
  if (timeRaw === undefined) return 'entry has no timestamp';
  const timeMs = parseIsoMs(timeRaw);
  if (Number.isNaN(timeMs)) return `timestamp is not ISO 8601: '${timeRaw}'`;
  const p = o['jsonPayload'] as JsonObject;
  const conn = entryConnection(p['connection'] as JsonObject);
  if (typeof conn === 'string') return conn;
  const disposition = str(p['disposition'])!;
  const action = DISPOSITIONS[disposition];
  if (action === undefined) return `unknown disposition '${disposition}'`;

  const fields: Record<string, unknown> = { disposition };
  const set = (key: string, v: unknown): void => {
    const s = Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(',') : str(v);
    if (s !== undefined && s !== '') fields[key] = clipField(s);
  };
  const reference = str(pick(p, 'rule_details.reference'));
  set('rule_reference', reference);
  if (reference !== undefined) set('rule_name', reference.slice(reference.lastIndexOf('firewall:') >= 0 ? reference.lastIndexOf('firewall:') + 9 : reference.lastIndexOf('/') + 1));
  set('rule_action', pick(p, 'rule_details.action'));
  set('rule_direction', pick(p, 'rule_details.direction'));
  const priority = pick(p, 'rule_details.priority');
  if (typeof priority === 'number') fields['rule_priority'] = priority;
  set('target_tag', pick(p, 'rule_details.target_tag'));
  set('source_range', pick(p, 'rule_details.source_range'));
  set('destination_range', pick(p, 'rule_details.destination_range'));
  set('project_id', pick(p, 'instance.project_id'));
  set('zone', pick(p, 'instance.zone'));
  set('region', pick(p, 'instance.region'));
  set('vpc_name', pick(p, 'vpc.vpc_name'));
  set('subnetwork_name', pick(p, 'vpc.subnetwork_name'));
  set('remote_instance', pick(p, 'remote_instance.vm_name'));
  set('remote_country', pick(p, 'remote_location.country'));
  set('insert_id', o['insertId']);

  const ruleName = fields['rule_name'] ? ` (${fields['rule_name']})` : '';
  const event = connectionEvent(NAME, { timeMs, timeRaw, ref }, conn, action, disposition, ruleName, fields);
  const vm = str(pick(p, 'instance.vm_name'));
  if (vm !== undefined) event.host = vm;
  return event;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  for await (const { entry, ref, where } of logEntries(lines, ctx)) {
    const r = toEvent(entry, ref);
    if (typeof r === 'string') ctx.skip(where, r);
    else yield r;
  }
}

export const gcpFirewallFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'GCP Firewall Rules Logging entries (Cloud Logging LogEntry JSON lines, or a gcloud logging read JSON array)',
  notes:
    'Detected from LogEntry records whose logName ends in compute.googleapis.com%2Ffirewall and whose jsonPayload has connection and disposition. ' +
    'Time: the LogEntry timestamp (RFC 3339, UTC), an instant. ALLOWED -> allow, DENIED -> deny (INTERCEPTED -> allow, kept in fields.disposition). ' +
    'host = jsonPayload.instance.vm_name. JSON lines give refs by line; a JSON array gives refs by entry index.',
  probe,
  parse,
};
