// Runs the test cases rules carry (`tests.positive` must match, `tests.negative` must not), for
// `rules test` and the test suite.
import type { ForensicEvent } from '../model/event.js';
import { ruleMatches } from './match.js';
import type { Rule } from './rule.js';

export interface RuleTestResult {
  rule: Rule;
  name: string;
  expected: boolean;
  passed: boolean;
}

/** A test case's partial event, completed with neutral defaults. */
export function testEvent(partial: Record<string, unknown>): ForensicEvent {
  return { kind: 'network', source: 'firewall', format: 'test', timeMs: 0, timeRaw: '', ref: { path: 'test', line: 1 }, ...partial } as ForensicEvent;
}

export function runRuleTests(rules: readonly Rule[]): RuleTestResult[] {
  const results: RuleTestResult[] = [];
  for (const rule of rules) {
    for (const [expected, cases] of [[true, rule.tests.positive], [false, rule.tests.negative]] as const) {
      for (const c of cases) results.push({ rule, name: c.name, expected, passed: ruleMatches(rule, testEvent(c.event)) === expected });
    }
  }
  return results;
}
