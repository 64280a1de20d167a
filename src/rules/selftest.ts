// Runs the match test cases rules carry (`tests.positive` must match, `tests.negative` must not;
// for correlations, event sequences that must or must not give a hit), for `rules test` and the
// test suite. Attribution cases need the scoring and run in attribution/rule-cases.ts.
import type { ForensicEvent } from '../model/event.js';
import { evaluateCorrelations, type CorrelationMatch } from './correlation.js';
import { matchingRules, ruleMatches } from './match.js';
import type { CorrelationRule, Rule, RuleHeader } from './rule.js';

export interface RuleTestResult {
  rule: RuleHeader;
  name: string;
  expected: boolean;
  passed: boolean;
}

/** The origin of test-case offsets (`at: 90s`): 2026-01-01T00:00:00Z. */
export const TEST_ORIGIN_MS = Date.UTC(2026, 0, 1);

/** A test case's partial event, completed with neutral defaults. */
export function testEvent(partial: Record<string, unknown>, timeMs = 0, line = 1): ForensicEvent {
  return { kind: 'network', source: 'firewall', format: 'test', timeMs, timeRaw: '', ref: { path: 'test', line }, ...partial } as ForensicEvent;
}

/** Every positive and negative case of every detection and correlation rule. */
export function runRuleTests(set: { detections: readonly Rule[]; correlations: readonly CorrelationRule[] }): RuleTestResult[] {
  const results: RuleTestResult[] = [];
  for (const rule of set.detections) {
    for (const [expected, cases] of [[true, rule.tests.positive], [false, rule.tests.negative]] as const) {
      for (const c of cases) results.push({ rule, name: c.name, expected, passed: ruleMatches(rule, testEvent(c.event)) === expected });
    }
  }
  for (const rule of set.correlations) {
    for (const [expected, cases] of [[true, rule.tests.positive], [false, rule.tests.negative]] as const) {
      for (const c of cases) {
        // The events go through every detection rule, as in a run: a correlation sees only what its rules mark.
        const matches: CorrelationMatch[] = [];
        c.events.forEach((e, i) => {
          const event = testEvent(e.event, TEST_ORIGIN_MS + e.atMs, i + 1);
          const rules = matchingRules(set.detections, event);
          if (rules.length) matches.push({ event, timeMs: event.timeMs, rules });
        });
        matches.sort((a, b) => a.timeMs - b.timeMs);
        const hit = evaluateCorrelations(set.correlations, matches, { includeInner: true }).some((h) => h.rule === rule);
        results.push({ rule, name: c.name, expected, passed: hit === expected });
      }
    }
  }
  return results;
}
