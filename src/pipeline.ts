// The glue (ripgrep's search.rs): options → inputs → events → rules → clock → attribution → Report.
// Agent transcripts are read first and indexed (they are small); firewall and audit inputs are then
// streamed once, keeping only the records rules mark, so memory follows the findings, not the input.
import { fileURLToPath } from 'node:url';
import { Inventory, loadInventory } from './attribution/inventory.js';
import { enrichReport } from './enrich/geoip.js';
import { filterByJoin, originOf, rankCandidates, toAttribution, windowsFor, type DnsEvidence, type Finding, type ToolCall } from './attribution/attribute.js';
import { buildToolCalls } from './attribution/calls.js';
import { DnsIndex } from './attribution/dns.js';
import { mentionsToken } from './attribution/command.js';
import { activityStats } from './attribution/stats.js';
import { detectInput, parseInput, type DetectedInput, type ReadSettings } from './ingest/ingest.js';
import { openInput, resolveInputs } from './ingest/read.js';
import { compareEvents, compareRefs, formatRef, severityRank, type ForensicEvent, type Severity, type SourceKind } from './model/event.js';
import { InputError } from './model/errors.js';
import type { Issue } from './model/issue.js';
import { REPORT_SCHEMA, type Incident, type Report, type ReportClock, type ReportError, type ReportInput, type Violation } from './model/report.js';
import type { AnalysisOptions } from './options.js';
import { DEFAULT_HINTS, loadRuleSet, type RuleSet } from './rules/load.js';
import { evaluateCorrelations, type CorrelationMatch } from './rules/correlation.js';
import { matchingRules } from './rules/match.js';
import { dedupeRecords } from './timeline/dedupe.js';
import { mergeSorted, sortEvents } from './timeline/merge.js';
import { estimateSkew, manualOffsetFor, type SkewPair } from './timeline/skew.js';
import { BUILTIN_RULES, VERSION } from './version.js';

export const MAX_REPORTED_ERRORS = 1000;
const SOURCE_ORDER: Record<SourceKind, number> = { agent: 0, audit: 1, firewall: 2, other: 3 };

export interface Analysis {
  report: Report;
  /** every event, clock-corrected and ordered, when options.keepEvents */
  events?: ForensicEvent[];
  ruleSet: RuleSet;
  /** how each input was read (zone, year reference, clock offset), to read it again identically */
  readPlan: Map<string, { settings: ReadSettings; offsetMs: number }>;
}

interface InputState {
  detected: DetectedInput;
  path: string;
  format: string;
  source: SourceKind;
  sha256: string;
  bytes: number;
  gzip: boolean;
  records: number;
  skipped: number;
  firstMs: number;
  lastMs: number;
  notes: string[];
  manualOffsetMs?: number;
  offsetMs: number;
  findings: Finding[];
  /** events marked by rules that correlation rules count (kept until the correlations are evaluated) */
  correlationMatches: CorrelationMatch[];
  events: ForensicEvent[];
}

export async function analyze(options: AnalysisOptions): Promise<Analysis> {
  const ruleSet = await loadRuleSet(options.rules.length ? options.rules : [fileURLToPath(BUILTIN_RULES)]);
  const inventory = options.inventory ? await loadInventory(options.inventory) : new Inventory();
  const { sources, problems } = await resolveInputs(options.paths);
  const errors: Issue[] = [...problems];
  const settings: ReadSettings = {
    tz: options.tz, year: options.year, maxLineBytes: options.maxLineBytes, maxDocumentBytes: options.maxDocumentBytes,
    maxJsonDepth: options.maxJsonDepth, maxDecompressedBytes: options.maxDecompressedBytes, maxGzipRatio: options.maxGzipRatio,
  };

  const states: InputState[] = [];
  for (const source of sources) {
    const detected = await detectInput(source, settings);
    const format = detected.format;
    states.push({
      detected, path: source.path, format: format?.name ?? 'unknown', source: format?.source ?? 'other',
      sha256: '', bytes: 0, gzip: false, records: 0, skipped: 0, firstMs: Infinity, lastMs: -Infinity, notes: [],
      manualOffsetMs: manualOffsetFor(options.skews, source.path, format?.name ?? ''), offsetMs: 0, findings: [], correlationMatches: [], events: [],
    });
  }
  // Transcripts first: they date year-less logs and are the reference clock.
  const order = [...states].sort((a, b) => SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source]);
  const calls: ForensicEvent[] = [];
  const dns = new DnsIndex();
  let referenceMs: number | undefined;
  let done = 0;
  const readSettings = new Map<string, ReadSettings>();
  for (const st of order) {
    options.onProgress?.(done++, order.length, st.path);
    readSettings.set(st.path, { ...settings, referenceMs });
    await readOne(st, { ...settings, referenceMs }, ruleSet, options, calls, dns, errors);
    if (Number.isFinite(st.lastMs)) referenceMs = Math.max(referenceMs ?? -Infinity, st.lastMs);
  }
  options.onProgress?.(done, order.length, '');

  const agentOffsets = new Map(states.filter((s) => s.source === 'agent').map((s) => [s.path, s.manualOffsetMs ?? 0]));
  const uniqueCalls = dedupeRecords(calls, (e) => ({ event: e, timeMs: e.timeMs + (agentOffsets.get(e.ref.path) ?? 0) }));
  const toolCalls = buildToolCalls(uniqueCalls.kept, inventory, (p) => agentOffsets.get(p) ?? 0);
  const clock = settleClocks(states, toolCalls, inventory, options);

  const shifted: Finding[] = states.flatMap((s) => s.findings.map((f) => ({ ...f, timeMs: f.event.timeMs + s.offsetMs, origin: originOf(f.event, inventory) })));
  const unique = dedupeRecords(shifted, (f) => f);
  noteCopies(states, uniqueCalls.copies, 'tool calls');
  noteCopies(states, unique.copies, 'violations');
  const findings = unique.kept;
  findings.push(...correlationFindings(states, ruleSet, inventory, findings));
  const inRange = (t: number) => (options.sinceMs === undefined || t >= options.sinceMs) && (options.untilMs === undefined || t <= options.untilMs);
  const kept = findings.filter((f) => inRange(f.timeMs)).sort((a, b) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref));
  const scoring: Scoring = { calls: toolCalls, longestMs: toolCalls.reduce((m, c) => Math.max(m, c.endMs - c.startMs), 0), dns, inventory, minConfidence: options.minConfidence };
  const violations = kept.map((f, i) => buildViolation(f, i, scoring));
  const report = assemble(states, clock, violations, toolCalls, errors, ruleSet, options);
  if (options.geoip.length > 0) await enrichReport(report, options.geoip);
  const events = options.keepEvents ? mergedEvents(states, inRange) : undefined;
  const readPlan = new Map(states.map((st) => [st.path, { settings: readSettings.get(st.path) ?? settings, offsetMs: st.offsetMs }]));
  return { report, events, ruleSet, readPlan };
}

/** Events held in memory across all inputs while sorting the timeline; beyond, sorted runs spill to disk. */
const TIMELINE_MEMORY_EVENTS = 1_000_000;

/**
 * The clock-corrected timeline of every event, read again input by input with the settings of the
 * analysis, each input sorted with bounded memory, then merged: memory does not grow with input size.
 */
export async function* timelineEvents(options: AnalysisOptions, plan: Analysis['readPlan']): AsyncGenerator<ForensicEvent> {
  const { sources } = await resolveInputs(options.paths);
  const inRange = (t: number) => (options.sinceMs === undefined || t >= options.sinceMs) && (options.untilMs === undefined || t <= options.untilMs);
  const runSize = Math.max(1_000, Math.floor(TIMELINE_MEMORY_EVENTS / Math.max(1, sources.length)));
  const streams: AsyncIterable<ForensicEvent>[] = [];
  for (const source of sources) {
    const how = plan.get(source.path);
    if (!how) continue;
    const detected = await detectInput(source, how.settings);
    if (!detected.format) continue;
    const parsed = parseInput(detected, detected.format, how.settings);
    streams.push(sortEvents(shifted(parsed.events, how.offsetMs, inRange), { runSize }));
  }
  yield* mergeSorted(streams, compareEvents);
}

async function* shifted(events: AsyncIterable<ForensicEvent>, offsetMs: number, inRange: (t: number) => boolean): AsyncGenerator<ForensicEvent> {
  for await (const e of events) {
    const moved = offsetMs === 0 ? e : { ...e, timeMs: e.timeMs + offsetMs, ...(e.endMs !== undefined ? { endMs: e.endMs + offsetMs } : {}) };
    if (inRange(moved.timeMs)) yield moved;
  }
}

async function readOne(st: InputState, settings: ReadSettings, ruleSet: RuleSet, options: AnalysisOptions, calls: ForensicEvent[], dns: DnsIndex, errors: Issue[]): Promise<void> {
  const format = st.detected.format;
  if (!format) {
    // Not an error: evidence folders hold notes, inventories and other files. Listed, hashed, never hidden.
    st.notes.push('format not recognized: not analysed (see `agent-forensics formats`)');
    const opened = openInput(st.detected.source, settings);
    for await (const _ of opened.chunks) void _;
    const read = await opened.result;
    st.sha256 = read.sha256;
    st.bytes = read.bytes;
    if (read.error) errors.push({ path: st.path, ...(read.errorLine ? { line: read.errorLine } : {}), message: read.error });
    return;
  }
  const parsed = parseInput(st.detected, format, settings);
  const manual = st.manualOffsetMs ?? 0;
  for await (const event of parsed.events) {
    st.records++;
    if (options.strict && parsed.issues.length) break;
    const t = event.timeMs + manual;
    if (t < st.firstMs) st.firstMs = t;
    if ((event.endMs ?? event.timeMs) + manual > st.lastMs) st.lastMs = (event.endMs ?? event.timeMs) + manual;
    dns.learn(event);
    if (event.kind === 'tool-call') {
      calls.push(event);
      if (options.keepEvents) st.events.push(event);
      continue;
    }
    const rules = matchingRules(ruleSet.rules, event);
    if (rules.length) st.findings.push({ event, timeMs: t, rules });
    if (ruleSet.correlations.length) {
      const inputs = matchingRules(ruleSet.correlationInputs, event);
      if (inputs.length) st.correlationMatches.push({ event, timeMs: t, rules: inputs });
    }
    if (options.keepEvents) st.events.push(event);
  }
  const read = await parsed.read;
  st.sha256 = read.sha256;
  st.bytes = read.bytes;
  st.gzip = read.gzip;
  st.skipped = parsed.issues.length;
  st.notes.push(...parsed.notes);
  errors.push(...parsed.issues);
  if (read.error) errors.push({ path: st.path, ...(read.errorLine ? { line: read.errorLine } : {}), message: read.error });
  if (options.strict) {
    const first = parsed.issues[0];
    if (first) throw new InputError(`${first.message} (--strict)`, st.path, first.line);
    if (read.error) throw new InputError(`${read.error} (--strict)`, st.path);
  }
}

/** Manual offsets win; otherwise estimate each firewall/audit input's offset against the transcripts. */
function settleClocks(states: InputState[], calls: ToolCall[], inventory: Inventory, options: AnalysisOptions): ReportClock[] {
  return states.map((st) => {
    if (st.manualOffsetMs !== undefined) {
      st.offsetMs = st.manualOffsetMs;
      return { path: st.path, offsetMs: st.offsetMs, method: 'manual', pairs: 0, confidence: 1 };
    }
    if (!options.autoSkew || st.source === 'agent' || st.source === 'other' || calls.length === 0) {
      return { path: st.path, offsetMs: 0, method: 'none', pairs: 0, confidence: 0 };
    }
    const pairs = skewPairs(st.findings, calls, inventory);
    if (pairs.length === 0) return { path: st.path, offsetMs: 0, method: 'none', pairs: 0, confidence: 0 };
    const est = estimateSkew(pairs, 5_000, DEFAULT_HINTS.beforeMs);
    st.offsetMs = est.offsetMs;
    return { path: st.path, offsetMs: est.offsetMs, method: 'estimated', pairs: est.pairs, confidence: est.confidence };
  });
}

function noteCopies(states: InputState[], copies: Map<string, { count: number; of: string }>, what: string): void {
  for (const [path, c] of copies) {
    states.find((s) => s.path === path)?.notes.push(`${c.count} ${what} are copies of records in ${c.of} (the same record in two inputs) and are reported once, from there`);
  }
}

/**
 * Sigma correlation hits, on the clock-corrected timeline. A hit placed on a record that is already
 * a violation adds its rule there; otherwise it is a violation of its own at its anchor record.
 */
function correlationFindings(states: InputState[], ruleSet: RuleSet, inventory: Inventory, existing: Finding[]): Finding[] {
  if (ruleSet.correlations.length === 0) return [];
  const matches = states.flatMap((s) => s.correlationMatches.map((m) => ({ ...m, timeMs: m.event.timeMs + s.offsetMs })))
    .sort((a, b) => a.timeMs - b.timeMs || compareRefs(a.event.ref, b.event.ref));
  const byEvent = new Map(existing.map((f) => [f.event, f]));
  const added: Finding[] = [];
  for (const hit of evaluateCorrelations(ruleSet.correlations, matches)) {
    const rule = hit.rule;
    const prior = byEvent.get(hit.event);
    if (prior) {
      if (!prior.rules.includes(rule)) prior.rules = [...prior.rules, rule];
      continue;
    }
    const f: Finding = { event: hit.event, timeMs: hit.timeMs, rules: [rule], origin: originOf(hit.event, inventory) };
    byEvent.set(hit.event, f);
    added.push(f);
  }
  return added;
}

const PAIR_SEARCH_MS = 30 * 60_000;

/**
 * Records tied to exactly one call by content (the command names the destination), within 30 min,
 * and not from a place the call cannot be (another known host, sandbox or session).
 */
function skewPairs(findings: Finding[], calls: ToolCall[], inventory: Inventory): SkewPair[] {
  const pairs: SkewPair[] = [];
  for (const f of findings) {
    const dst = f.event.dst;
    if (!dst?.ip && !dst?.domain) continue;
    const origin = originOf(f.event, inventory);
    const named = candidatesNear(f.timeMs, calls, PAIR_SEARCH_MS, PAIR_SEARCH_MS).filter((c) =>
      ((dst.ip && mentionsToken(c.text, dst.ip)) || (dst.domain && mentionsToken(c.text, dst.domain)))
      && !elsewhere(origin, c));
    if (named.length === 1 && !named[0]!.background) pairs.push({ recordMs: f.timeMs, callStartMs: named[0]!.startMs, callEndMs: named[0]!.endMs });
  }
  return pairs;
}

function elsewhere(origin: ReturnType<typeof originOf>, c: ToolCall): boolean {
  if (!origin) return false;
  if (origin.session && c.session) return origin.session !== c.session;
  if (origin.sandbox && c.sandbox) return origin.sandbox !== c.sandbox;
  return !!(origin.host && c.host && origin.host !== c.host);
}

function candidatesNear(t: number, calls: ToolCall[], lookbackMs: number, aheadMs: number): ToolCall[] {
  // calls are sorted by start: every call that started in [t - lookback, t + ahead]
  let lo = 0, hi = calls.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (calls[mid]!.startMs < t - lookbackMs) lo = mid + 1;
    else hi = mid;
  }
  const out: ToolCall[] = [];
  for (let i = lo; i < calls.length && calls[i]!.startMs <= t + aheadMs; i++) out.push(calls[i]!);
  return out;
}

interface Scoring {
  /** tool calls sorted by start */
  calls: ToolCall[];
  /** the longest call: how far back a call may have started and still be running */
  longestMs: number;
  dns: DnsEvidence;
  inventory: Inventory;
  minConfidence: number;
}

function buildViolation(f: Finding, i: number, s: Scoring): Violation {
  const w = windowsFor(f.rules);
  const near = candidatesNear(f.timeMs, s.calls, s.longestMs + Math.max(w.afterMs, w.persistentAfterMs), w.beforeMs);
  const joined = filterByJoin(f, near, f.rules.flatMap((r) => r.attribution.join), s.inventory);
  const ranked = rankCandidates(f, joined, w, s.dns);
  const best = ranked[0] && ranked[0].confidence >= s.minConfidence ? ranked[0] : undefined;
  const e = f.event;
  const rules = [...f.rules].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : 1));
  const severity: Severity = rules[0]!.severity;
  return {
    id: `V${i + 1}`,
    time: new Date(f.timeMs).toISOString(),
    ref: e.ref,
    source: e.source,
    format: e.format,
    ...(e.host !== undefined ? { host: e.host } : {}),
    ...((f.origin?.sandbox ?? e.sandbox) ? { sandbox: f.origin?.sandbox ?? e.sandbox } : {}),
    ...((f.origin?.session ?? e.session) ? { session: f.origin?.session ?? e.session } : {}),
    ...(e.src ? { src: { ...e.src } } : {}),
    ...(e.dst ? { dst: { ...e.dst } } : {}),
    ...(e.proto ? { proto: e.proto } : {}),
    ...(e.action ? { action: e.action } : {}),
    ...(e.operation ? { operation: e.operation } : {}),
    ...(e.actor ? { actor: e.actor } : {}),
    ...(e.errorCode ? { errorCode: e.errorCode } : {}),
    ...(e.message ? { message: e.message } : {}),
    rules: rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity })),
    severity,
    attribution: best ? toAttribution(f, best) : null,
    candidates: ranked.filter((s) => s !== best).slice(0, 5).map((s) => toAttribution(f, s)),
  };
}

function buildIncidents(violations: Violation[]): Incident[] {
  const groups = new Map<string, Violation[]>();
  for (const v of violations) {
    if (!v.attribution) continue;
    const key = `${v.attribution.session}\0${v.attribution.callId}\0${formatRef(v.attribution.ref)}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const incidents = [...groups.values()].map((vs) => {
    const top = [...vs].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0]!;
    const a = vs[0]!.attribution!;
    return {
      id: '', title: top.rules[0]!.title, severity: top.severity, callId: a.callId, session: a.session, command: a.command,
      violations: vs.map((v) => v.id), first: vs[0]!.time, last: vs.at(-1)!.time, count: vs.length,
    };
  });
  incidents.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : x.violations[0]! < y.violations[0]! ? -1 : 1));
  incidents.forEach((inc, i) => (inc.id = `I${i + 1}`));
  return incidents;
}

function assemble(states: InputState[], clock: ReportClock[], violations: Violation[], calls: ToolCall[], errors: Issue[], ruleSet: RuleSet, options: AnalysisOptions): Report {
  const inputs: ReportInput[] = states.map((s) => ({
    path: s.path, sha256: s.sha256, bytes: s.bytes, format: s.format, source: s.source,
    records: s.records, skipped: s.skipped,
    first: Number.isFinite(s.firstMs) ? new Date(s.firstMs - (s.manualOffsetMs ?? 0) + s.offsetMs).toISOString() : null,
    last: Number.isFinite(s.lastMs) ? new Date(s.lastMs - (s.manualOffsetMs ?? 0) + s.offsetMs).toISOString() : null,
    ...(s.gzip ? { gzip: true } : {}),
    ...(s.notes.length ? { notes: s.notes } : {}),
  }));
  const firsts = inputs.filter((i) => i.first).map((i) => Date.parse(i.first!));
  const lasts = inputs.filter((i) => i.last).map((i) => Date.parse(i.last!));
  const spanStart = options.sinceMs ?? (firsts.length ? Math.min(...firsts) : 0);
  const spanEnd = options.untilMs ?? (lasts.length ? Math.max(...lasts) : 0);
  const activity = activityStats(calls.map((c) => ({ startMs: c.startMs, endMs: c.endMs })), violations.map((v) => Date.parse(v.time)), spanStart, spanEnd);
  const attributed = violations.filter((v) => v.attribution).length;
  const sortedErrors: ReportError[] = [...errors].sort((a, b) => compareRefs(a, b) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'agent-forensics', version: VERSION },
    inputs,
    clock,
    violations,
    incidents: buildIncidents(violations),
    stats: {
      events: states.reduce((n, s) => n + s.records, 0),
      violations: violations.length,
      attributed,
      unattributed: violations.length - attributed,
      agentActiveFraction: activity.agentActiveFraction,
      overRepresentation: activity.overRepresentation,
      pValue: activity.pValue,
      toolCalls: calls.length,
      violationsDuringActivity: activity.violationsDuringActivity,
      spanMs: activity.spanMs,
    },
    errors: sortedErrors.slice(0, MAX_REPORTED_ERRORS),
    ...(sortedErrors.length > MAX_REPORTED_ERRORS ? { errorsTotal: sortedErrors.length } : {}),
    settings: {
      tz: options.tz,
      year: options.year ?? null,
      minConfidence: options.minConfidence,
      autoSkew: options.autoSkew,
      since: options.sinceMs === undefined ? null : new Date(options.sinceMs).toISOString(),
      until: options.untilMs === undefined ? null : new Date(options.untilMs).toISOString(),
      rules: ruleSet.rules.length,
      rulesSha256: ruleSet.sha256,
      inventory: options.inventory ?? null,
    },
  };
}

function mergedEvents(states: InputState[], inRange: (t: number) => boolean): ForensicEvent[] {
  const all: ForensicEvent[] = [];
  for (const s of states) {
    for (const e of s.events) {
      const shifted = { ...e, timeMs: e.timeMs + s.offsetMs, ...(e.endMs !== undefined ? { endMs: e.endMs + s.offsetMs } : {}) };
      if (inRange(shifted.timeMs)) all.push(shifted);
    }
  }
  return all.sort((a, b) => a.timeMs - b.timeMs || compareRefs(a.ref, b.ref));
}
