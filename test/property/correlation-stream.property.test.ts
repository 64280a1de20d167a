// The correlation windows are evaluated one match at a time, closing groups as time passes: they must
// give exactly the hits of the batch evaluation (all occurrences grouped, then scanned), whatever the
// rule type, condition, grouping, anchor, chaining, ties in time and how often groups are closed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { CorrelationEvaluator, type CorrelationMatch } from '../../src/rules/correlation.js';
import type { RuleSet } from '../../src/rules/load.js';
import { matchingRules } from '../../src/rules/match.js';
import { referenceCorrelations } from '../rules/correlation-reference.js';
import { CORRELATION_BASES as BASES, loadText } from '../rules/helpers.js';


const condition = fc.oneof(
  fc.integer({ min: 1, max: 5 }).map((n) => `gte: ${n}`),
  fc.integer({ min: 0, max: 4 }).map((n) => `gt: ${n}`),
  fc.integer({ min: 1, max: 3 }).map((n) => `eq: ${n}`),
  fc.integer({ min: 2, max: 4 }).map((n) => `lt: ${n}`),
);
const groupBy = fc.constantFrom('[src.ip]', '[host]', '[host, src.ip]', '[]', '[actor]');
const timespan = fc.integer({ min: 1, max: 40 }).map((s) => `${s}s`);
const anchor = fc.constantFrom('', 'attribution:\n  anchor: first\n');

/** One correlation of each kind the loader accepts, or an inner one counted by an outer one. */
const ruleText = fc.oneof(
  fc.tuple(groupBy, timespan, condition, anchor).map(([g, t, c, a]) => `title: C\nid: c\nlevel: high\n${a}correlation:\n  type: event_count\n  rules: [refused]\n  group-by: ${g}\n  timespan: ${t}\n  condition: { ${c} }\n`),
  fc.tuple(groupBy, timespan, fc.integer({ min: 1, max: 4 }), anchor).map(([g, t, n, a]) => `title: C\nid: c\nlevel: high\n${a}correlation:\n  type: value_count\n  rules: [refused]\n  group-by: ${g}\n  timespan: ${t}\n  condition:\n    field: dst.port\n    gte: ${n}\n`),
  fc.tuple(fc.constantFrom('[login, secrets]', '[refused, secrets]', '[refused, login, secrets]'), timespan, anchor).map(([r, t, a]) => `title: C\nid: c\nlevel: high\n${a}correlation:\n  type: temporal\n  rules: ${r}\n  group-by: [host]\n  timespan: ${t}\n`),
  fc.tuple(fc.constantFrom('[login, secrets]', '[secrets, login]', '[refused, secrets, login]'), timespan, anchor).map(([r, t, a]) => `title: C\nid: c\nlevel: high\n${a}correlation:\n  type: temporal_ordered\n  rules: ${r}\n  group-by: [host]\n  timespan: ${t}\n`),
  fc.tuple(timespan, condition, fc.constantFrom('temporal', 'temporal_ordered'), timespan, fc.boolean(), anchor).map(([t1, c, type, t2, generate, a]) =>
    `title: Many\nid: many\nname: many_refused\nlevel: low\ncorrelation:\n  type: event_count\n  rules: [refused]\n  group-by: [host]\n  timespan: ${t1}\n  condition: { ${c} }\n${generate ? 'generate: true\n' : ''}---\ntitle: Outer\nid: outer\nlevel: critical\n${a}correlation:\n  type: ${type}\n  rules: [many_refused, secrets]\n  group-by: [host]\n  timespan: ${t2}\n`),
);

const eventSpec = fc.record({
  atS: fc.integer({ min: 0, max: 200 }),
  kind: fc.constantFrom('net', 'net', 'net', 'login', 'secret'),
  src: fc.constantFrom('172.17.0.3', '172.17.0.4', '10.0.0.9'),
  port: fc.option(fc.constantFrom(22, 80, 443, 3306), { nil: undefined }),
  host: fc.constantFrom('n7', 'n8'),
  actor: fc.constantFrom('agent', 'ci'),
  path: fc.constantFrom('a.log', 'b.log'),
});

type EventSpec = typeof eventSpec extends fc.Arbitrary<infer T> ? T : never;

function toEvents(specs: EventSpec[]): ForensicEvent[] {
  return specs.map((s, i) => s.kind === 'net'
    ? { kind: 'network', source: 'firewall', format: 'iptables', timeMs: s.atS * 1000, timeRaw: '', ref: { path: s.path, line: i + 1 }, action: 'deny', host: s.host, src: { ip: s.src }, dst: { ip: '10.0.4.2', ...(s.port ? { port: s.port } : {}) } }
    : { kind: 'audit', source: 'audit', format: 'aws-cloudtrail', timeMs: s.atS * 1000, timeRaw: '', ref: { path: s.path, line: i + 1 }, operation: s.kind === 'login' ? 'ConsoleLogin' : 'GetSecretValue', actor: s.actor, host: s.host, action: 'allow' });
}

function matchesOf(set: RuleSet, events: ForensicEvent[]): CorrelationMatch[] {
  return events.flatMap((event) => {
    const rules = matchingRules(set.correlationInputs, event);
    return rules.length ? [{ event, timeMs: event.timeMs, rules }] : [];
  });
}

const view = (h: { rule: { id: string }; event: ForensicEvent; timeMs: number; events: CorrelationMatch[]; group: Record<string, string>; count: number; firstMs: number; lastMs: number }) =>
  ({ rule: h.rule.id, at: h.event.ref, timeMs: h.timeMs, count: h.count, group: h.group, firstMs: h.firstMs, lastMs: h.lastMs, events: h.events.map((m) => m.event.ref) });

const sets = new Map<string, Promise<RuleSet>>();
const load = (text: string) => sets.get(text) ?? (sets.set(text, loadText({ 'c.yml': `${BASES}---\n${text}` })), sets.get(text)!);

describe('correlations evaluated one match at a time', () => {
  it('give the hits of the batch evaluation', async () => {
    await fc.assert(fc.asyncProperty(ruleText, fc.array(eventSpec, { maxLength: 60 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), async (text, specs, sweepEvery, includeInner) => {
      const set = await load(text);
      const all = matchesOf(set, toEvents(specs));
      const sorted = [...all].sort((a, b) => a.timeMs - b.timeMs || (a.event.ref.path < b.event.ref.path ? -1 : a.event.ref.path > b.event.ref.path ? 1 : a.event.ref.line! - b.event.ref.line!));
      const evaluator = new CorrelationEvaluator(set.correlations, { keepEvents: true, sweepEvery });
      for (let k = 0; k < evaluator.passes; k++) {
        const pass = evaluator.pass(k);
        for (const m of sorted) pass.add(m);
        pass.finish();
      }
      const streamed = evaluator.hits(includeInner).map(view);
      const batch = referenceCorrelations(set.correlations, all, { includeInner }).map(view);
      expect(streamed).toEqual(batch);
    }), { numRuns: 400 });
  });
});
