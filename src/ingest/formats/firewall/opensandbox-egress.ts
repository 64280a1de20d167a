// The OpenSandbox egress sidecar's zap JSON log (logger `opensandbox.egress`): allowed outbound lookups
// (`opensandbox.event` = `egress.outbound`) and DNS queries denied by the egress policy. Policy lifecycle lines are not traffic.
import { ipVersion } from '../../shared/ip.js';
import type { Endpoint, ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, str, type JsonObject } from '../../shared/json.js';
import { jsonLineEvents, jsonLineReader, type LineOutcome } from '../../shared/line-events.js';
import { parseEpochSeconds, parseIsoMs } from '../../shared/time.js';

const NAME = 'opensandbox-egress';
const LOGGER = 'opensandbox.egress';

// The deny path logs no structured event, only a Warnf line (components/egress/pkg/dnsproxy/proxy.go):
//   [dns] denied by policy (remote=%s question=%q)
//   [dns] denied query (remote=%s question=%q reason=%s)     (fast-sandbox source selector)
const DENIED = /^\[dns\] denied (by policy|query) \(remote=(.*?) question="((?:[^"\\]|\\.)*)"(?: reason=(.*))?\)$/;

/** zap's ISO8601TimeEncoder (`2026-03-02T10:00:00.123Z`, `...+0800`) or the epoch-seconds default encoder. */
function parseTs(v: unknown): { ms: number; raw: string } | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const raw = String(v);
    const ms = parseEpochSeconds(raw);
    return Number.isNaN(ms) ? undefined : { ms, raw };
  }
  if (typeof v !== 'string') return undefined;
  const ms = parseIsoMs(v);
  return Number.isNaN(ms) ? undefined : { ms, raw: v };
}

const isEgressLine = (o: JsonObject): boolean => {
  const logger = str(o.logger);
  const ev = str(o['opensandbox.event']);
  return (logger !== undefined && (logger === LOGGER || logger.startsWith(`${LOGGER}.`))) || (ev !== undefined && ev.startsWith('egress.'));
};

/** Go's %q quoting of the question name, undone for the usual escapes. */
const unquote = (s: string): string => s.replace(/\\(["\\])/g, '$1');

function toEvent(o: JsonObject, path: string, line: number): LineOutcome {
  if (!isEgressLine(o)) return undefined;
  const ts = parseTs(o.ts);
  if (!ts) return { problem: `egress log line without a valid ts: '${String(o.ts)}'` };
  const ev = str(o['opensandbox.event']);
  const msg = str(o.msg) ?? '';
  const base = {
    kind: 'network' as const,
    source: 'firewall' as const,
    format: NAME,
    timeMs: ts.ms,
    timeRaw: ts.raw,
    ref: { path, line },
  };
  const sandbox = str(o.sandbox_id);
  const fields: Record<string, unknown> = {};
  const level = str(o.level);
  if (level) fields.level = level;

  if (ev === 'egress.outbound') {
    const host = str(o['target.host']);
    const peer = str(o.peer);
    const ips = Array.isArray(o['target.ips']) ? o['target.ips'].map(str).filter((x): x is string => !!x) : [];
    if (!host && !peer) return { problem: 'egress.outbound record without target.host or peer' };
    if (peer !== undefined && ipVersion(peer) === 0) return { problem: `peer is not an IP address: '${peer}'` };
    fields.event = ev;
    if (ips.length) fields.output = ips.join(',').slice(0, 2000);
    const error = str(o.error);
    if (error) fields.error = error.slice(0, 2000);
    const dst: Endpoint = {};
    if (peer ?? ips[0]) dst.ip = peer ?? ips[0];
    if (host) dst.domain = host;
    const event: ForensicEvent = {
      ...base,
      dst,
      // egress.outbound is written only on the allow path (also when the upstream lookup then fails).
      action: 'allow',
      message: `ALLOW egress ${host ?? peer}${ips.length ? ` (${ips.join(', ').slice(0, 200)})` : ''}${error ? ` error: ${error.slice(0, 200)}` : ''}`,
      fields,
    };
    if (sandbox) event.sandbox = sandbox;
    return { event };
  }

  const m = ev === undefined ? DENIED.exec(msg) : null;
  if (m) {
    const remote = m[2]!;
    const question = unquote(m[3]!);
    fields.event = m[1] === 'query' ? 'dns.denied_query' : 'dns.denied_by_policy';
    if (m[4] !== undefined) fields.reason = m[4].slice(0, 2000);
    const event: ForensicEvent = {
      ...base,
      // The sidecar answers NXDOMAIN: the name was never resolved, so no address or port is known.
      dst: { domain: question },
      action: 'deny',
      message: `DENY egress DNS ${question}${m[4] !== undefined ? ` (${m[4].slice(0, 200)})` : ''}`,
      fields,
    };
    if (ipVersion(remote) !== 0) event.src = { ip: remote };
    if (sandbox) event.sandbox = sandbox;
    return { event };
  }
  // egress.loaded / egress.updated / startup notices: policy and lifecycle, not traffic.
  return undefined;
}

function probe(head: Head): number {
  if (head.container !== 'jsonl' || head.objects.length === 0) return 0;
  let good = 0;
  for (const o of head.objects) if (isObject(o) && isEgressLine(o) && parseTs(o.ts) && (str(o.msg) !== undefined || str(o['opensandbox.event']))) good++;
  if (good === 0) return 0;
  return 0.6 + 0.35 * (good / head.lines.length);
}

function parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  return jsonLineEvents(lines, ctx, toEvent);
}

export const opensandboxEgressFormat: InputFormat = {
  name: NAME,
  source: 'firewall',
  description: 'OpenSandbox egress sidecar JSON log (zap, logger opensandbox.egress): allowed outbound lookups and policy-denied DNS queries.',
  notes:
    'Recognized by JSON lines whose logger is opensandbox.egress or whose opensandbox.event starts with egress. ' +
    'The time is the zap ts (ISO 8601 with offset, or epoch seconds). egress.outbound → allow (dst.domain = target.host, dst.ip = peer or the first resolved IP, resolved IPs in fields.output); ' +
    '"[dns] denied ..." warnings → deny with dst.domain = the question. sandbox = sandbox_id. Policy lifecycle and startup lines produce no event.',
  probe,
  parse,
  lineReader: (ctx) => jsonLineReader(ctx, toEvent),
};
