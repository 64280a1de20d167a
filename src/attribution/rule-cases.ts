// Runs rules' `tests.attribution` cases through the real scoring (toToolCall, originOf, windowsFor,
// filterByJoin, rankCandidates): a violation, the tool calls around it, which call must win (or none).
import type { ForensicEvent, TimePrecision } from '../model/event.js';
import type { AttributionTestCase, RuleHeader } from '../rules/rule.js';
import { TEST_ORIGIN_MS, testEvent } from '../rules/selftest.js';
import { filterByJoin, originOf, rankCandidates, toToolCall, windowsFor, type DnsEvidence, type Finding } from './attribute.js';
import { Inventory } from './inventory.js';

export interface AttributionCaseResult {
  rule: RuleHeader;
  name: string;
  line: number;
  expected: string | null;
  got: string | null;
  confidence: number;
  passed: boolean;
  /** the winner's reasons, or the best candidate's when none reached the threshold */
  reasons: string[];
}

class CaseDns implements DnsEvidence {
  constructor(private readonly pairs: { ip: string; domain: string }[]) {}
  domainsFor(ip: string) {
    return this.pairs.filter((p) => p.ip === ip).map((p) => ({ domain: p.domain, where: 'the test case' }));
  }
}

function callEvent(c: AttributionTestCase['calls'][number], i: number): ForensicEvent {
  const event: ForensicEvent = {
    kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: TEST_ORIGIN_MS + c.startMs, timeRaw: '',
    ref: { path: 'calls', line: i + 1 }, callId: c.callId, tool: c.tool ?? 'Bash', command: c.command,
  };
  if (c.endMs !== undefined) event.endMs = TEST_ORIGIN_MS + c.endMs;
  if (c.session !== undefined) event.session = c.session;
  if (c.host !== undefined) event.host = c.host;
  if (c.sandbox !== undefined) event.sandbox = c.sandbox;
  if (c.container !== undefined) event.container = c.container;
  const precision: TimePrecision = c.precision ?? (c.endMs !== undefined ? 'exact' : 'response');
  event.timePrecision = precision;
  return event;
}

/** Scores one case exactly as a run scores a violation of this rule. */
export function runAttributionCase(rule: RuleHeader, tc: AttributionTestCase): AttributionCaseResult {
  const inventory = new Inventory(tc.inventory.map((a) => ({ ...a })));
  const event = testEvent(tc.violation.event, TEST_ORIGIN_MS + tc.violation.atMs);
  const rules = [rule];
  const finding: Finding = { event, timeMs: event.timeMs, rules, origin: originOf(event, inventory) };
  const calls = tc.calls.map((c, i) => toToolCall(callEvent(c, i), inventory, 0)).sort((a, b) => a.startMs - b.startMs);
  const ranked = rankCandidates(finding, filterByJoin(finding, calls, rule.attribution.join, inventory), windowsFor(rules), new CaseDns(tc.dns));
  const best = ranked[0];
  const won = best && best.confidence >= tc.minConfidence ? best : undefined;
  const got = won?.call.callId ?? null;
  return {
    rule, name: tc.name, line: tc.line, expected: tc.expect, got,
    confidence: best ? Math.round(best.confidence * 1000) / 1000 : 0,
    passed: got === tc.expect,
    reasons: best ? best.evidence.map((e) => e.explain()) : [],
  };
}

/** Every attribution case of every detection and correlation rule. */
export function runAttributionCases(rules: readonly (RuleHeader & { tests: { attribution: readonly AttributionTestCase[] } })[]): AttributionCaseResult[] {
  return rules.flatMap((r) => r.tests.attribution.map((tc) => runAttributionCase(r, tc)));
}
