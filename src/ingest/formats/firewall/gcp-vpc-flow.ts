// GCP VPC Flow Logs: Cloud Logging LogEntry records (logName .../compute.googleapis.com%2Fvpc_flows) as JSON lines
// or a `gcloud logging read --format=json` array (https://cloud.google.com/vpc/docs/flow-logs#record_format).
import type { ForensicEvent, Ref } from '../../../model/event.js';
import type { InputFormat, LineRecord, ParseContext } from '../../format.js';
import { computeLog, connectionEvent, entryConnection, entryStr as str, logEntries } from '../../shared/gcp-logging.js';
import { pick, type JsonObject } from '../../shared/json.js';
import { parseIsoMs } from '../../shared/time.js';
import { clipField } from '../../shared/text.js';

const NAME = 'gcp-vpc-flow';
/** Flows remembered for matching the other end's report; the oldest are forgotten past this. */
const MAX_REMEMBERED_FLOWS = 200_000;
/** Slack when comparing the two ends' capture windows (their clocks and sampling differ slightly). */
const WINDOW_SLACK_MS = 5_000;

const LOG = computeLog('vpc_flows', 'start_time');
const isFlowEntry = LOG.isEntry;
const probe = LOG.probe;

/** int64 counters arrive as decimal strings in LogEntry JSON. */
function count(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
}

interface Seen {
  reporter: string;
  startMs: number;
  endMs: number;
}

/**
 * A flow between two VMs of the project is reported by both: once by the sender (reporter SRC) and once
 * by the receiver (reporter DEST), with the same 5-tuple and overlapping windows. The first report is kept.
 */
class BothEnds {
  private seen = new Map<string, Seen[]>();
  duplicates = 0;

  isDuplicate(key: string, s: Seen): boolean {
    const list = this.seen.get(key);
    if (list) {
      for (const o of list) {
        if (o.reporter !== s.reporter && o.startMs <= s.endMs + WINDOW_SLACK_MS && s.startMs <= o.endMs + WINDOW_SLACK_MS) {
          this.duplicates++;
          return true;
        }
      }
      list.push(s);
      return false;
    }
    if (this.seen.size >= MAX_REMEMBERED_FLOWS) {
      // Forget the oldest tenth (Map keeps insertion order); flow logs are roughly time-ordered.
      let drop = MAX_REMEMBERED_FLOWS / 10;
      for (const k of this.seen.keys()) {
        this.seen.delete(k);
        if (--drop === 0) break;
      }
    }
    this.seen.set(key, [s]);
    return false;
  }
}

function toEvent(o: JsonObject, ref: Ref, ends: BothEnds): ForensicEvent | string | undefined {
  if (!isFlowEntry(o)) return `not a GCP VPC flow log entry (logName '${str(o['logName']) ?? ''}')`;
  const p = o['jsonPayload'] as JsonObject;
  const timeRaw = str(p['start_time'])!;
  const timeMs = parseIsoMs(timeRaw);
  if (Number.isNaN(timeMs)) return `start_time is not ISO 8601: '${timeRaw}'`;
  const endRaw = str(p['end_time']);
  const endMs = endRaw === undefined ? undefined : parseIsoMs(endRaw);
  if (endMs !== undefined && Number.isNaN(endMs)) return `end_time is not ISO 8601: '${endRaw}'`;
  const conn = entryConnection(p['connection'] as JsonObject);
  if (typeof conn === 'string') return conn;
  const { srcIp, dstIp, srcPort, dstPort, protoRaw } = conn;
  const reporter = str(p['reporter']);
  if (reporter !== undefined && reporter !== 'SRC' && reporter !== 'DEST') return `unknown reporter '${reporter}'`;

  const srcVm = str(pick(p, 'src_instance.vm_name'));
  const dstVm = str(pick(p, 'dest_instance.vm_name'));
  if (reporter !== undefined && srcVm !== undefined && dstVm !== undefined) {
    const key = `${srcIp}|${srcPort ?? ''}|${dstIp}|${dstPort ?? ''}|${protoRaw ?? ''}`;
    if (ends.isDuplicate(key, { reporter, startMs: timeMs, endMs: endMs ?? timeMs })) return undefined;
  }

  const fields: Record<string, unknown> = {};
  const set = (key: string, v: unknown): void => {
    const s = str(v);
    if (s !== undefined) fields[key] = clipField(s);
  };
  set('reporter', reporter);
  for (const k of ['bytes_sent', 'packets_sent', 'rtt_msec'] as const) {
    const n = count(p[k]);
    if (n !== undefined) fields[k] = n;
  }
  set('src_vm', srcVm);
  set('dest_vm', dstVm);
  set('src_project', pick(p, 'src_instance.project_id') ?? pick(p, 'src_vpc.project_id'));
  set('dest_project', pick(p, 'dest_instance.project_id') ?? pick(p, 'dest_vpc.project_id'));
  set('src_zone', pick(p, 'src_instance.zone'));
  set('dest_zone', pick(p, 'dest_instance.zone'));
  set('src_vpc', pick(p, 'src_vpc.vpc_name'));
  set('dest_vpc', pick(p, 'dest_vpc.vpc_name'));
  set('src_subnetwork', pick(p, 'src_vpc.subnetwork_name'));
  set('dest_subnetwork', pick(p, 'dest_vpc.subnetwork_name'));
  set('src_country', pick(p, 'src_location.country'));
  set('dest_country', pick(p, 'dest_location.country'));
  set('src_asn', pick(p, 'src_location.asn'));
  set('dest_asn', pick(p, 'dest_location.asn'));
  set('src_gke_pod', pick(p, 'src_gke_details.pod.pod_name'));
  set('dest_gke_pod', pick(p, 'dest_gke_details.pod.pod_name'));
  set('insert_id', o['insertId']);

  const reportedBy = reporter ? ` (reported by ${reporter})` : '';
  const event = connectionEvent(NAME, { timeMs, timeRaw, endMs, ref }, conn, 'allow', 'FLOW', reportedBy, fields);
  const host = reporter === 'SRC' ? srcVm : reporter === 'DEST' ? dstVm : undefined;
  if (host !== undefined) event.host = host;
  return event;
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const ends = new BothEnds();
  for await (const { entry, ref, where } of logEntries(lines, ctx)) {
    const r = toEvent(entry, ref, ends);
    if (typeof r === 'string') ctx.skip(where, r);
    else if (r) yield r;
  }
  if (ends.duplicates > 0) {
    ctx.note(`${ends.duplicates} flow report(s) were the second end's report (reporter SRC and DEST) of a flow already read: counted once, the first report kept`);
  }
}

export const gcpVpcFlowFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'GCP VPC Flow Logs (Cloud Logging LogEntry JSON lines, or a gcloud logging read JSON array)',
  notes:
    'Detected from LogEntry records whose logName ends in compute.googleapis.com%2Fvpc_flows and whose jsonPayload has connection and start_time. ' +
    'Times: jsonPayload.start_time / end_time (RFC 3339, UTC) are the sampled window: timeMs = start_time, endMs = end_time. ' +
    'Flow logs record allowed traffic only: action allow. A flow between two VMs is reported by both ends (reporter SRC and DEST); ' +
    'within one input the second report of the same 5-tuple with an overlapping window is dropped and counted in a note. ' +
    'host = the reporting VM (src_instance.vm_name for SRC, dest_instance.vm_name for DEST).',
  probe,
  parse,
};
