// Which tool call caused a violation: every call whose interval (widened by the rules' windows)
// reaches the violation is a candidate; evidence of time, place and content adds up to a
// confidence (noisy-or), and each piece of evidence is one sentence a responder can paste.
import { formatRef, type ForensicEvent, type TimePrecision } from '../model/event.js';
import type { Attribution } from '../model/report.js';
import { DEFAULT_HINTS } from '../rules/load.js';
import type { Rule } from '../rules/rule.js';
import { kebabOperation, mentionsPort, mentionsToken, searchableCommand, startsBackgroundProcess } from './command.js';
import type { Asset, Inventory } from './inventory.js';

/** How long a call whose end is unknown is assumed to run. */
export const OPEN_END_MS = 60_000;

export interface ToolCall {
  event: ForensicEvent;
  startMs: number;
  endMs: number;
  /** the format gives no end: endMs is an assumption */
  openEnded: boolean;
  precision: TimePrecision;
  text: string;
  session: string;
  host?: string;
  sandbox?: string;
  background: boolean;
}

export interface Finding {
  event: ForensicEvent;
  /** violation time after clock correction */
  timeMs: number;
  rules: Rule[];
  /** where the violation came from, per the log or the inventory */
  origin?: Origin;
}

export interface Origin {
  host?: string;
  sandbox?: string;
  session?: string;
  /** the address is the host's own (no sandbox): its processes, or its sandboxes behind NAT */
  hostLevel: boolean;
  /** only the destination is ours: traffic coming in, not going out */
  inbound?: boolean;
  how: string;
}

interface Evidence {
  kind: 'time' | 'scope' | 'content';
  weight: number;
  reason: string;
}

export interface Scored {
  call: ToolCall;
  confidence: number;
  evidence: Evidence[];
}

export function toToolCall(event: ForensicEvent, inventory: Inventory, offsetMs: number): ToolCall {
  const startMs = event.timeMs + offsetMs;
  const precision = event.timePrecision ?? (event.endMs !== undefined ? 'call-result' : 'response');
  const openEnded = event.endMs === undefined;
  const endMs = openEnded ? startMs + OPEN_END_MS : event.endMs! + offsetMs;
  const session = event.session ?? '';
  const asset = inventory.forSession(event.session) ?? inventory.forSandbox(event.sandbox);
  const command = event.command ?? '';
  return {
    event, startMs, endMs, openEnded, precision,
    text: searchableCommand(command),
    session,
    host: event.host ?? asset?.host,
    sandbox: event.sandbox ?? asset?.sandbox,
    background: startsBackgroundProcess(command),
  };
}

/** Where a violation came from: what the log says, else the inventory entry of its source address. */
export function originOf(event: ForensicEvent, inventory: Inventory): Origin | undefined {
  if (event.sandbox || event.session) return { host: event.host, sandbox: event.sandbox, session: event.session, hostLevel: false, how: 'the log record names it' };
  const bySrc = inventory.resolve(event.src?.ip, event.host);
  const asset: Asset | undefined = bySrc ?? inventory.resolve(event.dst?.ip, event.host);
  if (!asset) return undefined;
  const ip = bySrc ? event.src?.ip : event.dst?.ip;
  return {
    host: asset.host, sandbox: asset.sandbox, session: asset.session,
    hostLevel: !asset.sandbox && !asset.session,
    inbound: !bySrc,
    how: `the inventory lists ${ip} on ${asset.host}${asset.sandbox ? ` as sandbox ${asset.sandbox}` : ' as the host itself'}`,
  };
}

export interface Windows {
  beforeMs: number;
  afterMs: number;
  persistentAfterMs: number;
  persistentRule: boolean;
  patterns: Rule['attribution']['commandPatterns'];
}

export function windowsFor(rules: Rule[]): Windows {
  const w: Windows = { beforeMs: DEFAULT_HINTS.beforeMs, afterMs: DEFAULT_HINTS.afterMs, persistentAfterMs: DEFAULT_HINTS.persistentAfterMs, persistentRule: false, patterns: [] };
  for (const r of rules) {
    w.beforeMs = Math.max(w.beforeMs, r.attribution.beforeMs);
    if (r.attribution.persistent) {
      w.persistentRule = true;
      w.persistentAfterMs = Math.max(w.persistentAfterMs, r.attribution.afterMs);
    } else w.afterMs = Math.max(w.afterMs, r.attribution.afterMs);
    w.patterns.push(...r.attribution.commandPatterns);
  }
  return w;
}

const TIME_WEIGHT: Record<TimePrecision, number> = { exact: 0.35, 'call-result': 0.35, response: 0.25, step: 0.2, session: 0.1 };
const PRECISION_WORDS: Record<TimePrecision, string> = {
  exact: 'start and end recorded for the call',
  'call-result': 'times of the call and result records',
  response: 'only the model response time is known; the call is assumed to run for 60 s',
  step: 'times derived from step durations',
  session: 'only the session window is known',
};

const secs = (ms: number) => `${(Math.abs(ms) / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
const iso = (ms: number) => new Date(ms).toISOString();

function timeEvidence(f: Finding, c: ToolCall, w: Windows): Evidence | undefined {
  const t = f.timeMs;
  const base = TIME_WEIGHT[c.precision];
  const how = PRECISION_WORDS[c.precision];
  if (t < c.startMs - w.beforeMs) return undefined;
  if (t < c.startMs) return { kind: 'time', weight: 0.15, reason: `The violation is stamped ${secs(c.startMs - t)} before the call started, within the ${secs(w.beforeMs)} allowed for clock jitter.` };
  if (t <= c.endMs) return { kind: 'time', weight: base, reason: `The violation happened ${secs(t - c.startMs)} after the call started, while it was running (${iso(c.startMs)} to ${iso(c.endMs)}; ${how}).` };
  const gap = t - c.endMs;
  if (gap <= w.afterMs) {
    return { kind: 'time', weight: 0.05 + 0.25 * (1 - gap / w.afterMs), reason: `The violation came ${secs(gap)} after the call finished, within the ${secs(w.afterMs)} its effects are expected to last.` };
  }
  if ((c.background || w.persistentRule) && gap <= w.persistentAfterMs) {
    const why = c.background ? 'the command left a process running in the background' : 'the behaviour the rule describes outlives the call that starts it';
    return { kind: 'time', weight: 0.1, reason: `The violation came ${secs(gap)} after the call finished; it can still be the call's effect because ${why}.` };
  }
  return undefined;
}

/**
 * Scope: same session or sandbox is strong; the same host is weak (its sandboxes share its address
 * through NAT); a different known session, sandbox or host rules the call out. Inbound traffic that
 * only names our host as its destination says nothing about which call ran.
 */
function scopeEvidence(f: Finding, c: ToolCall): Evidence | null | undefined {
  const o = f.origin;
  if (!o) {
    if (f.event.host && c.host && f.event.host === c.host) return { kind: 'scope', weight: 0.15, reason: `The record was logged on ${f.event.host}, where the call ran.` };
    return undefined;
  }
  if (o.session && c.session) {
    return o.session === c.session ? { kind: 'scope', weight: 0.55, reason: `The traffic comes from session ${c.session}'s own sandbox: ${o.how}.` } : null;
  }
  if (o.sandbox && c.sandbox) {
    return o.sandbox === c.sandbox ? { kind: 'scope', weight: 0.5, reason: `The traffic comes from sandbox ${c.sandbox}, where the call ran: ${o.how}.` } : null;
  }
  if (o.host && c.host) {
    if (o.host !== c.host) return null;
    if (o.inbound) return undefined;
    const shared = o.hostLevel ? ', an address all its sandboxes share' : '';
    return { kind: 'scope', weight: 0.15, reason: `The traffic comes from host ${c.host}${shared}, where the call ran (${o.how}).` };
  }
  return undefined;
}

export interface DnsEvidence {
  /** domains seen resolving to / serving an address, with where that was seen */
  domainsFor(ip: string): { domain: string; where: string }[];
}

function contentEvidence(f: Finding, c: ToolCall, w: Windows, dns: DnsEvidence): Evidence[] {
  const out: Evidence[] = [];
  const e = f.event;
  const dst = e.dst;
  if (dst?.ip && mentionsToken(c.text, dst.ip)) out.push({ kind: 'content', weight: 0.7, reason: `The command names ${dst.ip}, the destination address in the record.` });
  if (dst?.domain && mentionsToken(c.text, dst.domain)) out.push({ kind: 'content', weight: 0.7, reason: `The command names ${dst.domain}, the destination domain in the record.` });
  else if (dst?.ip && out.length === 0) {
    const hit = dns.domainsFor(dst.ip).find((d) => mentionsToken(c.text, d.domain));
    if (hit) out.push({ kind: 'content', weight: 0.6, reason: `The command names ${hit.domain}, which resolved to ${dst.ip} (${hit.where}).` });
  }
  if (dst?.port !== undefined && out.length > 0 === false && mentionsPort(c.text, dst.port)) {
    const common = dst.port === 80 || dst.port === 443;
    out.push({ kind: 'content', weight: common ? 0.05 : 0.2, reason: `The command uses port ${dst.port}, the destination port in the record.` });
  }
  if (e.kind === 'audit' && e.operation) {
    const op = e.operation.split(/[.:/]/).pop()!;
    const kebab = kebabOperation(op);
    if (kebab.length >= 6 && (c.text.includes(kebab) || c.text.includes(op.toLowerCase()))) {
      out.push({ kind: 'content', weight: 0.55, reason: `The command calls ${op}, the operation the audit trail refused.` });
    }
  }
  const labels = [...new Set(w.patterns.filter((p) => p.test(c.text)).map((p) => p.label))];
  if (labels.length) out.push({ kind: 'content', weight: 0.5, reason: `The command runs ${labels.join(', ')}, the behaviour the matching rule describes.` });
  return out;
}

/** Scores one call against one violation; undefined when the call cannot be the cause. */
export function scoreCall(f: Finding, c: ToolCall, w: Windows, dns: DnsEvidence): Scored | undefined {
  const time = timeEvidence(f, c, w);
  if (!time) return undefined;
  const scope = scopeEvidence(f, c);
  if (scope === null) return undefined;
  const evidence = [time, ...(scope ? [scope] : []), ...contentEvidence(f, c, w, dns)];
  const confidence = 1 - evidence.reduce((p, ev) => p * (1 - ev.weight), 1);
  return { call: c, confidence, evidence };
}

/** All candidates best first; ties that evidence cannot separate lower the winner's confidence. */
export function rankCandidates(f: Finding, calls: readonly ToolCall[], w: Windows, dns: DnsEvidence): Scored[] {
  const scored: Scored[] = [];
  for (const c of calls) {
    const s = scoreCall(f, c, w, dns);
    if (s) scored.push(s);
  }
  scored.sort((a, b) => b.confidence - a.confidence || a.call.startMs - b.call.startMs || compareCallRefs(a.call, b.call));
  const [best, next] = scored;
  if (best && next && next.call.session !== best.call.session && best.confidence - next.confidence < 0.05) {
    best.confidence *= 0.7;
    best.evidence.push({ kind: 'time', weight: 0, reason: `Call ${next.call.event.callId} in session ${next.call.session} fits almost as well, so this attribution is uncertain.` });
  }
  return scored;
}

function compareCallRefs(a: ToolCall, b: ToolCall): number {
  const x = formatRef(a.event.ref), y = formatRef(b.event.ref);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function toAttribution(f: Finding, s: Scored): Attribution {
  const e = s.call.event;
  return {
    callId: e.callId ?? '',
    session: s.call.session,
    tool: e.tool ?? '',
    command: e.command ?? '',
    ref: e.ref,
    time: iso(s.call.startMs),
    deltaMs: f.timeMs - s.call.startMs,
    confidence: Math.round(s.confidence * 1000) / 1000,
    reasons: s.evidence.map((ev) => ev.reason),
    timePrecision: s.call.precision,
    ...(s.call.host ? { host: s.call.host } : {}),
    ...(s.call.sandbox ? { sandbox: s.call.sandbox } : {}),
  };
}
