import { describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { countSatisfies, evaluateCorrelations, type CorrelationMatch } from '../../src/rules/correlation.js';
import type { RuleSet } from '../../src/rules/load.js';
import { matchingRules } from '../../src/rules/match.js';
import { CORRELATION_BASES as BASES, loadText } from './helpers.js';


const correlation = (body: string, extra = '') => `${BASES}---
title: C
id: c
level: high
${extra}correlation:
${body}`;

let line = 0;
function net(atS: number, over: Partial<ForensicEvent> = {}): ForensicEvent {
  return { kind: 'network', source: 'firewall', format: 'iptables', timeMs: atS * 1000, timeRaw: '', ref: { path: 'fw.log', line: ++line }, action: 'deny', host: 'n7', src: { ip: '172.17.0.3' }, dst: { ip: '10.0.4.2', port: 22 }, ...over };
}
function audit(atS: number, operation: string, actor = 'agent'): ForensicEvent {
  return { kind: 'audit', source: 'audit', format: 'aws-cloudtrail', timeMs: atS * 1000, timeRaw: '', ref: { path: 'trail.jsonl', line: ++line }, operation, actor, action: 'allow' };
}
function matchesOf(set: RuleSet, events: ForensicEvent[]): CorrelationMatch[] {
  return events.flatMap((event) => {
    const rules = matchingRules(set.correlationInputs, event);
    return rules.length ? [{ event, timeMs: event.timeMs, rules }] : [];
  }).sort((a, b) => a.timeMs - b.timeMs);
}

describe('evaluateCorrelations', () => {
  it('event_count: one hit per burst, anchored at its last event, with every event of the window', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: event_count\n  rules: [refused]\n  group-by: [src.ip]\n  timespan: 10s\n  condition:\n    gte: 3\n') });
    const events = [net(0), net(1), net(2), net(5), net(30), net(31)];
    const hits = evaluateCorrelations(set.correlations, matchesOf(set, events));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.events.map((m) => m.event)).toEqual(events.slice(0, 4));
    expect(hits[0]!.event).toBe(events[3]);
    expect(hits[0]!.timeMs).toBe(5000);
    expect(hits[0]!.count).toBe(4);
    expect(hits[0]!.group).toEqual({ 'src.ip': '172.17.0.3' });
  });

  it('event_count: a long stream gives one hit per timespan, not one per event', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: event_count\n  rules: [refused]\n  group-by: [src.ip]\n  timespan: 10s\n  condition:\n    gte: 3\n') });
    const events = Array.from({ length: 100 }, (_, i) => net(i));
    // A window holds every event within 10 s of its first, both ends included: 0-10 s, 11-21 s, ...
    const hits = evaluateCorrelations(set.correlations, matchesOf(set, events));
    expect(hits.map((h) => h.events.length)).toEqual([11, 11, 11, 11, 11, 11, 11, 11, 11]);
  });

  it('groups by field: the same count split over two sources gives nothing', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: event_count\n  rules: [refused]\n  group-by: [src.ip]\n  timespan: 10s\n  condition:\n    gte: 3\n') });
    const events = [net(0), net(1, { src: { ip: '172.17.0.4' } }), net(2)];
    expect(evaluateCorrelations(set.correlations, matchesOf(set, events))).toEqual([]);
  });

  it('value_count counts distinct values of the field, ignoring events without it', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: value_count\n  rules: [refused]\n  group-by: [host, src.ip]\n  timespan: 60s\n  condition:\n    field: dst.port\n    gte: 3\n') });
    const same = [net(0), net(1), net(2), net(3, { dst: { ip: '10.0.4.2' } })];
    expect(evaluateCorrelations(set.correlations, matchesOf(set, same))).toEqual([]);
    const distinct = [net(0), net(1, { dst: { ip: '10.0.4.2', port: 80 } }), net(2, { dst: { ip: '10.0.4.2', port: 443 } })];
    const hits = evaluateCorrelations(set.correlations, matchesOf(set, distinct));
    expect(hits.map((h) => h.count)).toEqual([3]);
  });

  it('honours every bound of the condition (gt, lt, eq)', () => {
    expect(countSatisfies({ gt: 2, lte: 4 }, 3)).toBe(true);
    expect(countSatisfies({ gt: 2, lte: 4 }, 5)).toBe(false);
    expect(countSatisfies({ eq: 2 }, 2)).toBe(true);
    expect(countSatisfies({ lt: 2 }, 2)).toBe(false);
  });

  it('temporal: all rules within the timespan, any order; one second too late gives nothing', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: temporal\n  rules: [login, secrets]\n  group-by: [actor]\n  timespan: 60s\n') });
    const hit = evaluateCorrelations(set.correlations, matchesOf(set, [audit(0, 'GetSecretValue'), audit(30, 'ConsoleLogin')]));
    expect(hit.map((h) => h.count)).toEqual([2]);
    expect(evaluateCorrelations(set.correlations, matchesOf(set, [audit(0, 'GetSecretValue'), audit(61, 'ConsoleLogin')]))).toEqual([]);
    expect(evaluateCorrelations(set.correlations, matchesOf(set, [audit(0, 'GetSecretValue', 'a'), audit(1, 'ConsoleLogin', 'b')]))).toEqual([]);
  });

  it('temporal_ordered: the rules must come in the order listed (reverse order gives nothing)', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: temporal_ordered\n  rules: [login, secrets]\n  group-by: [actor]\n  timespan: 60s\n') });
    const inOrder = [audit(0, 'ConsoleLogin'), audit(10, 'GetSecretValue'), audit(20, 'GetSecretValue')];
    const hits = evaluateCorrelations(set.correlations, matchesOf(set, inOrder));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.event).toBe(inOrder[1]);
    expect(evaluateCorrelations(set.correlations, matchesOf(set, [audit(0, 'GetSecretValue'), audit(10, 'ConsoleLogin')]))).toEqual([]);
  });

  it('aliases group different fields of different rules together', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: temporal\n  rules: [refused, secrets]\n  group-by: [ip]\n  timespan: 60s\n  aliases:\n    ip:\n      refused: src.ip\n      secrets: src.ip\n') });
    const ev = [net(0, { src: { ip: '203.0.113.5' } }), { ...audit(5, 'GetSecretValue'), src: { ip: '203.0.113.5' } }];
    expect(evaluateCorrelations(set.correlations, matchesOf(set, ev)).map((h) => h.group)).toEqual([{ ip: '203.0.113.5' }]);
    const other = [net(0, { src: { ip: '203.0.113.6' } }), { ...audit(5, 'GetSecretValue'), src: { ip: '203.0.113.5' } }];
    expect(evaluateCorrelations(set.correlations, matchesOf(set, other))).toEqual([]);
  });

  it('chains correlations: only the outer one is returned, with the inner events', async () => {
    const text = `${BASES}---
title: Many refusals
id: many
name: many_refused
correlation:
  type: event_count
  rules: [refused]
  group-by: [host]
  timespan: 30s
  condition: { gte: 3 }
---
title: Refusals then a secret read
id: outer
level: critical
correlation:
  type: temporal_ordered
  rules: [many_refused, secrets]
  group-by: [host]
  timespan: 5m
`;
    const set = await loadText({ 'c.yml': text });
    expect(set.correlations.map((c) => c.id)).toEqual(['many', 'outer']);
    expect(set.correlations[0]!.standalone).toBe(false);
    expect(set.correlations[0]!.severity).toBe('low');
    const events = [net(0), net(1), net(2), { ...audit(100, 'GetSecretValue'), host: 'n7' }];
    const hits = evaluateCorrelations(set.correlations, matchesOf(set, events));
    expect(hits.map((h) => [h.rule.id, h.events.length])).toEqual([['outer', 4]]);
    expect(evaluateCorrelations(set.correlations, matchesOf(set, events), { includeInner: true }).map((h) => h.rule.id)).toEqual(['many', 'outer']);
  });

  it("anchor: first places the hit at the group's first event", async () => {
    const set = await loadText({ 'c.yml': correlation('  type: event_count\n  rules: [refused]\n  timespan: 10s\n  condition:\n    gte: 2\n', 'attribution:\n  anchor: first\n') });
    const events = [net(0), net(4)];
    expect(evaluateCorrelations(set.correlations, matchesOf(set, events))[0]!.event).toBe(events[0]);
  });
});

describe('loadRuleSet and generate', () => {
  it('a rule a correlation uses marks no violation on its own (Sigma generate: false)', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: event_count\n  rules: [refused]\n  timespan: 10s\n  condition: { gte: 2 }\n') });
    expect(set.rules.map((r) => r.id)).toEqual(['login-id', 'secrets-id']);
    expect(set.detections.map((r) => r.id)).toEqual(['refused-id', 'login-id', 'secrets-id']);
    expect(set.correlationInputs.map((r) => r.id)).toEqual(['refused-id']);
  });

  it('generate: true keeps the referenced rules as violations of their own', async () => {
    const set = await loadText({ 'c.yml': correlation('  type: event_count\n  rules: [refused-id]\n  timespan: 10s\n  condition: { gte: 2 }\n', 'generate: true\n') });
    expect(set.rules.map((r) => r.id)).toEqual(['refused-id', 'login-id', 'secrets-id']);
    expect(set.correlations[0]!.generate).toBe(true);
  });
});

describe('groups too small for the condition', () => {
  const run = async (condition: string, sizes: number[]) => {
    const set = await loadText({ 'c.yml': correlation(`  type: event_count\n  rules: [refused]\n  group-by: [src.ip]\n  timespan: 60s\n  condition:\n${condition}`) });
    // One group per source, of the given sizes, all within the timespan.
    const events = sizes.flatMap((n, g) => Array.from({ length: n }, (_, i) => net(i, { src: { ip: `198.51.100.${g + 1}` } })));
    return evaluateCorrelations(set.correlations, matchesOf(set, events)).map((h) => [h.group['src.ip'], h.count]);
  };

  it('are skipped only when no count they can reach satisfies it (gte, gt, eq; lt and lte have no lower bound)', async () => {
    expect(await run('    gte: 3\n', [2, 3, 4])).toEqual([['198.51.100.2', 3], ['198.51.100.3', 4]]);
    expect(await run('    gt: 2\n', [2, 3])).toEqual([['198.51.100.2', 3]]);
    expect(await run('    eq: 2\n', [1, 2])).toEqual([['198.51.100.2', 2]]);
    // lt has no lower bound: a group of one can hit, and a larger one once its window has slid down to one event.
    expect(await run('    lt: 2\n', [1, 3])).toEqual([['198.51.100.1', 1], ['198.51.100.2', 1]]);
  });
});
