// Which tool call caused a violation: every call whose interval (widened by the rules' windows)
// reaches the violation is a candidate; evidence of time, place and content adds up to a
// confidence (noisy-or), and each piece of evidence is one sentence a responder can paste.
import { formatRef, type ForensicEvent, type Ref, type TimePrecision } from '../model/event.js';
import type { Attribution } from '../model/report.js';
import { DEFAULT_HINTS } from '../rules/load.js';
import type { CommandPattern, JoinKey, Rule, RuleHeader } from '../rules/rule.js';
import { kebabOperation, mentionsPort, mentionsToken, runsKubernetesOperation, searchableCommand, startsBackgroundProcess } from './command.js';
import type { DnsEvidence } from './dns.js';
import type { Asset, Inventory } from './inventory.js';

export type { DnsEvidence } from './dns.js';

/** How long a call whose end is unknown is assumed to run. */
export const OPEN_END_MS = 60_000;

/**
 * A tool call as attribution reads it. It keeps what reports and scoring read of the call's record
 * rather than the record: RL traces hold hundreds of thousands of calls, and their records (summary,
 * time as written, fields) weighed more than the rest of the call.
 */
export interface ToolCall {
  ref: Ref;
  /** the transcript's own call id, tool, command and container, verbatim */
  callId?: string;
  tool?: string;
  command?: string;
  container?: string;
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
  /** the inventory lists the call's host, so addresses foreign to the inventory are not its own */
  hostInInventory: boolean;
  /** when the same session's next call started (set by buildToolCalls) */
  nextStartMs?: number;
  /** what is known of the call's command, shared by the calls of the same command (CommandFacts) */
  facts: CommandFact;
  /** start and end as ISO text, written once for the many violations that cite this call */
  isoTimes?: [start: string, end: string];
}

export interface Finding {
  event: ForensicEvent;
  /** violation time after clock correction */
  timeMs: number;
  /** detection or correlation rules: attribution reads only their header (severity, hints) */
  rules: RuleHeader[];
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
  /** neither address is in the inventory: the record came from somewhere else */
  foreign?: boolean;
  how: string;
}

/**
 * One piece of evidence. `explain` writes its sentence: sentences are built only for the calls a
 * report shows (a closure rather than a getter, which V8 builds far more slowly in an object literal).
 */
export interface Evidence {
  kind: 'time' | 'scope' | 'content';
  weight: number;
  explain(): string;
  /** time evidence only: long after the call ended, past the rule's ordinary window */
  lingering?: boolean;
}

/** Two candidates closer than this in confidence cannot be told apart. */
export const TIE_MARGIN = 0.05;

export interface Scored {
  call: ToolCall;
  confidence: number;
  evidence: Evidence[];
}

/** `commands`: what is known of each command already seen (see CommandFacts), shared by the calls of one run. */
export function toToolCall(event: ForensicEvent, inventory: Inventory, offsetMs: number, commands = new CommandFacts()): ToolCall {
  const startMs = event.timeMs + offsetMs;
  const precision = event.timePrecision ?? (event.endMs !== undefined ? 'call-result' : 'response');
  const openEnded = event.endMs === undefined;
  const endMs = openEnded ? startMs + OPEN_END_MS : event.endMs! + offsetMs;
  const session = event.session ?? '';
  const asset = inventory.forSession(event.session) ?? inventory.forSandbox(event.sandbox);
  const facts = commands.of(event.command ?? '');
  const host = event.host ?? asset?.host;
  return {
    ref: event.ref, callId: event.callId, tool: event.tool, command: event.command, container: event.container,
    startMs, endMs, openEnded, precision,
    text: facts.text,
    session,
    host,
    sandbox: event.sandbox ?? asset?.sandbox,
    background: facts.background,
    hostInInventory: host !== undefined && inventory.hasHost(host),
    // Present from the start although buildToolCalls sets it later: a property added to an object
    // after it is made goes to a separate array (40 bytes a call, 21 MB for half a million calls).
    nextStartMs: undefined,
    facts,
  };
}

/**
 * What attribution reads of a command, worked out once per distinct command: agents repeat their
 * commands (`pytest -q`, `git status`), and RL traces hold hundreds of thousands of calls. Calls with
 * the same command share one searchable text and one memo of rule pattern answers (both depend on the
 * text alone) instead of each building its own. Bounded: it starts over when full.
 */
export class CommandFacts {
  private readonly known = new Map<string, CommandFact>();

  of(command: string): CommandFact {
    let facts = this.known.get(command);
    if (!facts) {
      facts = { text: searchableCommand(command), background: startsBackgroundProcess(command), tested: 0, hits: 0 };
      if (this.known.size >= MAX_KNOWN_COMMANDS) this.known.clear();
      this.known.set(command, facts);
    }
    return facts;
  }
}

/** One command's searchable text, whether it starts a background process, and its rule pattern answers. */
export interface CommandFact {
  text: string;
  background: boolean;
  /** the bits (CommandPattern.bit) of the rule patterns tested on the text, and of those that matched */
  tested: number;
  hits: number;
  /** the answers to patterns without a bit, made on the first such test */
  patternHits?: Map<CommandPattern, boolean>;
}

const MAX_KNOWN_COMMANDS = 50_000;

/** Where a violation came from: what the log says, else the inventory entry of its source address. */
export function originOf(event: ForensicEvent, inventory: Inventory): Origin | undefined {
  if (event.sandbox || event.session) return { host: event.host, sandbox: event.sandbox, session: event.session, hostLevel: false, how: 'the log record names it' };
  const bySrc = inventory.resolve(event.src?.ip, event.host);
  const asset: Asset | undefined = bySrc ?? inventory.resolve(event.dst?.ip, event.host);
  if (!asset) {
    const ip = event.src?.ip;
    if (!ip || inventory.size === 0) return undefined;
    return { hostLevel: false, foreign: true, how: `the source address ${ip} is not in the inventory` };
  }
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

/**
 * The windows of a violation's rules: the widest each rule allows (a rule's own `after` counts even
 * when shorter than the default, which applies only when no rule sets a window).
 */
export function windowsFor(rules: readonly RuleHeader[]): Windows {
  const w: Windows = { beforeMs: 0, afterMs: 0, persistentAfterMs: DEFAULT_HINTS.persistentAfterMs, persistentRule: false, patterns: [] };
  let transient = false;
  for (const r of rules) {
    w.beforeMs = Math.max(w.beforeMs, r.attribution.beforeMs);
    if (r.attribution.persistent) {
      w.persistentRule = true;
      w.persistentAfterMs = Math.max(w.persistentAfterMs, r.attribution.afterMs);
    } else {
      transient = true;
      w.afterMs = Math.max(w.afterMs, r.attribution.afterMs);
    }
    w.patterns.push(...r.attribution.commandPatterns);
  }
  if (rules.length === 0) w.beforeMs = DEFAULT_HINTS.beforeMs;
  if (!transient) w.afterMs = DEFAULT_HINTS.afterMs;
  return w;
}

/**
 * The widest windows any of these rules (or the defaults) give a violation: how far before and after
 * a violation its calls may start (`beforeMs`), end (`afterMs`, in which a session's next start counts)
 * or end and linger (`lingerMs`: background calls and persistent rules).
 */
export function widestWindows(rules: readonly RuleHeader[]): { beforeMs: number; afterMs: number; lingerMs: number } {
  const w = { beforeMs: DEFAULT_HINTS.beforeMs, afterMs: DEFAULT_HINTS.afterMs, lingerMs: Math.max(DEFAULT_HINTS.afterMs, DEFAULT_HINTS.persistentAfterMs) };
  for (const r of rules) {
    w.beforeMs = Math.max(w.beforeMs, r.attribution.beforeMs);
    w.afterMs = Math.max(w.afterMs, r.attribution.afterMs);
    w.lingerMs = Math.max(w.lingerMs, r.attribution.afterMs);
  }
  return w;
}

const TIME_WEIGHT: Record<TimePrecision, number> = { exact: 0.35, 'call-result': 0.35, response: 0.25, step: 0.2, session: 0.1 };
const PRECISION_WORDS: Record<TimePrecision, string> = {
  exact: 'start and end recorded for the call',
  'call-result': 'times of the call and result records',
  response: "only the model response time is known; the call is assumed to run until the session's next call, for at most 60 s",
  step: 'times derived from step durations',
  session: 'only the session window is known',
};

const secs = (ms: number) => `${(Math.abs(ms) / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
const iso = (ms: number) => new Date(ms).toISOString();
const isoTimes = (c: ToolCall): [string, string] => (c.isoTimes ??= [iso(c.startMs), iso(c.endMs)]);

function timeEvidence(f: Finding, c: ToolCall, w: Windows): Evidence | undefined {
  const t = f.timeMs;
  const base = TIME_WEIGHT[c.precision];
  const how = PRECISION_WORDS[c.precision];
  if (t < c.startMs - w.beforeMs) return undefined;
  if (t < c.startMs) {
    // A log that stamps whole seconds (CloudTrail, syslog) puts an event up to 999 ms early.
    if (t + timeResolutionMs(f.event.timeRaw) > c.startMs && t + 1 <= c.endMs) {
      return { kind: 'time', weight: base, explain: () => `The violation is stamped in the second the call started (the log records whole seconds), while it was running (${isoTimes(c)[0]} to ${isoTimes(c)[1]}; ${how}).` };
    }
    return { kind: 'time', weight: 0.15, explain: () => `The violation is stamped ${secs(c.startMs - t)} before the call started, within the ${secs(w.beforeMs)} allowed for clock jitter.` };
  }
  if (t <= c.endMs) return { kind: 'time', weight: base, explain: () => `The violation happened ${secs(t - c.startMs)} after the call started, while it was running (${isoTimes(c)[0]} to ${isoTimes(c)[1]}; ${how}).` };
  const gap = t - c.endMs;
  if (gap <= w.afterMs) {
    // Agents run a session's calls one at a time: once the next call has started, a late effect of
    // this one is possible (log latency) but less likely than one of the call now running.
    if (c.nextStartMs !== undefined && c.nextStartMs <= t && !c.background) {
      return { kind: 'time', weight: 0.05, explain: () => `The violation came ${secs(gap)} after the call finished, within the ${secs(w.afterMs)} its effects are expected to last, but after the session had started its next call.` };
    }
    return { kind: 'time', weight: 0.05 + 0.25 * (1 - gap / w.afterMs), explain: () => `The violation came ${secs(gap)} after the call finished, within the ${secs(w.afterMs)} its effects are expected to last.` };
  }
  if ((c.background || w.persistentRule) && gap <= w.persistentAfterMs) {
    const why = c.background ? 'the command left a process running in the background' : 'the behaviour the rule describes outlives the call that starts it';
    return { kind: 'time', weight: 0.1, lingering: true, explain: () => `The violation came ${secs(gap)} after the call finished; it can still be the call's effect because ${why}.` };
  }
  return undefined;
}

/** How coarse a raw timestamp is: 1000 ms when it carries whole seconds only, else 1 ms. */
export function timeResolutionMs(raw: string): number {
  const text = raw.trim();
  // Fractional seconds in ISO/syslog text (`10:15:02.250`) or a fractional epoch (`1772360102.25`).
  if (/\d[.,]\d/.test(text)) return 1;
  if (/^\d{12,}$/.test(text)) return 1; // epoch milliseconds
  return /\d\d:\d\d:\d\d|^\d{9,10}$/.test(text) ? 1000 : 1;
}

/**
 * Scope: same session or sandbox is strong; the same host is weak (its sandboxes share its address
 * through NAT); a different known session, sandbox or host rules the call out. Inbound traffic that
 * only names our host as its destination says nothing about which call ran.
 */
function scopeEvidence(f: Finding, c: ToolCall): Evidence | null | undefined {
  const o = f.origin;
  if (!o) {
    if (f.event.host && c.host && f.event.host === c.host) return { kind: 'scope', weight: 0.15, explain: () => `The record was logged on ${f.event.host}, where the call ran.` };
    return undefined;
  }
  // Traffic coming in to a sandbox or host was sent by someone else: where it landed says nothing
  // about which call ran, and it rules nothing out either.
  if (o.inbound) return undefined;
  // A record from an address the inventory does not know did not come from a host it lists,
  // unless that host logged it itself (an inventory may leave out sandbox addresses).
  if (o.foreign) return c.hostInInventory && f.event.host !== c.host ? null : undefined;
  if (o.session && c.session) {
    return o.session === c.session ? { kind: 'scope', weight: 0.55, explain: () => `The traffic comes from session ${c.session}'s own sandbox: ${o.how}.` } : null;
  }
  if (o.sandbox && c.sandbox) {
    return o.sandbox === c.sandbox ? { kind: 'scope', weight: 0.5, explain: () => `The traffic comes from sandbox ${c.sandbox}, where the call ran: ${o.how}.` } : null;
  }
  if (o.host && c.host) {
    if (o.host !== c.host) return null;
    if (o.inbound) return undefined;
    const shared = o.hostLevel ? ', an address all its sandboxes share' : '';
    return { kind: 'scope', weight: 0.15, explain: () => `The traffic comes from host ${c.host}${shared}, where the call ran (${o.how}).` };
  }
  return undefined;
}

/**
 * What a command could share with a violation, worked out once per violation rather than once per
 * candidate call (a persistent rule's violation has hours of calls to check).
 */
export interface ContentKeys {
  ip?: string;
  domain?: string;
  /** names the destination address resolved from, when the record carries no domain */
  resolvedFrom: { domain: string; where: string }[];
  port?: number;
  operation?: { op: string; kebab: string; k8s: boolean; full: string; refused: boolean };
  patterns: readonly CommandPattern[];
  /** the texts mayShareContent() looks for (lower-cased, the port as digits), made once per violation */
  needles: string[];
}

export function contentKeys(f: Finding, w: Windows, dns: DnsEvidence): ContentKeys {
  const e = f.event;
  const dst = e.dst;
  const resolvedFrom = dst?.ip ? dns.domainsFor(dst.ip) : [];
  const needles = [dst?.ip?.toLowerCase(), dst?.domain?.toLowerCase(), ...resolvedFrom.map((d) => d.domain.toLowerCase()), dst?.port === undefined ? undefined : String(dst.port)]
    .filter((n): n is string => !!n);
  const keys: ContentKeys = { ip: dst?.ip, domain: dst?.domain, resolvedFrom, port: dst?.port, patterns: w.patterns, needles };
  if (e.kind === 'audit' && e.operation) {
    const op = e.operation.split(/[.:/]/).pop()!;
    keys.operation = { op, kebab: kebabOperation(op), k8s: e.format === 'k8s-audit', full: e.operation, refused: !!e.errorCode };
  }
  return keys;
}

/**
 * False only when contentEvidence() must find nothing: every test there implies a plain substring
 * (or, for patterns, the same test) here; audit operations are left to the full check.
 */
export function mayShareContent(c: ToolCall, k: ContentKeys): boolean {
  const text = c.text;
  for (const n of k.needles) if (text.includes(n)) return true;
  if (k.operation) return true;
  for (const p of k.patterns) if (patternMatches(c, p)) return true;
  return false;
}

function contentEvidence(c: ToolCall, k: ContentKeys, scope: Evidence | undefined): Evidence[] {
  const out: Evidence[] = [];
  const { ip, domain } = k;
  if (ip && mentionsToken(c.text, ip)) out.push({ kind: 'content', weight: 0.7, explain: () => `The command names ${ip}, the destination address in the record.` });
  if (domain && mentionsToken(c.text, domain)) out.push({ kind: 'content', weight: 0.7, explain: () => `The command names ${domain}, the destination domain in the record.` });
  else if (ip && out.length === 0) {
    const hit = k.resolvedFrom.find((d) => mentionsToken(c.text, d.domain));
    if (hit) out.push({ kind: 'content', weight: 0.6, explain: () => `The command names ${hit.domain}, which resolved to ${ip} ${hit.where}.` });
  }
  // A port number alone is common (8080, 3000, 53): it only counts once the traffic is known to come
  // from the call's own sandbox or session, never to lift host-level coincidence over the threshold.
  const ownScope = scope !== undefined && scope.weight >= 0.5;
  const port = k.port;
  if (port !== undefined && out.length === 0 && ownScope && mentionsPort(c.text, port)) {
    const common = port === 80 || port === 443;
    out.push({ kind: 'content', weight: common ? 0.05 : 0.2, explain: () => `The command uses port ${port}, the destination port in the record.` });
  }
  const o = k.operation;
  if (o && (o.k8s ? runsKubernetesOperation(c.text, o.full) : o.kebab.length >= 6 && (c.text.includes(o.kebab) || c.text.includes(o.op.toLowerCase())))) {
    const refused = o.refused ? 'the operation the audit trail refused' : 'the operation in the audit record';
    out.push({ kind: 'content', weight: 0.55, explain: () => `The command calls ${o.op}, ${refused}.` });
  }
  const patterns = patternEvidence(c, k.patterns);
  if (patterns) out.push(patterns);
  return out;
}

/** The rule patterns the command matches, as one piece of evidence weighing as the strongest of them. */
function patternEvidence(c: ToolCall, patterns: readonly CommandPattern[]): Evidence | undefined {
  let matched: CommandPattern[] | undefined;
  for (const p of patterns) if (patternMatches(c, p)) (matched ??= []).push(p);
  if (!matched) return undefined;
  const labels = [...new Set(matched.map((p) => p.label))];
  // A rule may weigh its own patterns; the strongest matching one counts.
  const weight = Math.max(...matched.map((p) => p.weight ?? 0.5));
  return { kind: 'content', weight, explain: () => `The command runs ${labels.join(', ')}, the behaviour the matching rule describes.` };
}

// A call's command is tested against the same few rule patterns for every violation near it:
// remember each answer on the call (regexes are the costliest part of scoring).
function patternMatches(c: ToolCall, p: CommandPattern): boolean {
  const facts = c.facts;
  if (p.bit) {
    if (facts.tested & p.bit) return (facts.hits & p.bit) !== 0;
    const hit = p.test(facts.text);
    facts.tested |= p.bit;
    if (hit) facts.hits |= p.bit;
    return hit;
  }
  const memo = (facts.patternHits ??= new Map());
  let hit = memo.get(p);
  if (hit === undefined) memo.set(p, (hit = p.test(facts.text)));
  return hit;
}

/** Scores one call against one violation; undefined when the call cannot be the cause. */
/** `keys`: contentKeys(f, w, dns), passed in when one violation scores many calls. */
export function scoreCall(f: Finding, c: ToolCall, w: Windows, dns: DnsEvidence, keys = contentKeys(f, w, dns)): Scored | undefined {
  // Long after an ordinary call ended only content can tie it to the violation (see below): most
  // such calls share nothing with it, and are ruled out here before any evidence is written.
  if (!c.background && f.timeMs - c.endMs > w.afterMs && !mayShareContent(c, keys)) return undefined;
  const time = timeEvidence(f, c, w);
  if (!time) return undefined;
  const scope = scopeEvidence(f, c);
  if (scope === null) return undefined;
  const content = contentEvidence(c, keys, scope);
  // Long after a call ended, only a process it left behind, or content that ties it, can explain
  // the violation; being the last call in the sandbox hours earlier is not evidence.
  if (time.lingering && !c.background && content.length === 0) return undefined;
  // Built without intermediate lists: a violation scores every call near it.
  const evidence: Evidence[] = [time];
  if (scope) evidence.push(scope);
  for (const ev of content) evidence.push(ev);
  let doubt = 1;
  for (const ev of evidence) doubt *= 1 - ev.weight;
  return { call: c, confidence: 1 - doubt, evidence };
}

/**
 * All candidates best first. Calls that evidence cannot separate (within TIE_MARGIN) share the
 * belief: the winner's confidence is divided among them, and a reason names the rivals.
 */
export function rankCandidates(f: Finding, calls: readonly ToolCall[], w: Windows, dns: DnsEvidence, keys = contentKeys(f, w, dns)): Scored[] {
  const scored: Scored[] = [];
  for (const c of calls) {
    const s = scoreCall(f, c, w, dns, keys);
    if (s) scored.push(s);
  }
  const t = f.timeMs;
  // Among equals: a call running at the time beats one that had ended; then the most recent start.
  const running = (c: ToolCall) => (t >= c.startMs && t <= c.endMs ? 0 : 1);
  scored.sort((a, b) => b.confidence - a.confidence || running(a.call) - running(b.call)
    || Math.abs(t - a.call.startMs) - Math.abs(t - b.call.startMs) || compareCallRefs(a.call, b.call));
  const best = scored[0];
  if (!best) return scored;
  const rivals = scored.slice(1).filter((s) => best.confidence - s.confidence < TIE_MARGIN && !sameCall(s.call, best.call));
  if (rivals.length) {
    best.confidence /= rivals.length + 1;
    const names = rivals.slice(0, 3).map((r) => r.call.session === best.call.session ? `call ${r.call.callId} of the same session` : `call ${r.call.callId} in session ${r.call.session}`);
    const more = rivals.length > 3 ? ` and ${rivals.length - 3} more` : '';
    best.evidence.push({ kind: 'time', weight: 0, explain: () => `${capitalize(names.join(', '))}${more} ${rivals.length === 1 ? 'fits' : 'fit'} the evidence as well as this one, so the attribution is uncertain and its confidence is divided among them.` });
  }
  return scored;
}

function sameCall(a: ToolCall, b: ToolCall): boolean {
  return a.callId === b.callId && a.session === b.session;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function compareCallRefs(a: ToolCall, b: ToolCall): number {
  const x = formatRef(a.ref), y = formatRef(b.ref);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `reasons`: false for a violation only counted (countedViolation), whose reasons nobody reads. */
export function toAttribution(f: Finding, s: Scored, reasons = true): Attribution {
  const c = s.call;
  return {
    callId: c.callId ?? '',
    session: c.session,
    tool: c.tool ?? '',
    command: c.command ?? '',
    ref: c.ref,
    time: isoTimes(s.call)[0],
    deltaMs: f.timeMs - s.call.startMs,
    confidence: Math.round(s.confidence * 1000) / 1000,
    reasons: reasons ? s.evidence.map((ev) => ev.explain()) : [],
    timePrecision: s.call.precision,
    ...(s.call.host ? { host: s.call.host } : {}),
    ...(s.call.sandbox ? { sandbox: s.call.sandbox } : {}),
  };
}

function scopeOf(f: Finding, key: Exclude<JoinKey, 'inventory' | 'container'>): string | undefined {
  return f.origin?.[key] ?? f.event[key];
}

/**
 * `attribution.join`: keeps only calls that share every listed scope with the violation. A scope
 * either side does not know excludes the call: a rule that asks for a join wants proof, not absence
 * of contradiction. `inventory` means the violation's source address is in the inventory and names
 * the call's session, sandbox or (for host-level addresses) host.
 */
export function filterByJoin(f: Finding, calls: readonly ToolCall[], join: readonly JoinKey[], inventory: Inventory): readonly ToolCall[] {
  if (join.length === 0) return calls;
  const asset = inventory.resolve(f.event.src?.ip, f.event.host);
  return calls.filter((c) => join.every((key) => {
    switch (key) {
      case 'session': return !!c.session && scopeOf(f, 'session') === c.session;
      case 'sandbox': return !!c.sandbox && scopeOf(f, 'sandbox') === c.sandbox;
      case 'host': return !!c.host && scopeOf(f, 'host') === c.host;
      case 'container': return !!c.container && f.event.container === c.container;
      case 'inventory':
        if (!asset) return false;
        if (asset.session) return asset.session === c.session;
        if (asset.sandbox) return asset.sandbox === c.sandbox;
        return asset.host === c.host;
    }
  }));
}
